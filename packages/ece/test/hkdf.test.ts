// The public synchronous HKDF-SHA-256 (RFC 5869): the RFC's SHA-256 test cases (A.1–A.3), and
// byte equality with WebCrypto's HKDF over random salts, IKMs, infos and output lengths (salts and
// keys longer than the 64-octet block, multi-block infos, outputs of many HashLen blocks).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { hkdf, type HkdfOptions } from '../src/index.js'
import { hkdfExpandInto, hkdfExtract } from '../src/internal/hkdf.js'
import { hmacSha256 } from '../src/internal/sha256.js'
import { fromHex, toHex } from './helpers.js'
import data from './vectors/rfc5869.json' with { type: 'json' }

async function webCryptoHkdf(
  salt: Uint8Array<ArrayBuffer>,
  ikm: Uint8Array<ArrayBuffer>,
  info: Uint8Array<ArrayBuffer>,
  length: number,
): Promise<string> {
  const key = await crypto.subtle.importKey('raw', ikm, 'HKDF', false, ['deriveBits'])
  const bits = await crypto.subtle.deriveBits(
    { name: 'HKDF', hash: 'SHA-256', salt, info },
    key,
    length * 8,
  )
  return toHex(new Uint8Array(bits))
}

describe('hkdf (RFC 5869)', () => {
  for (const vector of data.vectors) {
    const { input, output } = vector
    it(`${vector.id}: ${vector.source.section}`, () => {
      const okm = hkdf({
        salt: fromHex(input.salt),
        ikm: fromHex(input.ikm),
        info: fromHex(input.info),
        length: input.length,
      })
      expect(toHex(okm)).toBe(output.okm)
      // PRK = HMAC-Hash(salt, IKM) (§2.2); an empty salt is HashLen zeros.
      const salt = input.salt === '' ? new Uint8Array(32) : fromHex(input.salt)
      expect(toHex(hmacSha256(salt, fromHex(input.ikm)))).toBe(output.prk)
    })
  }

  it('equals WebCrypto HKDF for random inputs and lengths', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 150 }),
          fc.constantFrom(64, 65).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
        ),
        fc.uint8Array({ maxLength: 150 }),
        fc.uint8Array({ maxLength: 300 }),
        fc.oneof(
          fc.integer({ min: 1, max: 70 }),
          fc.integer({ min: 1, max: 1000 }),
          fc.constantFrom(12, 16, 32, 33, 64, 8159, 8160),
        ),
        async (salt, ikm, info, length) => {
          const okm = hkdf({ salt, ikm, info, length })
          expect(okm.length).toBe(length)
          expect(toHex(okm)).toBe(await webCryptoHkdf(salt, ikm, info, length))
        },
      ),
      { numRuns: 200 },
    )
  })

  it('shorter outputs are prefixes of longer ones, and expansions can share one extract', () => {
    const salt = fromHex('00112233')
    const ikm = fromHex('aabbccddeeff')
    const info = fromHex('0102')
    const long = hkdf({ salt, ikm, info, length: 100 })
    for (const length of [1, 31, 32, 33, 64, 65]) {
      expect(toHex(hkdf({ salt, ikm, info, length }))).toBe(toHex(long.subarray(0, length)))
    }
    const prk = hkdfExtract(salt, ikm)
    const out = new Uint8Array(110).fill(0xee)
    hkdfExpandInto(prk, info, 100, out, 10)
    hkdfExpandInto(prk, info, 5, out, 0)
    expect(toHex(out.subarray(10))).toBe(toHex(long))
    expect(toHex(out.subarray(0, 5))).toBe(toHex(long.subarray(0, 5)))
  })

  it('leaves its inputs unchanged and returns a fresh array each time', () => {
    const salt = crypto.getRandomValues(new Uint8Array(16))
    const ikm = crypto.getRandomValues(new Uint8Array(32))
    const info = crypto.getRandomValues(new Uint8Array(29))
    const copies = [salt, ikm, info].map((bytes) => toHex(bytes))
    const a = hkdf({ salt, ikm, info, length: 16 })
    const b = hkdf({ salt, ikm, info, length: 16 })
    expect(a).not.toBe(b)
    expect(toHex(a)).toBe(toHex(b))
    expect([salt, ikm, info].map((bytes) => toHex(bytes))).toEqual(copies)
  })

  it('accepts views at an offset', async () => {
    const backing = crypto.getRandomValues(new Uint8Array(200))
    const salt = backing.subarray(3, 19)
    const ikm = backing.subarray(50, 82)
    const info = backing.subarray(100, 190)
    expect(toHex(hkdf({ salt, ikm, info, length: 45 }))).toBe(
      await webCryptoHkdf(salt.slice(), ikm.slice(), info.slice(), 45),
    )
  })

  it('throws TypeError for wrong types and unknown options', () => {
    const ok: HkdfOptions = {
      salt: new Uint8Array(16),
      ikm: new Uint8Array(32),
      info: new Uint8Array(0),
      length: 32,
    }
    const call = (options: unknown) => () => hkdf(options as HkdfOptions)
    expect(call(undefined)).toThrow(TypeError)
    expect(call(null)).toThrow(TypeError)
    expect(call({ ...ok, salt: 'salt' })).toThrow(TypeError)
    expect(call({ ...ok, ikm: [1, 2, 3] })).toThrow(TypeError)
    expect(call({ ...ok, info: undefined })).toThrow(TypeError)
    expect(call({ ...ok, length: '32' })).toThrow(TypeError)
    expect(call({ ...ok, hash: 'SHA-512' })).toThrow(TypeError)
  })

  it('throws RangeError for a length outside 1 to 255 × 32 (RFC 5869 §2.3)', () => {
    const base = { salt: new Uint8Array(0), ikm: new Uint8Array(1), info: new Uint8Array(0) }
    for (const length of [0, -1, 8161, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => hkdf({ ...base, length })).toThrow(RangeError)
    }
    expect(hkdf({ ...base, length: 8160 })).toHaveLength(8160)
  })
})
