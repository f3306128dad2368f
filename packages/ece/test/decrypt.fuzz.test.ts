// Fuzzing with an error allow-list (undici's pattern): on mutated or arbitrary input, decrypt and
// the parsers either succeed (never with different content: authenticity) or throw EceError;
// nothing else, no hang.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  decrypt,
  decryptAesgcm,
  EceError,
  encrypt,
  encryptAesgcm,
  parseAesgcmHeaders,
  parseHeader,
} from '../src/index.js'
import { bytes, toHex } from './helpers.js'

const NUM_RUNS = 200
const key = bytes(16, 77)

/** Applies a list of edits to a copy of `body`. */
type Edit =
  | { kind: 'flip'; at: number; mask: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; data: Uint8Array }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'set'; at: number; value: number }

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.nat(),
    mask: fc.integer({ min: 1, max: 255 }),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    data: fc.uint8Array({ minLength: 1, maxLength: 40 }),
  }),
  fc.record({
    kind: fc.constant('delete' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 40 }),
  }),
  // Header fields: rs (16..19) and idlen (20) get extreme values.
  fc.record({
    kind: fc.constant('set' as const),
    at: fc.integer({ min: 16, max: 20 }),
    value: fc.constantFrom(0, 1, 17, 18, 255),
  }),
)

function mutate(body: Uint8Array, edits: Edit[]): Uint8Array {
  let out = new Uint8Array(body)
  for (const e of edits) {
    const at = out.length === 0 ? 0 : e.at % (out.length + 1)
    switch (e.kind) {
      case 'flip':
        if (at < out.length) out[at]! ^= e.mask
        break
      case 'truncate':
        out = out.slice(0, at)
        break
      case 'insert': {
        const next = new Uint8Array(out.length + e.data.length)
        next.set(out.subarray(0, at))
        next.set(e.data, at)
        next.set(out.subarray(at), at + e.data.length)
        out = next
        break
      }
      case 'delete': {
        const next = new Uint8Array(out.subarray(0, at).length + out.subarray(at + e.length).length)
        next.set(out.subarray(0, at))
        next.set(out.subarray(at + e.length), at)
        out = next
        break
      }
      case 'set':
        if (e.at < out.length) out[e.at] = e.value
        break
    }
  }
  return out
}

/** Runs `attempt`; anything thrown must be an EceError. Returns the result or undefined. */
async function allowOnlyEceError<T>(attempt: () => Promise<T> | T): Promise<T | undefined> {
  try {
    return await attempt()
  } catch (error) {
    if (!(error instanceof EceError)) throw error
    expect(typeof error.code).toBe('string')
    return undefined
  }
}

describe('decrypt fuzzing', () => {
  it('aes128gcm: mutated bodies only ever throw EceError, never yield other content', async () => {
    const plaintext = bytes(150, 4)
    const bodies = await Promise.all(
      [18, 40, 4096].map((recordSize) =>
        encrypt(plaintext, { key, recordSize, padding: 9, keyId: 'kid' }),
      ),
    )
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...bodies),
        fc.array(edit, { minLength: 1, maxLength: 4 }),
        async (body, edits) => {
          const mutated = mutate(body, edits)
          const out = await allowOnlyEceError(() =>
            decrypt(mutated, { key, maxPlaintextSize: 1e6 }),
          )
          if (out !== undefined) expect(toHex(out)).toBe(toHex(plaintext))
          await allowOnlyEceError(() => parseHeader(mutated))
        },
      ),
      { numRuns: NUM_RUNS },
    )
  })

  it('aes128gcm: arbitrary bytes only ever throw EceError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (body) => {
        expect(await allowOnlyEceError(() => decrypt(body, { key }))).toBeUndefined()
      }),
      { numRuns: NUM_RUNS },
    )
  })

  it('aesgcm: mutated bodies and header-borne salt/rs only ever throw EceError', async () => {
    const plaintext = bytes(120, 8)
    const sent = await Promise.all(
      [3, 30, 4096].map((recordSize) => encryptAesgcm(plaintext, { key, recordSize, padding: 5 })),
    )
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...sent),
        fc.array(edit, { minLength: 0, maxLength: 3 }),
        fc.option(fc.oneof(fc.integer({ min: -5, max: 5000 }), fc.double()), { nil: undefined }),
        fc.option(fc.uint8Array({ maxLength: 20 }), { nil: undefined }),
        async (message, edits, recordSize, salt) => {
          const body = mutate(message.body, edits)
          const out = await allowOnlyEceError(() =>
            decryptAesgcm(body, {
              key,
              salt: salt ?? message.salt,
              recordSize: recordSize ?? message.recordSize,
            }),
          )
          if (out !== undefined) expect(toHex(out)).toBe(toHex(plaintext))
        },
      ),
      { numRuns: NUM_RUNS },
    )
  })

  it('parseAesgcmHeaders: arbitrary strings only ever throw EceError', async () => {
    const pieces = fc.constantFrom(
      'salt=',
      'rs=',
      'keyid=',
      'dh=',
      'p256ecdsa=',
      'aesgcm=',
      ';',
      ',',
      '"',
      '\\',
      ' ',
      '=',
      'lngarbyKfMoi9Z75xYXmkg',
      '4096',
      'BAAA',
      'a',
    )
    const field = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.array(pieces, { maxLength: 20 }).map((p) => p.join('')),
    )
    await fc.assert(
      fc.asyncProperty(
        field,
        fc.option(field, { nil: undefined }),
        async (encryption, cryptoKey) => {
          await allowOnlyEceError(() => parseAesgcmHeaders({ encryption, cryptoKey }))
        },
      ),
      { numRuns: NUM_RUNS * 2 },
    )
  })
})
