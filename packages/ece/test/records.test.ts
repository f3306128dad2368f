// Record layout, padding spread, delimiters (RFC 8188 §2) and the aesgcm final record
// (draft-ietf-httpbis-encryption-encoding-03 §2); per-record nonces (RFC 8188 §2.3).
import { describe, expect, it } from 'vitest'
import { writeRecordNonce } from '../src/key-schedule.js'
import {
  planRecords,
  recordContent,
  recordFormat,
  writeRecordPlaintexts,
  type RecordFormat,
  type RecordPlan,
} from '../src/records.js'
import { bytes, expectThrowCode, fromHex, toHex } from './helpers.js'

/** Per-record [content, padding] of a plan, read back from the staged plaintexts. */
function layout(plan: RecordPlan): [number, number][] {
  const { format } = plan
  const content = bytes(plan.contentLength, 9).map((b) => b | 1) // no zero octets
  const target = new Uint8Array(plan.length)
  writeRecordPlaintexts(plan, content, target, 0)
  const out: [number, number][] = []
  for (let i = 0; i < plan.count; i += 1) {
    const start = i * format.recordLength
    const record = target.subarray(start, Math.min(start + format.recordLength, target.length) - 16)
    if (format.coding === 'aes128gcm') {
      let end = record.length - 1
      while (record[end] === 0) end -= 1
      expect(record[end]).toBe(i === plan.count - 1 ? 2 : 1)
      out.push([end, record.length - end - 1])
    } else {
      const pad = (record[0]! << 8) | record[1]!
      out.push([record.length - 2 - pad, pad])
    }
  }
  return out
}

describe('planRecords', () => {
  it('RFC 8188 §3.2: rs 25, 15 octets, 1 padding → 7+1 pad, 8', () => {
    const plan = planRecords(recordFormat('aes128gcm', 25), 15, 1)
    expect(plan.count).toBe(2)
    expect(layout(plan)).toEqual([
      [7, 1],
      [8, 0],
    ])
  })

  it('draft-03 §5.2: rs 10, 15 octets, 1 padding → 7+1, 8, and a final empty record', () => {
    const plan = planRecords(recordFormat('aesgcm', 10), 15, 1)
    expect(plan.count).toBe(3)
    expect(layout(plan)).toEqual([
      [7, 1],
      [8, 0],
      [0, 0],
    ])
  })

  it('empty content is one record (17 octets aes128gcm, 18 aesgcm)', () => {
    expect(planRecords(recordFormat('aes128gcm', 4096), 0, 0)).toMatchObject({
      count: 1,
      length: 17,
    })
    expect(planRecords(recordFormat('aesgcm', 4096), 0, 0)).toMatchObject({ count: 1, length: 18 })
  })

  it('aes128gcm content filling the last record exactly needs no extra record', () => {
    const plan = planRecords(recordFormat('aes128gcm', 18), 3, 0)
    expect(plan.count).toBe(3)
    expect(plan.length).toBe(3 * 18)
  })

  it('aesgcm content filling the last record exactly gets an extra record', () => {
    expect(planRecords(recordFormat('aesgcm', 3), 3, 0).count).toBe(4)
    expect(planRecords(recordFormat('aesgcm', 4096), 4094, 0).count).toBe(2)
    expect(planRecords(recordFormat('aesgcm', 4096), 4093, 0).count).toBe(1)
    expect(planRecords(recordFormat('aesgcm', 4096), 4093, 1).count).toBe(2)
  })

  it('spreads padding without overflowing a record; all records but the last are full', () => {
    for (const [coding, rs] of [
      ['aes128gcm', 18],
      ['aes128gcm', 19],
      ['aes128gcm', 40],
      ['aesgcm', 3],
      ['aesgcm', 4],
      ['aesgcm', 30],
    ] as const) {
      const format = recordFormat(coding, rs)
      for (const length of [0, 1, 5, 23, 64]) {
        for (const padding of [0, 1, 2, 22, 23, 100]) {
          const plan = planRecords(format, length, padding)
          const records = layout(plan)
          expect(records.reduce((s, r) => s + r[0], 0)).toBe(length)
          expect(records.reduce((s, r) => s + r[1], 0)).toBe(padding)
          for (const [i, [content, pad]] of records.entries()) {
            expect(content + pad).toBeLessThanOrEqual(format.capacity)
            if (i < records.length - 1) expect(content + pad).toBe(format.capacity)
          }
          if (coding === 'aesgcm') {
            const [content, pad] = records.at(-1)!
            expect(content + pad).toBeLessThan(format.capacity)
          }
          expect(plan.length).toBe(length + padding + plan.count * format.overhead)
        }
      }
    }
  })

  it('aesgcm caps padding at 65535 per record; unspreadable padding is a RangeError', () => {
    const format = recordFormat('aesgcm', 70_000)
    expect(format.maxRecordPadding).toBe(65535)
    // One record can hold 65535 padding plus content.
    expect(planRecords(format, 10, 65535).count).toBe(1)
    // 70000 padding would need a second record, but the first cannot be full without content.
    expect(() => planRecords(format, 0, 70_000)).toThrow(RangeError)
    // With enough content to fill the first record it works.
    const plan = planRecords(format, 5000, 70_000)
    expect(plan.count).toBe(2)
  })
})

describe('writeRecordNonce', () => {
  const base = fromHex('00112233445566778899aabb')
  const reference = (seq: bigint): string =>
    (BigInt('0x' + toHex(base)) ^ seq).toString(16).padStart(24, '0')
  const nonce = (seq: number, from = base): string => {
    const target = new Uint8Array(12)
    writeRecordNonce(from, seq, target)
    return toHex(target)
  }

  it('record 0 uses the base nonce; record i uses base XOR i (96-bit big-endian)', () => {
    for (const seq of [0, 1, 2, 255, 256, 65535, 0x7fffffff, 0xffffffff]) {
      expect(nonce(seq)).toBe(reference(BigInt(seq)))
    }
  })

  it('handles sequence numbers beyond 32 bits', () => {
    for (const seq of [2 ** 32, 2 ** 32 + 5, 2 ** 40 + 123, Number.MAX_SAFE_INTEGER]) {
      expect(nonce(seq)).toBe(reference(BigInt(seq)))
    }
  })

  it('reads a base nonce at a non-zero offset and overwrites the whole target', () => {
    const backing = new Uint8Array(20)
    backing.set(base, 5)
    const target = new Uint8Array(12).fill(0xee)
    writeRecordNonce(backing.subarray(5, 17), 1, target)
    expect(toHex(target)).toBe(reference(1n))
  })
})

/** Content of authenticated record plaintexts, checked in order (the decrypt loop's rules). */
function joinContent(format: RecordFormat, records: Uint8Array[]): Uint8Array {
  const parts = records.map((record, index) => {
    const [from, to] = recordContent(format, record, index === records.length - 1)
    return record.subarray(from, to)
  })
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

describe('recordContent (after authentication)', () => {
  const a128 = recordFormat('aes128gcm', 20) // 4 octets of plaintext per full record
  const ag = recordFormat('aesgcm', 4)

  it('aes128gcm: strips delimiters and padding', () => {
    const out = joinContent(a128, [fromHex('61620100'), fromHex('630200')])
    expect(toHex(out)).toBe('616263')
  })

  it('aes128gcm: delimiter rules', () => {
    expectThrowCode(() => joinContent(a128, [fromHex('000000')]), 'ERR_ECE_INVALID_PADDING')
    expectThrowCode(() => joinContent(a128, [fromHex('')]), 'ERR_ECE_INVALID_PADDING')
    expectThrowCode(() => joinContent(a128, [fromHex('6101')]), 'ERR_ECE_TRUNCATED')
    expectThrowCode(() => joinContent(a128, [fromHex('6103')]), 'ERR_ECE_INVALID_PADDING')
    expectThrowCode(
      () => joinContent(a128, [fromHex('61020000'), fromHex('02')]),
      'ERR_ECE_INVALID_PADDING',
    )
    expectThrowCode(
      () => joinContent(a128, [fromHex('61050000'), fromHex('02')]),
      'ERR_ECE_INVALID_PADDING',
    )
    expectThrowCode(() => joinContent(a128, [fromHex('61020500')]), 'ERR_ECE_INVALID_PADDING')
    expect(toHex(joinContent(a128, [fromHex('02')]))).toBe('')
  })

  it('aesgcm: strips the padding length and padding', () => {
    const out = joinContent(ag, [fromHex('00010061'), fromHex('000062')])
    expect(toHex(out)).toBe('6162')
    expect(toHex(joinContent(ag, [fromHex('0000')]))).toBe('')
  })

  it('aesgcm: padding rules', () => {
    expectThrowCode(() => joinContent(ag, [fromHex('000300')]), 'ERR_ECE_INVALID_PADDING')
    expectThrowCode(() => joinContent(ag, [fromHex('ffff00')]), 'ERR_ECE_INVALID_PADDING')
    expectThrowCode(() => joinContent(ag, [fromHex('00020001')]), 'ERR_ECE_INVALID_PADDING')
    expectThrowCode(
      () => joinContent(ag, [fromHex('00010161'), fromHex('0000')]),
      'ERR_ECE_INVALID_PADDING',
    )
    expect(toHex(joinContent(ag, [fromHex('00020000')]))).toBe('')
  })
})
