/**
 * The WebCrypto steps of the RFC 8291 key agreement, kept off the public surface: the request
 * builder calls them on inputs it already validated.
 *
 * @module
 */

import { hkdf } from '@pushcraft/ece'
import { notOnCurve } from './backend-contract.js'

/** RFC 8291 §3.4: the IKM is 32 octets (HKDF-Expand with L = 32). */
const IKM_LENGTH = 32

const ECDH_P256 = { name: 'ECDH', namedCurve: 'P-256' } as const

/**
 * RFC 8291 §3.4: IKM = HKDF(salt = auth_secret, IKM = ecdh_secret, info = key_info, L = 32), with
 * the synchronous HKDF of `@pushcraft/ece` (the same code as the RFC 8188 key schedule under it,
 * and no WebCrypto round trip).
 */
export function hkdfIkm(
  sharedSecret: Uint8Array,
  authSecret: Uint8Array,
  keyInfo: Uint8Array,
): Uint8Array<ArrayBuffer> {
  return hkdf({ salt: authSecret, ikm: sharedSecret, info: keyInfo, length: IKM_LENGTH })
}

/**
 * The DER prefix of a SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) for an uncompressed P-256 point
 * (RFC 5480 §2: id-ecPublicKey with the namedCurve secp256r1): SEQUENCE { SEQUENCE { OID
 * 1.2.840.10045.2.1, OID 1.2.840.10045.3.1.7 }, BIT STRING (0 unused bits) }, followed by the 65
 * octets of the point.
 */
const P256_SPKI_PREFIX = Uint8Array.from([
  0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
  0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
])

/**
 * Imports `ua_public` (65 octets, `0x04 || X || Y`) as an ECDH P-256 public key. WebCrypto checks
 * that the point is on the curve; a failure means the subscription is bad data, so it maps to
 * `ERR_WEBPUSH_INVALID_SUBSCRIPTION`. The SPKI form is used because Node imports it faster than
 * the raw and JWK forms (it decodes straight into the key type OpenSSL works with); every form
 * validates the point.
 */
export async function importUserAgentKey(p256dh: Uint8Array): Promise<CryptoKey> {
  const spki = new Uint8Array(P256_SPKI_PREFIX.length + p256dh.length)
  spki.set(P256_SPKI_PREFIX)
  spki.set(p256dh, P256_SPKI_PREFIX.length)
  try {
    return await crypto.subtle.importKey('spki', spki, ECDH_P256, true, [])
  } catch (cause) {
    throw notOnCurve(cause)
  }
}

/** A fresh ephemeral ECDH P-256 key pair (RFC 8291 §3.1: one per message). */
export function generateEphemeralKeyPair(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(ECDH_P256, true, ['deriveBits'])
}

/** `as_public`: the 65-octet uncompressed encoding of the ephemeral public key. */
export async function exportPublicKey(key: CryptoKey): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await crypto.subtle.exportKey('raw', key))
}

/** `ecdh_secret` (RFC 8291 §3.1): the 32-octet x-coordinate of the shared point. */
export async function computeSharedSecret(
  privateKey: CryptoKey,
  publicKey: CryptoKey,
): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(
    await crypto.subtle.deriveBits({ name: 'ECDH', public: publicKey }, privateKey, 256),
  )
}
