// The two crypto backends behind `#backend` (src/internal/backend-contract.ts): WebCrypto for
// every runtime, node:crypto for Node.js. Each key agreement must produce a fresh uncompressed
// P-256 key per call and the ECDH secret the user agent computes, and refuse an off-curve
// `p256dh` with the same typed error; node:crypto's AES-128-GCM must match ece's WebCrypto one
// byte for byte and refuse the same forgeries. (Which one Node.js and bundlers pick per condition:
// scripts/check-boundaries.mjs.)
import { createECDH } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { webCryptoAead, type AeadBackend } from '@pushcraft/ece'
import fc from 'fast-check'
import { aead as nodeBackendAead, agree as agreeNode } from '../src/internal/backend-node.js'
import { aead as webAead, agree as agreeWeb } from '../src/internal/backend.js'
import type { UserAgentKeyCache } from '../src/internal/backend-contract.js'

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

if (nodeBackendAead === undefined) throw new Error('the node:crypto backend must bring its AES-GCM')
const nodeAead: AeadBackend = nodeBackendAead

const bytes = (length: number, max = length): fc.Arbitrary<Uint8Array<ArrayBuffer>> =>
  fc.uint8Array({ minLength: length, maxLength: max }).map((b) => Uint8Array.from(b))

async function seal(
  backend: AeadBackend,
  cek: Uint8Array<ArrayBuffer>,
  nonce: Uint8Array<ArrayBuffer>,
  plaintext: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array> {
  return backend.seal(await backend.importKey(cek.slice(), 'encrypt'), nonce, plaintext)
}

async function open(
  backend: AeadBackend,
  cek: Uint8Array<ArrayBuffer>,
  nonce: Uint8Array<ArrayBuffer>,
  sealed: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array> {
  return backend.open(await backend.importKey(cek.slice(), 'decrypt'), nonce, sealed)
}

describe('AES-128-GCM for ece', () => {
  it('the WebCrypto backend leaves ece its default', () => {
    expect(webAead).toBeUndefined()
  })

  it('node:crypto seals like WebCrypto and each opens the other’s records', async () => {
    await fc.assert(
      fc.asyncProperty(bytes(16), bytes(12), bytes(0, 300), async (cek, nonce, plaintext) => {
        const fromNode = await seal(nodeAead, cek, nonce, plaintext)
        expect(fromNode).toEqual(await seal(webCryptoAead, cek, nonce, plaintext))
        const sealed = Uint8Array.from(fromNode)
        expect(await open(webCryptoAead, cek, nonce, sealed)).toEqual(plaintext)
        expect(await open(nodeAead, cek, nonce, sealed)).toEqual(plaintext)
      }),
      { numRuns: 150 },
    )
  })

  it('node:crypto refuses a flipped bit anywhere, a wrong key, a wrong nonce, a short record', async () => {
    await fc.assert(
      fc.asyncProperty(
        bytes(16),
        bytes(12),
        bytes(1, 64),
        fc.nat(),
        fc.integer({ min: 0, max: 7 }),
        async (cek, nonce, plaintext, at, bit) => {
          const sealed = Uint8Array.from(await seal(nodeAead, cek, nonce, plaintext))
          const tampered = sealed.slice()
          const index = at % tampered.length
          tampered[index] = (tampered[index] ?? 0) ^ (1 << bit)
          const otherKey = cek.slice()
          otherKey[0] = (otherKey[0] ?? 0) ^ 1
          const otherNonce = nonce.slice()
          otherNonce[11] = (otherNonce[11] ?? 0) ^ 1
          await expect(open(nodeAead, cek, nonce, tampered)).rejects.toThrow()
          await expect(open(nodeAead, otherKey, nonce, sealed)).rejects.toThrow()
          await expect(open(nodeAead, cek, otherNonce, sealed)).rejects.toThrow()
        },
      ),
      { numRuns: 100 },
    )
    await expect(
      open(nodeAead, new Uint8Array(16), new Uint8Array(12), new Uint8Array(15)),
    ).rejects.toThrow(RangeError)
  })
})
