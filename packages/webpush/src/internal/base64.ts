/**
 * base64url for the wire (RFC 4648 §5, unpadded, as RFC 8291 and RFC 8292 use it) and a tolerant
 * decoder for values that reach us from browsers and databases, which are sometimes stored as
 * standard base64 (RFC 4648 §4) or with `=` padding.
 *
 * @module
 */

import { decode, encode } from 'jose/base64url'

const BASE64_ANY = /^[A-Za-z0-9+/_-]*={0,2}$/

/**
 * Why a tolerant decode failed: a character outside both alphabets, misplaced padding or an
 * impossible length.
 */
export type Base64Problem = 'alphabet' | 'padding' | 'length'

/**
 * Decodes base64url or base64, with or without `=` padding (mixed alphabets are accepted, as
 * every character still has one meaning).
 *
 * @param input - The encoded text.
 * @returns The bytes, or the reason the text is not base64.
 */
export function decodeBase64Tolerant(input: string): Uint8Array | Base64Problem {
  if (!BASE64_ANY.test(input)) return 'alphabet'
  const padStart = input.indexOf('=')
  let body = padStart === -1 ? input : input.slice(0, padStart)
  // RFC 4648 §4: padding, when present, completes the last quantum to 4 characters exactly.
  if (padStart !== -1 && input.length % 4 !== 0) return 'padding'
  // A final quantum of one character cannot encode a whole octet.
  if (body.length % 4 === 1) return 'length'
  if (body.includes('+') || body.includes('/')) body = body.replace(/\+/g, '-').replace(/\//g, '_')
  try {
    return decode(body)
  } catch {
    return 'alphabet'
  }
}

/**
 * Encodes bytes as unpadded base64url (RFC 4648 §5).
 *
 * @param bytes - The bytes.
 * @returns The base64url text.
 */
export function encodeBase64Url(bytes: Uint8Array): string {
  return encode(bytes)
}
