// The user agent's side of RFC 8291 for transport tests: a fresh P-256 key pair and auth secret,
// a browser-shaped subscription for an endpoint, and decryption of what the sender posted.
import { decrypt, parseHeader } from '@pushcraft/ece'
import { encode } from 'jose/base64url'
import { deriveWebPushIkm, type PushSubscriptionJSON } from '../../src/index.ts'

export interface TestSubscriber {
  subscription(endpoint: string): PushSubscriptionJSON
  decrypt(body: Uint8Array): Promise<string>
}

export async function createSubscriber(): Promise<TestSubscriber> {
  const pair = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, [
    'deriveBits',
  ])
  const userAgentPublicKey = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey))
  const authSecret = crypto.getRandomValues(new Uint8Array(16))
  return {
    subscription: (endpoint) => ({
      endpoint,
      expirationTime: null,
      keys: { p256dh: encode(userAgentPublicKey), auth: encode(authSecret) },
    }),
    async decrypt(body) {
      // RFC 8291 §4: the aes128gcm keyid carries the sender's ephemeral public key.
      const { keyId } = parseHeader(body)
      const senderKey = await crypto.subtle.importKey(
        'raw',
        new Uint8Array(keyId),
        { name: 'ECDH', namedCurve: 'P-256' },
        false,
        [],
      )
      const sharedSecret = new Uint8Array(
        await crypto.subtle.deriveBits({ name: 'ECDH', public: senderKey }, pair.privateKey, 256),
      )
      const key = await deriveWebPushIkm({
        sharedSecret,
        authSecret,
        userAgentPublicKey,
        applicationServerPublicKey: new Uint8Array(keyId),
      })
      return new TextDecoder().decode(await decrypt(body, { key }))
    },
  }
}
