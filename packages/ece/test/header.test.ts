// RFC 8188 §2.1 header: salt (16) | rs (uint32) | idlen (1) | keyid.
import { describe, expect, it } from 'vitest'
import { parseHeader } from '../src/index.js'
import { writeHeader } from '../src/header.js'
import { bytes, expectThrowCode, toHex } from './helpers.js'

function header(rs: number, keyId: Uint8Array, extra = 0): Uint8Array {
  const out = new Uint8Array(21 + keyId.length + extra)
  writeHeader(out, bytes(16, 7), rs, keyId)
  return out
}

describe('parseHeader', () => {
  it('reads salt, rs, keyid and the header length', () => {
    const keyId = bytes(65, 3)
    const body = header(4096, keyId, 30)
    const parsed = parseHeader(body)
    expect(toHex(parsed.salt)).toBe(toHex(bytes(16, 7)))
    expect(parsed.recordSize).toBe(4096)
    expect(toHex(parsed.keyId)).toBe(toHex(keyId))
    expect(parsed.headerLength).toBe(86)
  })

  it('writes rs big-endian', () => {
    const body = header(0x01020304, new Uint8Array(0))
    expect(toHex(body.subarray(16, 21))).toBe('0102030400')
    expect(parseHeader(body).recordSize).toBe(0x01020304)
  })

  it('accepts rs 18 and 2^32 − 1', () => {
    expect(parseHeader(header(18, new Uint8Array(0))).recordSize).toBe(18)
    expect(parseHeader(header(0xffffffff, new Uint8Array(0))).recordSize).toBe(0xffffffff)
  })

  it('rejects rs below 18 with ERR_ECE_INVALID_RECORD_SIZE', () => {
    for (const rs of [0, 1, 17]) {
      expectThrowCode(
        () => parseHeader(header(rs, new Uint8Array(0))),
        'ERR_ECE_INVALID_RECORD_SIZE',
      )
    }
  })

  it('accepts an empty keyid and a keyid of 255 octets', () => {
    expect(parseHeader(header(4096, new Uint8Array(0))).keyId).toHaveLength(0)
    const parsed = parseHeader(header(4096, bytes(255)))
    expect(parsed.keyId).toHaveLength(255)
    expect(parsed.headerLength).toBe(276)
  })

  it('rejects a header shorter than 21 octets', () => {
    const body = header(4096, new Uint8Array(0))
    for (let length = 0; length < 21; length += 1) {
      expectThrowCode(() => parseHeader(body.subarray(0, length)), 'ERR_ECE_INVALID_HEADER')
    }
  })

  it('rejects idlen running past the body, at every length', () => {
    const body = header(4096, bytes(40))
    for (let length = 21; length < 61; length += 1) {
      expectThrowCode(() => parseHeader(body.subarray(0, length)), 'ERR_ECE_INVALID_HEADER')
    }
    expect(parseHeader(body.subarray(0, 61)).headerLength).toBe(61)
  })

  it('returns copies: changing them does not change the body', () => {
    const body = header(4096, bytes(4))
    const before = toHex(body)
    const parsed = parseHeader(body)
    parsed.salt.fill(0)
    parsed.keyId.fill(0)
    expect(toHex(body)).toBe(before)
    expect(parsed.salt.buffer).not.toBe(body.buffer)
  })

  it('reads a header from a view at an offset', () => {
    const backing = new Uint8Array(100)
    backing.set(header(300, bytes(2)), 10)
    const parsed = parseHeader(backing.subarray(10))
    expect(parsed.recordSize).toBe(300)
    expect(toHex(parsed.salt)).toBe(toHex(bytes(16, 7)))
  })

  it('throws TypeError for a non-Uint8Array body', () => {
    expect(() => parseHeader('abc' as never)).toThrow(TypeError)
    expect(() => parseHeader([1, 2, 3] as never)).toThrow(TypeError)
    expect(() => parseHeader(new Uint16Array(30) as never)).toThrow(TypeError)
  })
})
