// The two key agreement backends behind `#agreement` (src/internal/agreement-contract.ts):
// WebCrypto for every runtime, node:crypto for Node.js. Each must produce a fresh uncompressed
// P-256 key per call and the ECDH secret the user agent computes, and refuse an off-curve
// `p256dh` with the same typed error. (Which one Node.js and bundlers pick per condition:
// scripts/check-boundaries.mjs.)
import { createECDH } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { agree as agreeNode } from '../src/internal/agreement-node.js'
import { agree as agreeWeb } from '../src/internal/agreement.js'
import type { UserAgentKeyCache } from '../src/internal/agreement-contract.js'

const backends = [
  ['node:crypto', agreeNode],
  ['WebCrypto', agreeWeb],
] as const

function userAgent(): { ecdh: ReturnType<typeof createECDH>; publicKey: Uint8Array } {
  const ecdh = createECDH('prime256v1')
  return { ecdh, publicKey: Uint8Array.from(ecdh.generateKeys()) }
}

describe.each(backends)('key agreement on %s', (_name, agree) => {
  it('returns as_public (65 octets, uncompressed) and the secret the user agent derives', async () => {
    const ua = userAgent()
    const seen = new Set<string>()
    for (let i = 0; i < 20; i += 1) {
      const [asPublic, secret] = await agree(ua.publicKey, undefined)
      expect(asPublic.length).toBe(65)
      expect(asPublic[0]).toBe(0x04)
      expect(secret.length).toBe(32)
      expect(Buffer.from(secret)).toEqual(ua.ecdh.computeSecret(asPublic))
      seen.add(Buffer.from(asPublic).toString('hex'))
    }
    // RFC 8291 §3.1: a new key pair for every message.
    expect(seen.size).toBe(20)
  })

  it('works with a validated subscription’s key cache, repeatedly', async () => {
    const ua = userAgent()
    const cache: UserAgentKeyCache = {}
    for (let i = 0; i < 3; i += 1) {
      const [asPublic, secret] = await agree(ua.publicKey, cache)
      expect(Buffer.from(secret)).toEqual(ua.ecdh.computeSecret(asPublic))
    }
  })

  it('refuses a point off the curve with ERR_WEBPUSH_INVALID_SUBSCRIPTION (not-on-curve)', async () => {
    const point = userAgent().publicKey
    point[64] = (point[64] ?? 0) ^ 1
    await expect(
      (async () => {
        await agree(point, undefined)
      })(),
    ).rejects.toMatchObject({
      name: 'WebPushError',
      code: 'ERR_WEBPUSH_INVALID_SUBSCRIPTION',
      field: 'keys.p256dh',
      reason: 'not-on-curve',
    })
  })
})
