/**
 * HKDF-SHA-256 (RFC 5869) on WebCrypto, as RFC 8291 §3.3 uses it.
 *
 * @module
 */

import { toBuffer } from './bytes.js'

/** `length` bytes of HKDF-SHA-256(salt, ikm, info). */
export async function hkdf(
  salt: Uint8Array,
  ikm: Uint8Array,
  info: Uint8Array,
  length: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const key = await crypto.subtle.importKey('raw', toBuffer(ikm), 'HKDF', false, ['deriveBits'])
  const bits = await crypto.subtle.deriveBits(
    { name: 'HKDF', hash: 'SHA-256', salt: toBuffer(salt), info: toBuffer(info) },
    key,
    length * 8,
  )
  return new Uint8Array(bits)
}
