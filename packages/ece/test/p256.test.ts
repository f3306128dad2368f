// The P-256 point check of the aesgcm DH context (SEC 1 §2.3.4, y² = x³ − 3x + b mod p) agrees with
// WebCrypto's own validation on valid and mutated points, also for views at an offset.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isP256PublicKey } from '../src/internal/p256.js'

async function webCryptoAccepts(point: Uint8Array<ArrayBuffer>): Promise<boolean> {
  const algorithm = { name: 'ECDH', namedCurve: 'P-256' }
  return crypto.subtle.importKey('raw', point, algorithm, true, []).then(
    () => true,
    () => false,
  )
}

async function freshPoint(): Promise<Uint8Array<ArrayBuffer>> {
  const pair = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, [
    'deriveBits',
  ])
  return new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey))
}

describe('isP256PublicKey', () => {
  it('agrees with WebCrypto on valid points and on points with flipped bits', async () => {
    const point = await freshPoint()
    expect(isP256PublicKey(point)).toBe(true)
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 255 }),
        async (index, flip) => {
          const mutated = point.slice()
          mutated[index]! ^= flip
          expect(isP256PublicKey(mutated)).toBe(await webCryptoAccepts(mutated))
        },
      ),
      { numRuns: 100 },
    )
  })

  it('reads views at any offset of a larger buffer', async () => {
    const point = await freshPoint()
    for (const offset of [1, 3, 8, 13]) {
      const backing = new Uint8Array(offset + 65 + 5).fill(0xaa)
      backing.set(point, offset)
      expect(isP256PublicKey(backing.subarray(offset, offset + 65))).toBe(true)
      backing[offset + 64] = backing[offset + 64]! ^ 1
      expect(isP256PublicKey(backing.subarray(offset, offset + 65))).toBe(false)
    }
  })

  it('rejects coordinates at or above p, the compressed form and wrong lengths', async () => {
    const huge = new Uint8Array(65).fill(0xff)
    huge[0] = 4
    expect(isP256PublicKey(huge)).toBe(false)
    const point = await freshPoint()
    const compressed = point.slice(0, 33)
    compressed[0] = 2 + (point[64]! & 1)
    expect(isP256PublicKey(compressed)).toBe(false)
    expect(isP256PublicKey(point.subarray(0, 64))).toBe(false)
    const prefixed = point.slice()
    prefixed[0] = 6
    expect(isP256PublicKey(prefixed)).toBe(false)
  })
})
