/**
 * Byte helpers shared by the kit's modules: base64url (tolerant of the `=` padding Firefox sends
 * in `register` messages and of standard base64 from hand-written subscriptions), UTF-8,
 * concatenation and the `ArrayBuffer`-backed copies WebCrypto wants.
 *
 * @module
 */

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: false })

/** Unpadded base64url of `bytes` (RFC 4648 §5). */
export function toBase64Url(bytes: Uint8Array): string {
  let binary = ''
  for (let index = 0; index < bytes.length; index += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(index, index + 0x8000))
  }
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')
}

/**
 * Decodes base64url or base64, padded or not. Returns `undefined` for anything else, so callers
 * decide whether bad input is misuse (TypeError) or bad data (a rejection).
 */
export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | undefined {
  const trimmed = text.trim().replace(/=+$/, '')
  if (!/^[A-Za-z0-9\-_+/]*$/.test(trimmed) || trimmed.length % 4 === 1) return undefined
  const standard = trimmed.replaceAll('-', '+').replaceAll('_', '/')
  const padded = standard + '='.repeat((4 - (standard.length % 4)) % 4)
  let binary: string
  try {
    binary = atob(padded)
  } catch {
    return undefined
  }
  const bytes = new Uint8Array(binary.length)
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index)
  return bytes
}

/** UTF-8 bytes of `text`. */
export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text)
}

/** Text of UTF-8 `bytes` (invalid sequences become U+FFFD). */
export function fromUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes)
}

/** A fresh buffer holding the parts one after another. */
export function concat(...parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  let length = 0
  for (const part of parts) length += part.length
  const out = new Uint8Array(length)
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

/**
 * A copy backed by a plain `ArrayBuffer`. TypeScript's generic typed arrays (TS 5.7+) make
 * WebCrypto reject `Uint8Array<ArrayBufferLike>`; this is the one place that converts.
 */
export function toBuffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(bytes.length)
  out.set(bytes)
  return out
}

/** Constant-time-enough equality for public values (keys, hashes). */
export function equalBytes(left: Uint8Array, right: Uint8Array): boolean {
  if (left.length !== right.length) return false
  let difference = 0
  for (let index = 0; index < left.length; index++)
    difference |= (left[index] ?? 0) ^ (right[index] ?? 0)
  return difference === 0
}

/** `count` random bytes from `crypto.getRandomValues`. */
export function randomBytes(count: number): Uint8Array<ArrayBuffer> {
  return crypto.getRandomValues(new Uint8Array(count))
}
