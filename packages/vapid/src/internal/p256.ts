/**
 * The little P-256 arithmetic VAPID key import needs and WebCrypto does not offer (SEC 1 §2.2.1,
 * FIPS 186-5 / SP 800-186 §3.2.1.3 curve parameters):
 *
 * - deriving the public point `Q = d·G` from a private scalar when a key arrives without its public
 *   half (a raw 32-byte key, or a SEC 1 / PKCS #8 key without the optional `publicKey`), because
 *   WebCrypto can import a JWK only with `x` and `y`;
 * - validating that an encoded point lies on the curve (SEC 1 §3.2.2.1), and decompressing
 *   compressed points (SEC 1 §2.3.4).
 *
 * Signing never comes here: it stays in WebCrypto through jose. The scalar multiplication runs
 * once per key import. It is a Montgomery ladder with the same sequence of operations for every
 * scalar (one addition and one doubling per bit, all 256 bits), but JavaScript `BigInt` arithmetic
 * is not constant-time, so it is not meant for anything that runs per message.
 *
 * @module
 */

import type { Bytes } from './bytes.js'
import { bigIntToBytes, bytesToBigInt } from './bytes.js'

/** Field prime p of P-256. */
export const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn
/** Group order n of P-256. */
export const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n
// Curve y² = x³ - 3x + b.
const B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn
const GX = 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n
const GY = 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n

/** An affine point (never the point at infinity). */
export interface AffinePoint {
  readonly x: bigint
  readonly y: bigint
}

// Jacobian coordinates (X/Z², Y/Z³); Z = 0 is the point at infinity.
interface JacobianPoint {
  readonly x: bigint
  readonly y: bigint
  readonly z: bigint
}

const INFINITY: JacobianPoint = { x: 0n, y: 1n, z: 0n }

function mod(a: bigint, m: bigint = P): bigint {
  const r = a % m
  return r < 0n ? r + m : r
}

function power(base: bigint, exponent: bigint, m: bigint = P): bigint {
  let result = 1n
  let b = mod(base, m)
  let e = exponent
  while (e > 0n) {
    if (e & 1n) result = (result * b) % m
    b = (b * b) % m
    e >>= 1n
  }
  return result
}

// Doubling with a = -3 (M = 3(X - Z²)(X + Z²)).
function double(point: JacobianPoint): JacobianPoint {
  if (point.z === 0n || point.y === 0n) return INFINITY
  const { x, y, z } = point
  const zz = mod(z * z)
  const yy = mod(y * y)
  const m = mod(3n * (x - zz) * (x + zz))
  const s = mod(4n * x * yy)
  const x3 = mod(m * m - 2n * s)
  const y3 = mod(m * (s - x3) - 8n * yy * yy)
  const z3 = mod(2n * y * z)
  return { x: x3, y: y3, z: z3 }
}

function add(p1: JacobianPoint, p2: JacobianPoint): JacobianPoint {
  if (p1.z === 0n) return p2
  if (p2.z === 0n) return p1
  const z1z1 = mod(p1.z * p1.z)
  const z2z2 = mod(p2.z * p2.z)
  const u1 = mod(p1.x * z2z2)
  const u2 = mod(p2.x * z1z1)
  const s1 = mod(p1.y * p2.z * z2z2)
  const s2 = mod(p2.y * p1.z * z1z1)
  const h = mod(u2 - u1)
  const r = mod(s2 - s1)
  if (h === 0n) return r === 0n ? double(p1) : INFINITY
  const hh = mod(h * h)
  const hhh = mod(hh * h)
  const v = mod(u1 * hh)
  const x3 = mod(r * r - hhh - 2n * v)
  const y3 = mod(r * (v - x3) - s1 * hhh)
  const z3 = mod(h * p1.z * p2.z)
  return { x: x3, y: y3, z: z3 }
}

function toAffine(point: JacobianPoint): AffinePoint | undefined {
  if (point.z === 0n) return undefined
  const zInverse = power(point.z, P - 2n) // Fermat: z^(p-2) = z^-1 mod p
  const zz = mod(zInverse * zInverse)
  return { x: mod(point.x * zz), y: mod(point.y * zz * zInverse) }
}

/** `true` when `scalar` is a valid private key: 1 ≤ d ≤ n - 1 (SEC 1 §3.2.1). */
export function isValidScalar(scalar: bigint): boolean {
  return scalar > 0n && scalar < N
}

/**
 * `d·G` by a Montgomery ladder over all 256 bits. The caller checks {@link isValidScalar} first,
 * so the result is never the point at infinity.
 */
export function multiplyBase(scalar: bigint): AffinePoint {
  let r0 = INFINITY
  let r1: JacobianPoint = { x: GX, y: GY, z: 1n }
  for (let i = 255n; i >= 0n; i--) {
    // Invariant: r1 = r0 + G. Each step does one addition and one doubling, whatever the bit.
    const bit = (scalar >> i) & 1n
    const sum = add(r0, r1)
    if (bit === 1n) {
      r0 = sum
      r1 = double(r1)
    } else {
      r1 = sum
      r0 = double(r0)
    }
  }
  const result = toAffine(r0)
  if (result === undefined) throw new RangeError('scalar must be in [1, n - 1]')
  return result
}

/** `true` when (x, y) satisfies y² = x³ - 3x + b with both coordinates in [0, p). */
export function isOnCurve(point: AffinePoint): boolean {
  const { x, y } = point
  if (x < 0n || x >= P || y < 0n || y >= P) return false
  return mod(y * y) === mod(x * x * x - 3n * x + B)
}

/**
 * Decodes a SEC 1 §2.3.4 point: 65-byte uncompressed (`0x04 || X || Y`) or, when
 * `allowCompressed`, 33-byte compressed (`0x02`/`0x03 || X`). Returns `undefined` for any other
 * length or prefix, coordinates ≥ p, or a point off the curve.
 */
export function decodePoint(bytes: Uint8Array, allowCompressed: boolean): AffinePoint | undefined {
  if (bytes.length === 65 && bytes[0] === 0x04) {
    const point = { x: bytesToBigInt(bytes.subarray(1, 33)), y: bytesToBigInt(bytes.subarray(33)) }
    return isOnCurve(point) ? point : undefined
  }
  if (allowCompressed && bytes.length === 33 && (bytes[0] === 0x02 || bytes[0] === 0x03)) {
    const x = bytesToBigInt(bytes.subarray(1))
    if (x >= P) return undefined
    const rhs = mod(x * x * x - 3n * x + B)
    // p ≡ 3 (mod 4), so a square root is rhs^((p + 1) / 4) when one exists.
    let y = power(rhs, (P + 1n) / 4n)
    if (mod(y * y) !== rhs) return undefined
    if ((y & 1n) !== BigInt(bytes[0] & 1)) y = P - y
    return { x, y }
  }
  return undefined
}

/** The 65-byte uncompressed encoding `0x04 || X || Y` (SEC 1 §2.3.3). */
export function encodePoint(point: AffinePoint): Bytes {
  const out = new Uint8Array(65)
  out[0] = 0x04
  out.set(bigIntToBytes(point.x, 32), 1)
  out.set(bigIntToBytes(point.y, 32), 33)
  return out
}
