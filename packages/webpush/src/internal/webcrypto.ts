/**
 * The WebCrypto steps of the RFC 8291 key agreement, kept off the public surface: the request
 * builder calls them on inputs it already validated.
 *
 * @module
 */

import { WebPushError } from '../errors.js'
import { encodeBase64Url } from './base64.js'
import { bufferSource } from './bytes.js'

/** RFC 8291 §3.4: the IKM is 32 octets (HKDF-Expand with L = 32). */
const IKM_BITS = 256

const ECDH_P256 = { name: 'ECDH', namedCurve: 'P-256' } as const

/** RFC 8291 §3.4 HKDF without argument checks, for the hot path (inputs come from validated parts). */
export async function hkdfIkm(
  sharedSecret: Uint8Array,
  authSecret: Uint8Array,
  keyInfo: Uint8Array,
): Promise<Uint8Array<ArrayBuffer>> {
  const key = await crypto.subtle.importKey('raw', bufferSource(sharedSecret), 'HKDF', false, [
    'deriveBits',
  ])
  const bits = await crypto.subtle.deriveBits(
    { name: 'HKDF', hash: 'SHA-256', salt: bufferSource(authSecret), info: bufferSource(keyInfo) },
    key,
    IKM_BITS,
  )
  return new Uint8Array(bits)
}

/**
 * Imports `ua_public` as an ECDH P-256 public key. WebCrypto checks that the point is on the curve;
 * a failure means the subscription is bad data, so it maps to `ERR_WEBPUSH_INVALID_SUBSCRIPTION`.
 * The JWK form is used because Node imports it faster than the raw form; both validate the point.
 */
export async function importUserAgentKey(p256dh: Uint8Array): Promise<CryptoKey> {
  try {
    return await crypto.subtle.importKey(
      'jwk',
      {
        kty: 'EC',
        crv: 'P-256',
        x: encodeBase64Url(p256dh.subarray(1, 33)),
        y: encodeBase64Url(p256dh.subarray(33, 65)),
        ext: true,
      },
      ECDH_P256,
      true,
      [],
    )
  } catch (cause) {
    throw new WebPushError(
      'ERR_WEBPUSH_INVALID_SUBSCRIPTION',
      '"keys.p256dh" is not a point on P-256',
      { cause, field: 'keys.p256dh', reason: 'not-on-curve' },
    )
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
