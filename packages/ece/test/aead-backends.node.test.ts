// The two AEAD backends behind `#aead` (src/internal/aead-contract.ts): WebCrypto for every
// runtime, node:crypto for Node.js. They must be interchangeable byte for byte, refuse the same
// forgeries. (Which one Node.js and bundlers pick per condition: scripts/check-boundaries.mjs.)
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as nodeBackend from '../src/internal/aead-node.js'
import * as webBackend from '../src/internal/aead.js'

const backends = { node: nodeBackend, web: webBackend } as const
type Name = keyof typeof backends

const bytes = (min: number, max: number): fc.Arbitrary<Uint8Array<ArrayBuffer>> =>
  fc.uint8Array({ minLength: min, maxLength: max }).map((b) => Uint8Array.from(b))

async function seal(
  name: Name,
  cek: Uint8Array<ArrayBuffer>,
  nonce: Uint8Array<ArrayBuffer>,
  plaintext: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array> {
  const backend = backends[name]
  return backend.sealRecord(
    await backend.importContentKey(cek.slice(), 'encrypt'),
    nonce,
    plaintext,
  )
}

async function open(
  name: Name,
  cek: Uint8Array<ArrayBuffer>,
  nonce: Uint8Array<ArrayBuffer>,
  sealed: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array> {
  const backend = backends[name]
  return backend.openRecord(await backend.importContentKey(cek.slice(), 'decrypt'), nonce, sealed)
}

describe('AEAD backends', () => {
  it('seal identically and open each other’s records', async () => {
    await fc.assert(
      fc.asyncProperty(
        bytes(16, 16),
        bytes(12, 12),
        bytes(0, 300),
        async (cek, nonce, plaintext) => {
          const fromNode = await seal('node', cek, nonce, plaintext)
          const fromWeb = await seal('web', cek, nonce, plaintext)
          expect(fromNode).toEqual(fromWeb)
          expect(fromNode.length).toBe(plaintext.length + 16)
          const sealed = Uint8Array.from(fromNode)
          expect(await open('web', cek, nonce, sealed)).toEqual(plaintext)
          expect(await open('node', cek, nonce, sealed)).toEqual(plaintext)
        },
      ),
      { numRuns: 150 },
    )
  })

  it('both refuse a flipped bit anywhere, a wrong key and a wrong nonce', async () => {
    await fc.assert(
      fc.asyncProperty(
        bytes(16, 16),
        bytes(12, 12),
        bytes(1, 64),
        fc.nat(),
        fc.integer({ min: 0, max: 7 }),
        async (cek, nonce, plaintext, at, bit) => {
          const sealed = Uint8Array.from(await seal('node', cek, nonce, plaintext))
          const tampered = sealed.slice()
          const index = at % tampered.length
          tampered[index] = (tampered[index] ?? 0) ^ (1 << bit)
          const otherKey = cek.slice()
          otherKey[0] = (otherKey[0] ?? 0) ^ 1
          const otherNonce = nonce.slice()
          otherNonce[11] = (otherNonce[11] ?? 0) ^ 1
          for (const name of ['node', 'web'] as const) {
            await expect(open(name, cek, nonce, tampered)).rejects.toThrow()
            await expect(open(name, otherKey, nonce, sealed)).rejects.toThrow()
            await expect(open(name, cek, otherNonce, sealed)).rejects.toThrow()
          }
        },
      ),
      { numRuns: 100 },
    )
  })

  it('node:crypto refuses a record shorter than its tag', async () => {
    const cek = new Uint8Array(16)
    await expect(open('node', cek, new Uint8Array(12), new Uint8Array(15))).rejects.toThrow(
      RangeError,
    )
  })
})
