/**
 * Byte helpers: WebCrypto-compatible views, big-endian integers, UTF-8.
 *
 * @module
 */

/** Stateless, so one instance serves every call. */
const encoder = new TextEncoder()

/**
 * UTF-8 bytes of `text`.
 *
 * @internal
 */
export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text)
}

/**
 * `bytes` as a view WebCrypto accepts. Since TypeScript 5.7 typed arrays are generic over their
 * buffer, and WebCrypto's `BufferSource` excludes `SharedArrayBuffer`: views over an
 * `ArrayBuffer` are returned as they are (no copy), anything else is copied once. This is the one
 * place that narrows the buffer type.
 *
 * @internal
 */
export function toBufferSource(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  if (Object.prototype.toString.call(bytes.buffer) === '[object ArrayBuffer]') {
    return bytes as Uint8Array<ArrayBuffer>
  }
  return new Uint8Array(bytes)
}

/**
 * Reads a big-endian unsigned 16-bit integer at `offset`.
 *
 * @internal
 */
export function readUint16(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] ?? 0) << 8) | (bytes[offset + 1] ?? 0)
}

/**
 * Reads a big-endian unsigned 32-bit integer at `offset`.
 *
 * @internal
 */
export function readUint32(bytes: Uint8Array, offset: number): number {
  return (
    (bytes[offset] ?? 0) * 0x1000000 +
    (((bytes[offset + 1] ?? 0) << 16) | ((bytes[offset + 2] ?? 0) << 8) | (bytes[offset + 3] ?? 0))
  )
}

/**
 * Writes `value` as a big-endian unsigned 32-bit integer at `offset`.
 *
 * @internal
 */
export function writeUint32(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value >>> 24
  bytes[offset + 1] = (value >>> 16) & 0xff
  bytes[offset + 2] = (value >>> 8) & 0xff
  bytes[offset + 3] = value & 0xff
}
