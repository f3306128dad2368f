/**
 * Base64url without padding (RFC 4648 §5), the encoding of binary `aesgcm` header parameters
 * (draft-ietf-httpbis-encryption-encoding-03 §3).
 *
 * @module
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

/**
 * Unpadded base64url of `bytes`.
 *
 * @internal
 */
export function encodeBase64url(bytes: Uint8Array): string {
  let out = ''
  let i = 0
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0)
    out += ALPHABET.charAt(n >>> 18) + ALPHABET.charAt((n >>> 12) & 63)
    out += ALPHABET.charAt((n >>> 6) & 63) + ALPHABET.charAt(n & 63)
  }
  const rest = bytes.length - i
  if (rest > 0) {
    const n = ((bytes[i] ?? 0) << 16) | (rest === 2 ? (bytes[i + 1] ?? 0) << 8 : 0)
    out += ALPHABET.charAt(n >>> 18) + ALPHABET.charAt((n >>> 12) & 63)
    if (rest === 2) out += ALPHABET.charAt((n >>> 6) & 63)
  }
  return out
}

/** Value of one base64url character, or -1. */
function sextet(code: number): number {
  if (code >= 65 && code <= 90) return code - 65 // A-Z
  if (code >= 97 && code <= 122) return code - 71 // a-z
  if (code >= 48 && code <= 57) return code + 4 // 0-9
  if (code === 45) return 62 // -
  if (code === 95) return 63 // _
  return -1
}

/**
 * Decodes base64url; trailing `=` padding is tolerated (some senders pad), any character outside
 * the URL-safe alphabet (`+`, `/`, whitespace) is not. Returns `undefined` when invalid.
 *
 * @internal
 */
export function decodeBase64url(text: string): Uint8Array<ArrayBuffer> | undefined {
  let end = text.length
  while (end > 0 && text.charCodeAt(end - 1) === 61) end -= 1 // '='
  const padding = text.length - end
  if (end % 4 === 1 || (padding > 0 && (padding > 2 || (end + padding) % 4 !== 0))) return undefined
  const out = new Uint8Array(Math.floor((end * 3) / 4))
  let buffer = 0
  let bits = 0
  let o = 0
  for (let i = 0; i < end; i += 1) {
    const value = sextet(text.charCodeAt(i))
    if (value < 0) return undefined
    buffer = ((buffer << 6) | value) & 0xffffff
    bits += 6
    if (bits >= 8) {
      bits -= 8
      out[o++] = (buffer >>> bits) & 0xff
    }
  }
  return out
}
