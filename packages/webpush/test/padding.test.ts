import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  MAX_AESGCM_PAYLOAD_BYTES,
  MAX_BODY_BYTES,
  MAX_PAYLOAD_BYTES,
  encryptedBodySize,
  maxPayloadBytes,
  paddingLength,
  type ContentEncoding,
  type PaddingStrategy,
} from '../src/padding.ts'

describe('payload budget', () => {
  it('MAX_PAYLOAD_BYTES is 4096 - 86 (header) - 1 (delimiter) - 16 (tag) (RFC 8291 §4)', () => {
    expect(MAX_PAYLOAD_BYTES).toBe(4096 - 86 - 1 - 16)
    expect(maxPayloadBytes()).toBe(MAX_PAYLOAD_BYTES)
    expect(encryptedBodySize(MAX_PAYLOAD_BYTES)).toBe(MAX_BODY_BYTES)
  })

  it('MAX_AESGCM_PAYLOAD_BYTES is 4096 - 2 (pad length) - 16 (tag)', () => {
    expect(MAX_AESGCM_PAYLOAD_BYTES).toBe(4078)
    expect(maxPayloadBytes({ contentEncoding: 'aesgcm' })).toBe(4078)
    expect(encryptedBodySize(4078, { contentEncoding: 'aesgcm' })).toBe(4096)
  })

  it('a smaller budget shrinks the payload room', () => {
    expect(maxPayloadBytes({ maxBodyBytes: 3000 })).toBe(2897)
    expect(maxPayloadBytes({ maxBodyBytes: 50 })).toBe(0)
  })
})

describe('paddingLength', () => {
  it('none, bucket and max', () => {
    expect(paddingLength(10, 'none')).toBe(0)
    expect(paddingLength(10, { bucket: 64 })).toBe(54)
    expect(paddingLength(64, { bucket: 64 })).toBe(0)
    expect(paddingLength(0, { bucket: 64 })).toBe(64)
    expect(paddingLength(10, 'max')).toBe(MAX_PAYLOAD_BYTES - 10)
  })

  it('never grows a body past the padding budget, and never below the payload', () => {
    const strategy = fc.oneof(
      fc.constant<PaddingStrategy>('none'),
      fc.constant<PaddingStrategy>('max'),
      fc.integer({ min: 1, max: 4096 }).map((bucket): PaddingStrategy => ({ bucket })),
    )
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4096 }),
        strategy,
        fc.constantFrom<ContentEncoding>('aes128gcm', 'aesgcm'),
        fc.integer({ min: 103, max: 4096 }),
        (length, padding, contentEncoding, budget) => {
          const pad = paddingLength(length, padding, { contentEncoding, paddingBudget: budget })
          expect(pad).toBeGreaterThanOrEqual(0)
          const body = encryptedBodySize(length, { contentEncoding, padding: pad })
          // Padding only ever fills up to the budget; a payload already past it gets none.
          if (pad > 0) expect(body).toBeLessThanOrEqual(budget)
          if (
            padding === 'max' &&
            length <= maxPayloadBytes({ contentEncoding, maxBodyBytes: budget })
          ) {
            expect(body).toBe(budget)
          }
        },
      ),
      { numRuns: 300 },
    )
  })
})
