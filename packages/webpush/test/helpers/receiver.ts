// Receiver-side Web Push decryption for tests: what a user agent (or a test push service) does
// with a message. ECDH with the user agent's private key, the RFC 8291 §3.4 key derivation, then
// @pushcraft/ece decrypt (aes128gcm) or decryptAesgcm (draft-ietf-webpush-encryption-04).
import { decrypt, decryptAesgcm, parseAesgcmHeaders } from '@pushcraft/ece'
import { deriveWebPushIkm } from '../../src/key-agreement.ts'
import type { PushSubscriptionJSON } from '../../src/subscription.ts'

const ECDH = { name: 'ECDH', namedCurve: 'P-256' } as const

export interface UserAgent {
  readonly privateKey: CryptoKey
  /** ua_public, 65 octets. */
  readonly publicKey: Uint8Array
  /** auth_secret, 16 octets. */
  readonly auth: Uint8Array
  readonly subscription: PushSubscriptionJSON
}

export function b64u(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url')
}

export function fromB64u(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64url'))
}

export function fromHex(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'hex'))
}

/** A fresh user agent key pair and auth secret, as PushManager.subscribe() creates them. */
export async function createUserAgent(
  endpoint = 'https://push.example.net/push/JzLQ3raZJfFBR0aqvOMsLrt54w4rJUsV',
): Promise<UserAgent> {
  const pair = await crypto.subtle.generateKey(ECDH, true, ['deriveBits'])
  const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey))
  const auth = crypto.getRandomValues(new Uint8Array(16))
  return {
    privateKey: pair.privateKey,
    publicKey,
    auth,
    subscription: {
      endpoint,
      expirationTime: null,
      keys: { p256dh: b64u(publicKey), auth: b64u(auth) },
    },
  }
}

/** Imports a P-256 private scalar `d` with its public point as an ECDH key (vectors publish d). */
export function importPrivateKey(d: Uint8Array, publicKey: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey(
    'jwk',
    {
      kty: 'EC',
      crv: 'P-256',
      d: b64u(d),
      x: b64u(publicKey.subarray(1, 33)),
      y: b64u(publicKey.subarray(33, 65)),
    },
    ECDH,
    false,
    ['deriveBits'],
  )
}

async function sharedSecret(privateKey: CryptoKey, peer: Uint8Array): Promise<Uint8Array> {
  const publicKey = await crypto.subtle.importKey('raw', new Uint8Array(peer), ECDH, false, [])
  return new Uint8Array(
    await crypto.subtle.deriveBits({ name: 'ECDH', public: publicKey }, privateKey, 256),
  )
}

export interface ReceivedRequest {
  readonly headers: Readonly<Record<string, string | number | undefined>>
  readonly body: Uint8Array | null
}

/**
 * Decrypts a push request as the user agent would. Header names may be in any case (web-push
 * sends 'Content-Encoding'). Returns null for a message without payload.
 */
export async function receivePushMessage(
  request: ReceivedRequest,
  userAgent: Pick<UserAgent, 'privateKey' | 'publicKey' | 'auth'>,
): Promise<Uint8Array | null> {
  const headers = new Map(
    Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), String(value)]),
  )
  const encoding = headers.get('content-encoding')
  if (request.body === null || request.body.length === 0) {
    if (encoding !== undefined) throw new Error('a payloadless message carries Content-Encoding')
    return null
  }
  if (encoding === 'aes128gcm') {
    return decrypt(request.body, {
      // RFC 8291 §3.4: keyid is as_public.
      keyLookup: async (asPublic) =>
        deriveWebPushIkm({
          sharedSecret: await sharedSecret(userAgent.privateKey, asPublic),
          authSecret: userAgent.auth,
          userAgentPublicKey: userAgent.publicKey,
          applicationServerPublicKey: asPublic,
        }),
    })
  }
  if (encoding === 'aesgcm') {
    const params = parseAesgcmHeaders({
      encryption: headers.get('encryption'),
      cryptoKey: headers.get('crypto-key'),
    })
    if (params.dh === undefined) throw new Error('aesgcm message without Crypto-Key dh')
    return decryptAesgcm(request.body, {
      key: await sharedSecret(userAgent.privateKey, params.dh),
      salt: params.salt,
      recordSize: params.recordSize,
      authSecret: userAgent.auth,
      dh: { receiverPublicKey: userAgent.publicKey, senderPublicKey: params.dh },
    })
  }
  throw new TypeError(`unsupported Content-Encoding ${String(encoding)}`)
}
