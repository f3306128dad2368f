// The internal P-256 helpers (src/internal/p256.ts) against published curve data (SEC 2 §2.4.2,
// FIPS 186-5) and against WebCrypto.
import { describe, expect, it } from 'vitest'
import { bytesToBigInt } from '../src/internal/bytes.ts'
import {
  decodePoint,
  encodePoint,
  isOnCurve,
  isValidScalar,
  multiplyBase,
  N,
  P,
} from '../src/internal/p256.ts'
import { base64UrlToBytes } from './helpers.ts'

const G = {
  x: 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n,
  y: 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n,
}

describe('P-256 scalar multiplication', () => {
  it('1·G = G and (n - 1)·G = -G', () => {
    expect(multiplyBase(1n)).toEqual(G)
    expect(multiplyBase(N - 1n)).toEqual({ x: G.x, y: P - G.y })
  })

  it('2·G and 3·G are the published multiples', () => {
    // Known multiples of the P-256 base point (e.g. the "P-256 test vectors" of NIST's point
    // multiplication examples, k = 2 and k = 3).
    expect(multiplyBase(2n)).toEqual({
      x: 0x7cf27b188d034f7e8a52380304b51ac3c08969e277f21b35a60b48fc47669978n,
      y: 0x07775510db8ed040293d9ac69f7430dbba7dade63ce982299e04b79d227873d1n,
    })
    expect(multiplyBase(3n)).toEqual({
      x: 0x5ecbe4d1a6330a44c8f7ef951d4bf165e6c6b721efada985fb41661bc6e7fd6cn,
      y: 0x8734640c4998ff7e374b06ce1a64a2ecd82ab036384fb83d9a79b127a27d5032n,
    })
  })

  it('matches WebCrypto for random keys', async () => {
    for (let i = 0; i < 8; i++) {
      const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
        'sign',
      ])
      const jwk = await crypto.subtle.exportKey('jwk', pair.privateKey)
      const point = multiplyBase(bytesToBigInt(base64UrlToBytes(jwk.d!)))
      expect(point.x).toBe(bytesToBigInt(base64UrlToBytes(jwk.x!)))
      expect(point.y).toBe(bytesToBigInt(base64UrlToBytes(jwk.y!)))
      expect(isOnCurve(point)).toBe(true)
    }
  })

  it('validates scalars', () => {
    expect(isValidScalar(0n)).toBe(false)
    expect(isValidScalar(1n)).toBe(true)
    expect(isValidScalar(N - 1n)).toBe(true)
    expect(isValidScalar(N)).toBe(false)
    expect(() => multiplyBase(N)).toThrow(RangeError)
    expect(() => multiplyBase(0n)).toThrow(RangeError)
  })
})

describe('P-256 point encoding (SEC 1 §2.3)', () => {
  it('round-trips uncompressed points and decompresses both parities', () => {
    for (const k of [1n, 2n, 3n, 12345n, N - 2n]) {
      const point = multiplyBase(k)
      const encoded = encodePoint(point)
      expect(encoded).toHaveLength(65)
      expect(decodePoint(encoded, false)).toEqual(point)
      const compressed = new Uint8Array([2 + Number(point.y & 1n), ...encoded.subarray(1, 33)])
      expect(decodePoint(compressed, true)).toEqual(point)
      expect(decodePoint(compressed, false)).toBeUndefined()
    }
  })

  it('rejects points off the curve or out of range', () => {
    expect(isOnCurve({ x: G.x, y: G.y + 1n })).toBe(false)
    expect(isOnCurve({ x: G.x + P, y: G.y })).toBe(false)
    expect(isOnCurve({ x: -1n, y: G.y })).toBe(false)
    const encoded = encodePoint(G)
    encoded[64] = encoded[64]! ^ 1
    expect(decodePoint(encoded, true)).toBeUndefined()
    expect(decodePoint(new Uint8Array(65), true)).toBeUndefined()
    expect(decodePoint(new Uint8Array(64), true)).toBeUndefined()
    const tooLarge = new Uint8Array(33).fill(0xff)
    tooLarge[0] = 2
    expect(decodePoint(tooLarge, true)).toBeUndefined()
  })
})
