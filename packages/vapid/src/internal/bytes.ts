/**
 * Byte helpers. Everything returned is a fresh `Uint8Array` backed by an `ArrayBuffer`, the form
 * WebCrypto's `BufferSource` wants since TypeScript made typed arrays generic (STYLE §7); callers'
 * buffers are never aliased or mutated.
 *
 * @module
 */

/** A `Uint8Array` that owns a plain `ArrayBuffer` (what `crypto.subtle` accepts). */
export type Bytes = Uint8Array<ArrayBuffer>

/** `true` for a `Uint8Array`, also one made in another realm (noble's `isBytes`). */
export function isBytes(value: unknown): value is Uint8Array {
  return (
    value instanceof Uint8Array ||
    (ArrayBuffer.isView(value) && value.constructor.name === 'Uint8Array')
  )
}

/** A fresh copy of `bytes`, backed by its own `ArrayBuffer`. */
export function copyBytes(bytes: Uint8Array): Bytes {
  const copy = new Uint8Array(bytes.length)
  copy.set(bytes)
  return copy
}

/** Concatenation into a fresh array. */
export function concatBytes(...parts: readonly Uint8Array[]): Bytes {
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

/** Byte-wise equality (for public values only: it returns early). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Big-endian unsigned integer of `bytes`. */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  let hex = ''
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0')
  return hex === '' ? 0n : BigInt('0x' + hex)
}

/** `value` as `length` big-endian bytes; the caller guarantees it fits. */
export function bigIntToBytes(value: bigint, length: number): Bytes {
  const hex = value.toString(16).padStart(length * 2, '0')
  const out = new Uint8Array(length)
  for (let i = 0; i < length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16)
  return out
}
