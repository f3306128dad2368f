// The synchronous SHA-256 and HMAC-SHA-256 under the key schedules: the published examples of
// FIPS 180-4 (NIST) and RFC 4231, then differential properties against WebCrypto over random
// lengths that cross the 55/56/64-octet padding boundaries, multi-block messages and keys longer
// than the 64-octet block (which RFC 2104 §2 hashes first).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  hmacFinish,
  hmacKey,
  hmacSha256,
  hmacStart,
  hmacUpdate,
  hmacUpdateByte,
  sha256,
} from '../src/internal/sha256.js'
import { fromHex, toHex, utf8 } from './helpers.js'
import data from './vectors/sha256.json' with { type: 'json' }

interface Message {
  utf8?: string
  utf8Repeat?: { text: string; count: number }
}

function message(value: Message): Uint8Array<ArrayBuffer> {
  if (value.utf8Repeat !== undefined) {
    return utf8(value.utf8Repeat.text.repeat(value.utf8Repeat.count))
  }
  return utf8(value.utf8 ?? '')
}

async function webCryptoSha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)))
}

async function webCryptoHmac(
  key: Uint8Array<ArrayBuffer>,
  bytes: Uint8Array<ArrayBuffer>,
): Promise<string> {
  const imported = await crypto.subtle.importKey(
    'raw',
    key,
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  )
  return toHex(new Uint8Array(await crypto.subtle.sign('HMAC', imported, bytes)))
}

/** Lengths around the padding boundaries (55, 56, 64) plus multi-block ones. */
const length = fc.oneof(
  fc.integer({ min: 0, max: 130 }),
  fc.constantFrom(55, 56, 63, 64, 65, 119, 120, 127, 128, 129),
  fc.integer({ min: 130, max: 1200 }),
)

/** HMAC keys around the block size: up to 64 octets they are padded, beyond it hashed. */
const hmacKeyBytes = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 200 }),
  fc
    .constantFrom(1, 32, 63, 64, 65, 128, 129)
    .chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
)

describe('SHA-256 (FIPS 180-4)', () => {
  for (const vector of data.sha256) {
    it(`${vector.id}: ${vector.source.document}`, () => {
      expect(toHex(sha256(message(vector.message)))).toBe(vector.digest)
    })
  }

  it('equals WebCrypto SHA-256 for random messages', async () => {
    await fc.assert(
      fc.asyncProperty(
        length.chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
        async (bytes) => {
          expect(toHex(sha256(bytes))).toBe(await webCryptoSha256(bytes))
        },
      ),
      { numRuns: 200 },
    )
  })

  it('hashes a view at an offset and leaves the input unchanged', async () => {
    const backing = crypto.getRandomValues(new Uint8Array(300))
    const copy = backing.slice()
    const view = backing.subarray(7, 250)
    expect(toHex(sha256(view))).toBe(await webCryptoSha256(view.slice()))
    expect(toHex(backing)).toBe(toHex(copy))
  })
})

describe('HMAC-SHA-256 (RFC 2104, RFC 4231)', () => {
  for (const vector of data.hmacSha256) {
    it(`${vector.id}: ${vector.source.section}`, () => {
      expect(toHex(hmacSha256(fromHex(vector.key), message(vector.data)))).toBe(vector.mac)
    })
  }

  it('equals WebCrypto HMAC for random keys (up to 3 blocks) and messages', async () => {
    await fc.assert(
      fc.asyncProperty(
        hmacKeyBytes,
        length.chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
        async (key, bytes) => {
          expect(toHex(hmacSha256(key, bytes))).toBe(await webCryptoHmac(key, bytes))
        },
      ),
      { numRuns: 200 },
    )
  })

  it('an empty key is the all-zero block (RFC 2104 §2 zero padding)', () => {
    const bytes = utf8('message')
    expect(toHex(hmacSha256(new Uint8Array(0), bytes))).toBe(
      toHex(hmacSha256(new Uint8Array(64), bytes)),
    )
  })

  it('gives the same MAC however the message is fed, and a prepared key is reusable', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 100 }),
        fc.array(fc.uint8Array({ maxLength: 90 }), { maxLength: 6 }),
        fc.integer({ min: 0, max: 255 }),
        async (key, parts, last) => {
          const whole = new Uint8Array([...parts.flatMap((part) => [...part]), last])
          const expected = await webCryptoHmac(key, whole)
          const prepared = hmacKey(key)
          for (let round = 0; round < 2; round += 1) {
            const out = new Uint8Array(32)
            hmacStart(prepared)
            for (const part of parts) hmacUpdate(part)
            hmacUpdateByte(last)
            hmacFinish(prepared, out)
            expect(toHex(out)).toBe(expected)
          }
        },
      ),
      { numRuns: 150 },
    )
  })

  it('writes a truncated MAC at an offset without touching the rest of the output', () => {
    const key = utf8('key')
    const bytes = utf8('data')
    const full = hmacSha256(key, bytes)
    const out = new Uint8Array(40).fill(0xee)
    const prepared = hmacKey(key)
    hmacStart(prepared)
    hmacUpdate(bytes)
    hmacFinish(prepared, out, 5, 13)
    expect(toHex(out.subarray(5, 18))).toBe(toHex(full.subarray(0, 13)))
    expect([...out.subarray(0, 5), ...out.subarray(18)].every((b) => b === 0xee)).toBe(true)
  })
})
