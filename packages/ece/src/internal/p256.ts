/**
 * P-256 public-key checks (SEC 1 §2.3.4 uncompressed form, curve from FIPS 186-4 D.1.2.3) for
 * the keys of the `aesgcm` DH context. Only public values are handled, so plain BigInt is fine.
 *
 * @module
 */

const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn
const B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn

/** Length of an uncompressed P-256 point: 0x04 || X (32) || Y (32). */
export const P256_PUBLIC_KEY_LENGTH = 65

/** The 32-octet big-endian integer at `offset`, read as four 64-bit words. */
function coordinate(view: DataView, offset: number): bigint {
  return (
    (view.getBigUint64(offset) << 192n) |
    (view.getBigUint64(offset + 8) << 128n) |
    (view.getBigUint64(offset + 16) << 64n) |
    view.getBigUint64(offset + 24)
  )
}

/**
 * Whether `bytes` is an uncompressed P-256 point on the curve: y² = x³ − 3x + b (mod p).
 *
 * @internal
 */
export function isP256PublicKey(bytes: Uint8Array): boolean {
  if (bytes.length !== P256_PUBLIC_KEY_LENGTH || bytes[0] !== 0x04) return false
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const x = coordinate(view, 1)
  const y = coordinate(view, 33)
  if (x >= P || y >= P) return false
  const left = (y * y) % P
  const right = (((((x * x) % P) * x) % P) - 3n * x + B + 3n * P) % P
  return left === right
}
