/**
 * Partial public-key validation for NIST P-256 points (SEC 1 v2 §3.2.2.1; NIST SP 800-56A rev. 3
 * §5.6.2.3.4), used to validate a subscription's `p256dh` synchronously. The encryption path
 * additionally imports the point with WebCrypto, which performs the same check.
 *
 * Only public data passes through here, so the arithmetic needs no constant-time care.
 *
 * @module
 */

// SEC 2 v2 §2.4.2: the domain parameters of secp256r1 (= NIST P-256), with a = p - 3.
const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn
const B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn

function readCoordinate(point: Uint8Array, offset: number): bigint {
  let value = 0n
  for (let i = offset; i < offset + 32; i++) value = (value << 8n) | BigInt(point[i] ?? 0)
  return value
}

/**
 * Whether `point` is a 65-byte uncompressed encoding (`0x04 || X || Y`, SEC 1 §2.3.3) of a point
 * on P-256: both coordinates below `p` and `y² = x³ - 3x + b (mod p)`. P-256 has cofactor 1, so
 * a point on the curve is in the prime-order group; the point at infinity has no such encoding.
 *
 * @param point - The candidate encoding.
 * @returns `true` for a valid public key.
 */
export function isP256PublicKey(point: Uint8Array): boolean {
  if (point.length !== 65 || point[0] !== 0x04) return false
  const x = readCoordinate(point, 1)
  const y = readCoordinate(point, 33)
  if (x >= P || y >= P) return false
  const left = (y * y) % P
  const right = (((x * x) % P) * x - 3n * x + B) % P
  return left === (right + P) % P
}
