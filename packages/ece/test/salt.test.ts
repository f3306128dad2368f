// Pooled salts (src/internal/salt.ts): every salt is fresh, pooled octets are never handed out
// twice (across pool refills too), and bodies get distinct salts.
import { describe, expect, it } from 'vitest'
import { encrypt, parseHeader } from '../src/index.js'
import { randomSalt } from '../src/internal/salt.js'

const hex = (bytes: Uint8Array): string =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')

describe('randomSalt', () => {
  it('returns the requested length and never repeats across several pool refills', () => {
    const seen = new Set<string>()
    for (let i = 0; i < 1000; i += 1) {
      const salt = randomSalt(16)
      expect(salt.length).toBe(16)
      seen.add(hex(salt))
    }
    expect(seen.size).toBe(1000)
  })

  it('hands out copies: changing one salt changes nothing handed out later', () => {
    const a = randomSalt(16)
    a.fill(0xff)
    const b = randomSalt(16)
    expect(hex(b)).not.toBe('ff'.repeat(16))
  })

  it('serves lengths beyond the pool directly', () => {
    expect(randomSalt(5000).length).toBe(5000)
  })

  it('gives every encrypted body its own salt', async () => {
    const key = new Uint8Array(16).fill(7)
    const salts = new Set<string>()
    for (let i = 0; i < 300; i += 1) {
      salts.add(hex(parseHeader(await encrypt(new Uint8Array(3), { key })).salt))
    }
    expect(salts.size).toBe(300)
  })
})
