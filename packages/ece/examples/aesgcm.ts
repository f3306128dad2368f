// Legacy aesgcm as Web Push draft-04 used it. The ECDH belongs to @pushcraft/webpush; it is done
// here with WebCrypto to show what ece expects: the raw shared secret, the auth secret and both
// public keys.
import { decryptAesgcm, encryptAesgcm, parseAesgcmHeaders } from '@pushcraft/ece'

const P256 = { name: 'ECDH', namedCurve: 'P-256' }
const userAgent = await crypto.subtle.generateKey(P256, false, ['deriveBits'])
const server = await crypto.subtle.generateKey(P256, false, ['deriveBits'])
const uaPublic = new Uint8Array(await crypto.subtle.exportKey('raw', userAgent.publicKey))
const serverPublic = new Uint8Array(await crypto.subtle.exportKey('raw', server.publicKey))
const authSecret = crypto.getRandomValues(new Uint8Array(16))

// Sender: shared secret from the server's private key and the subscription's p256dh.
const secret = new Uint8Array(
  await crypto.subtle.deriveBits(
    { name: 'ECDH', public: userAgent.publicKey },
    server.privateKey,
    256,
  ),
)
const sent = await encryptAesgcm(new TextEncoder().encode('hello'), {
  key: secret,
  authSecret,
  dh: { receiverPublicKey: uaPublic, senderPublicKey: serverPublic },
})
// POST sent.body with Content-Encoding: aesgcm, Encryption: sent.headers.encryption and
// Crypto-Key: sent.headers.cryptoKey (+ ";p256ecdsa=<VAPID key>" for legacy VAPID).

// Receiver: everything but the body comes from the header fields.
const params = parseAesgcmHeaders({
  encryption: sent.headers.encryption,
  cryptoKey: sent.headers.cryptoKey,
})
if (params.dh === undefined) throw new Error('no dh in Crypto-Key')
const senderKey = await crypto.subtle.importKey('raw', params.dh, P256, false, [])
const received = new Uint8Array(
  await crypto.subtle.deriveBits({ name: 'ECDH', public: senderKey }, userAgent.privateKey, 256),
)
const plaintext = await decryptAesgcm(sent.body, {
  key: received,
  salt: params.salt,
  recordSize: params.recordSize,
  authSecret,
  dh: { receiverPublicKey: uaPublic, senderPublicKey: params.dh },
})
console.log(new TextDecoder().decode(plaintext))
