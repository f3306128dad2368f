/**
 * HKDF-SHA-256 (RFC 5869) on WebCrypto: the input keying material is imported once per message
 * and each output is one `deriveBits` call.
 *
 * @module
 */

import { toBufferSource } from './bytes.js'

/**
 * Imports `ikm` as a non-extractable HKDF key.
 *
 * @internal
 */
export function importHkdfKey(ikm: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', toBufferSource(ikm), 'HKDF', false, ['deriveBits'])
}

/**
 * HKDF-Expand(HKDF-Extract(salt, IKM), info, length) for a key from {@link importHkdfKey}.
 *
 * @internal
 */
export async function hkdfBits(
  key: CryptoKey,
  salt: Uint8Array,
  info: Uint8Array,
  length: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const bits = await crypto.subtle.deriveBits(
    { name: 'HKDF', hash: 'SHA-256', salt: toBufferSource(salt), info: toBufferSource(info) },
    key,
    length * 8,
  )
  return new Uint8Array(bits)
}

/**
 * One-shot HKDF-SHA-256.
 *
 * @internal
 */
export async function hkdf(
  ikm: Uint8Array,
  salt: Uint8Array,
  info: Uint8Array,
  length: number,
): Promise<Uint8Array<ArrayBuffer>> {
  return hkdfBits(await importHkdfKey(ikm), salt, info, length)
}
