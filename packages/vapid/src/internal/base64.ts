/**
 * base64 and base64url (RFC 4648 §4, §5) decoding for key material.
 *
 * jose's `base64url.decode` is strict, which is right for JWS parts. Keys arrive in whatever form
 * users keep them in, so {@link decodeBase64Lenient} also takes the standard alphabet and padding
 * (pywebpush and OpenSSL write those). Both decoders reject characters outside the alphabet,
 * impossible lengths and non-zero trailing bits, so a corrupted key is never silently accepted.
 *
 * @module
 */

import { encode } from 'jose/base64url'
import type { Bytes } from './bytes.js'

const STANDARD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const URL_SAFE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

// Sextet value per char code, for each alphabet; -1 marks characters outside it.
function table(alphabet: string): Int8Array {
  const values = new Int8Array(128).fill(-1)
  for (let i = 0; i < alphabet.length; i++) values[alphabet.charCodeAt(i)] = i
  return values
}
const STANDARD_TABLE = table(STANDARD)
const URL_SAFE_TABLE = table(URL_SAFE)

/** base64url without padding (RFC 4648 §5; the form RFC 8292 and RFC 7515 use). */
export function encodeBase64Url(bytes: Uint8Array): string {
  return encode(bytes)
}

/** Standard base64 with padding (RFC 4648 §4; PEM bodies). */
export function encodeBase64(bytes: Uint8Array): string {
  return (
    encodeBase64Url(bytes).replaceAll('-', '+').replaceAll('_', '/') +
    '='.repeat((3 - (bytes.length % 3)) % 3)
  )
}

/**
 * Decodes base64url without padding, strictly (RFC 4648 §5 as RFC 7515 §2 uses it). Returns
 * `undefined` when `text` is not such an encoding.
 */
export function decodeBase64UrlStrict(text: string): Bytes | undefined {
  return decodeWith(text, URL_SAFE_TABLE)
}

/**
 * Decodes base64url or standard base64, with or without `=` padding. One alphabet per input
 * (mixing `-`/`_` with `+`/`/` is rejected). Returns `undefined` when `text` is not an encoding.
 */
export function decodeBase64Lenient(text: string): Bytes | undefined {
  let end = text.length
  // RFC 4648 §3.2: padding brings the length to a multiple of 4, so at most two '='.
  if (end % 4 === 0 && text.endsWith('=')) end -= text.endsWith('==') ? 2 : 1
  const body = end === text.length ? text : text.slice(0, end)
  if (/[+/]/.test(body)) {
    if (/[-_]/.test(body)) return undefined
    return decodeWith(body, STANDARD_TABLE)
  }
  return decodeWith(body, URL_SAFE_TABLE)
}

function decodeWith(text: string, values: Int8Array): Bytes | undefined {
  const length = text.length
  // RFC 4648 §4: 2, 3 or 4 characters per final quantum; a single one carries under a byte.
  if (length % 4 === 1) return undefined
  const out = new Uint8Array(Math.floor((length * 3) / 4))
  let buffer = 0
  let bits = 0
  let offset = 0
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i)
    const value = code < 128 ? (values[code] ?? -1) : -1
    if (value < 0) return undefined
    buffer = ((buffer << 6) | value) & 0xffff
    bits += 6
    if (bits >= 8) {
      bits -= 8
      out[offset++] = (buffer >> bits) & 0xff
    }
  }
  // RFC 4648 §3.5: the bits left over must be zero in a canonical encoding.
  if ((buffer & ((1 << bits) - 1)) !== 0) return undefined
  return out
}
