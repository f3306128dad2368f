/**
 * Byte helpers shared by the modules of this package (never exported from the package).
 *
 * @module
 */

/** One shared UTF-8 encoder: `TextEncoder` is stateless. */
export const utf8: TextEncoder = new TextEncoder()

/**
 * Concatenates byte strings into one fresh `Uint8Array`.
 *
 * @param parts - The byte strings, in order.
 * @returns A new array holding every part.
 */
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
 * WebCrypto takes a `BufferSource` backed by an `ArrayBuffer`; since TypeScript 5.7 a plain
 * `Uint8Array` may be backed by a `SharedArrayBuffer` as far as the types know. This is the one
 * place that bridges the two: it returns the same view when it already qualifies (no copy on the
 * hot path), and a copy otherwise.
 *
 * @param bytes - Any byte view.
 * @returns A view backed by an `ArrayBuffer`.
 */
export function bufferSource(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer
    ? (bytes as Uint8Array<ArrayBuffer>)
    : new Uint8Array(bytes)
}
