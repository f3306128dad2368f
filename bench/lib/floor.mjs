// The floor: the cryptography every Web Push message needs, done synchronously with node:crypto in
// the most direct way. No validation, no header building, no promises: what is left when all the
// library work is taken away. A library doing this work asynchronously (WebCrypto, thread pool)
// can still beat it, since the floor runs on one thread.
//
// aes128gcm: RFC 8291 §3.4 (ECDH, "WebPush: info" IKM) + RFC 8188 §2 (CEK/nonce, one record).
// aesgcm: draft-ietf-webpush-encryption-04 §3 + draft-ietf-httpbis-encryption-encoding-03.
// ES256: RFC 7515 JWS with an ECDSA P-256 signature in raw R||S form (RFC 7518 §3.4).

import {
  createCipheriv,
  createECDH,
  createPrivateKey,
  hkdfSync,
  randomBytes,
  sign,
} from 'node:crypto'

const KEY_INFO = Buffer.from('WebPush: info\0')
const CEK_INFO_128 = Buffer.from('Content-Encoding: aes128gcm\0')
const NONCE_INFO_128 = Buffer.from('Content-Encoding: nonce\0')
const AUTH_INFO = Buffer.from('Content-Encoding: auth\0')
const LAST_RECORD = Buffer.from([2])
const NO_PADDING = Buffer.alloc(2)
const RECORD_SIZE = 4096

// HKDF-SHA-256 (RFC 5869). node:crypto's hkdfSync is the fastest synchronous form on Node 24
// (one native call; createHmac costs about as much per HMAC as hkdfSync per extract + expand).
const hkdf = (salt, ikm, info, length) => Buffer.from(hkdfSync('sha256', ikm, salt, info, length))

/** One aes128gcm Web Push message (RFC 8291): returns the body. */
export function floorAes128gcm(userAgentPublicKey, authSecret, plaintext) {
  const ecdh = createECDH('prime256v1')
  const asPublic = ecdh.generateKeys()
  const secret = ecdh.computeSecret(userAgentPublicKey)
  const ikm = hkdf(authSecret, secret, Buffer.concat([KEY_INFO, userAgentPublicKey, asPublic]), 32)
  const salt = randomBytes(16)
  const cek = hkdf(salt, ikm, CEK_INFO_128, 16)
  const nonce = hkdf(salt, ikm, NONCE_INFO_128, 12)
  const header = Buffer.allocUnsafe(21)
  salt.copy(header, 0)
  header.writeUInt32BE(RECORD_SIZE, 16)
  header[20] = asPublic.length
  const cipher = createCipheriv('aes-128-gcm', cek, nonce)
  return Buffer.concat([
    header,
    asPublic,
    cipher.update(plaintext),
    cipher.update(LAST_RECORD),
    cipher.final(),
    cipher.getAuthTag(),
  ])
}

const lengthPrefixed = (key) => {
  const out = Buffer.allocUnsafe(2 + key.length)
  out.writeUInt16BE(key.length, 0)
  key.copy(out, 2)
  return out
}

/** One aesgcm Web Push message (draft-04): returns `{ body, salt, dh }`. */
export function floorAesgcm(userAgentPublicKey, authSecret, plaintext) {
  const ecdh = createECDH('prime256v1')
  const asPublic = ecdh.generateKeys()
  const secret = ecdh.computeSecret(userAgentPublicKey)
  const ikm = hkdf(authSecret, secret, AUTH_INFO, 32)
  const context = Buffer.concat([
    Buffer.from('P-256\0'),
    lengthPrefixed(userAgentPublicKey),
    lengthPrefixed(asPublic),
  ])
  const salt = randomBytes(16)
  const cek = hkdf(
    salt,
    ikm,
    Buffer.concat([Buffer.from('Content-Encoding: aesgcm\0'), context]),
    16,
  )
  const nonce = hkdf(
    salt,
    ikm,
    Buffer.concat([Buffer.from('Content-Encoding: nonce\0'), context]),
    12,
  )
  const cipher = createCipheriv('aes-128-gcm', cek, nonce)
  const body = Buffer.concat([
    cipher.update(NO_PADDING),
    cipher.update(plaintext),
    cipher.final(),
    cipher.getAuthTag(),
  ])
  return { body, salt, dh: asPublic }
}

/** RFC 8188 encryption alone (no key agreement): what @pushcraft/ece's encrypt does. */
export function floorEce(ikm, keyId, plaintext) {
  const salt = randomBytes(16)
  const cek = hkdf(salt, ikm, CEK_INFO_128, 16)
  const nonce = hkdf(salt, ikm, NONCE_INFO_128, 12)
  const header = Buffer.allocUnsafe(21)
  salt.copy(header, 0)
  header.writeUInt32BE(RECORD_SIZE, 16)
  header[20] = keyId.length
  const cipher = createCipheriv('aes-128-gcm', cek, nonce)
  return Buffer.concat([
    header,
    keyId,
    cipher.update(plaintext),
    cipher.update(LAST_RECORD),
    cipher.final(),
    cipher.getAuthTag(),
  ])
}

const JWT_HEADER = Buffer.from('{"typ":"JWT","alg":"ES256"}').toString('base64url')

/** A signer of fresh ES256 VAPID JWTs (RFC 8292 §2) with a P-256 private scalar. */
export function floorEs256Signer({ privateKey, publicKey, audience, subject }) {
  const x = publicKey.subarray(1, 33).toString('base64url')
  const y = publicKey.subarray(33, 65).toString('base64url')
  const key = createPrivateKey({
    key: { kty: 'EC', crv: 'P-256', d: privateKey.toString('base64url'), x, y },
    format: 'jwk',
  })
  return () => {
    const exp = Math.floor(Date.now() / 1000) + 12 * 3600
    const claims = Buffer.from(JSON.stringify({ aud: audience, exp, sub: subject })).toString(
      'base64url',
    )
    const input = `${JWT_HEADER}.${claims}`
    const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' })
    return `${input}.${signature.toString('base64url')}`
  }
}
