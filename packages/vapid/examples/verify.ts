// Receiver side (a push service emulator or gateway): check the VAPID headers of a request.
import { verifyVapidAuthorization, VapidError } from '@pushcraft/vapid'

export async function checkVapid(
  request: Request,
  subscriptionKey?: string,
): Promise<Response | null> {
  try {
    const verified = await verifyVapidAuthorization(
      {
        authorization: request.headers.get('authorization'),
        cryptoKey: request.headers.get('crypto-key'),
      },
      {
        audience: new URL(request.url).origin,
        ...(subscriptionKey === undefined ? {} : { publicKey: subscriptionKey }),
      },
    )
    console.log(`push from ${verified.claims.sub ?? 'anonymous'} until ${verified.claims.exp}`)
    return null // accepted
  } catch (error) {
    if (!(error instanceof VapidError)) throw error
    // RFC 8292 §4.2: 403 when the key does not match a restricted subscription, else 401
    const status = error.code === 'ERR_VAPID_KEY_MISMATCH' ? 403 : 401
    return new Response(error.code, { status })
  }
}
