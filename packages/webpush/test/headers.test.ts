import { describe, expect, it } from 'vitest'
import {
  MANAGED_HEADERS,
  URGENCIES,
  isUrgency,
  isValidTopic,
  normalizeCustomHeaders,
  topicFromKey,
  validateTopic,
  validateTtl,
  validateUrgency,
} from '../src/headers.ts'

describe('TTL (RFC 8030 §5.2)', () => {
  it('accepts 0 to 2^31 - 1', () => {
    expect(validateTtl(0)).toBe(0)
    expect(validateTtl(2 ** 31 - 1)).toBe(2 ** 31 - 1)
  })
  it('refuses the rest', () => {
    expect(() => validateTtl(-1)).toThrow(RangeError)
    expect(() => validateTtl(2 ** 31)).toThrow(RangeError)
    expect(() => validateTtl(Number.NaN)).toThrow(TypeError)
    expect(() => validateTtl(null)).toThrow(TypeError)
  })
})

describe('Urgency (RFC 8030 §5.3)', () => {
  it('knows the four values, lowest first', () => {
    expect(URGENCIES).toEqual(['very-low', 'low', 'normal', 'high'])
    for (const urgency of URGENCIES) expect(validateUrgency(urgency)).toBe(urgency)
    expect(isUrgency('normal')).toBe(true)
    expect(isUrgency('Normal')).toBe(false)
  })
  it('refuses other values', () => {
    expect(() => validateUrgency('critical')).toThrow(RangeError)
    expect(() => validateUrgency(undefined)).toThrow(TypeError)
  })
})

describe('Topic (RFC 8030 §5.4)', () => {
  it('accepts 1 to 32 base64url characters', () => {
    expect(validateTopic('a')).toBe('a')
    expect(validateTopic('A'.repeat(32))).toBe('A'.repeat(32))
    expect(isValidTopic('x-y_z')).toBe(true)
    expect(isValidTopic('x.y')).toBe(false)
  })
  it('refuses empty, long and non-alphabet topics', () => {
    expect(() => validateTopic('')).toThrow(RangeError)
    expect(() => validateTopic('A'.repeat(33))).toThrow(RangeError)
    expect(() => validateTopic('ünïcode')).toThrow(RangeError)
    expect(() => validateTopic(12)).toThrow(TypeError)
  })
})

describe('topicFromKey', () => {
  it('hashes any key to a valid, stable 32-character topic', async () => {
    const topic = await topicFromKey('conversation:42 — with spaces & ünïcode')
    expect(topic).toHaveLength(32)
    expect(isValidTopic(topic)).toBe(true)
    expect(await topicFromKey('conversation:42 — with spaces & ünïcode')).toBe(topic)
    expect(await topicFromKey('conversation:43')).not.toBe(topic)
  })
  it('is SHA-256 truncated to 24 octets, base64url', async () => {
    // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
    const expected = Buffer.from(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9c',
      'hex',
    ).toString('base64url')
    expect(await topicFromKey('abc')).toBe(expected)
    expect(await topicFromKey(new TextEncoder().encode('abc'))).toBe(expected)
  })
  it('refuses other key types', async () => {
    await expect(topicFromKey(5 as unknown as string)).rejects.toThrow(TypeError)
  })
})

describe('custom headers', () => {
  it('lower-cases names and keeps values', () => {
    expect(normalizeCustomHeaders({ 'X-Trace': 'a b' })).toEqual({ 'x-trace': 'a b' })
  })
  it('refuses every managed header', () => {
    for (const name of MANAGED_HEADERS) {
      expect(() => normalizeCustomHeaders({ [name.toUpperCase()]: '1' })).toThrow(TypeError)
    }
  })
})
