// For any content, record size and padding: decrypt(encrypt(x)) = x, in both codings, and the
// body has exactly the size the record layout predicts (RFC 8188 §2; draft-03 §2).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decrypt, decryptAesgcm, encrypt, encryptAesgcm, parseHeader } from '../src/index.js'
import { toHex } from './helpers.js'

const NUM_RUNS = 150

const content = fc.uint8Array({ minLength: 0, maxLength: 2000 })
const key = fc.uint8Array({ minLength: 16, maxLength: 48 })

describe('round trip', () => {
  it('aes128gcm', async () => {
    await fc.assert(
      fc.asyncProperty(
        content,
        key,
        fc.oneof(fc.integer({ min: 18, max: 120 }), fc.integer({ min: 18, max: 5000 })),
        fc.integer({ min: 0, max: 600 }),
        fc.uint8Array({ maxLength: 255 }),
        async (plaintext, ikm, recordSize, padding, keyId) => {
          const body = await encrypt(plaintext, { key: ikm, recordSize, padding, keyId })
          const header = parseHeader(body)
          expect(header.recordSize).toBe(recordSize)
          const capacity = recordSize - 17
          const records = Math.max(1, Math.ceil((plaintext.length + padding) / capacity))
          expect(body.length).toBe(21 + keyId.length + plaintext.length + padding + 17 * records)
          const out = await decrypt(body, { key: ikm })
          expect(toHex(out)).toBe(toHex(plaintext))
        },
      ),
      { numRuns: NUM_RUNS },
    )
  })

  it('aesgcm', async () => {
    await fc.assert(
      fc.asyncProperty(
        content,
        key,
        fc.oneof(fc.integer({ min: 3, max: 100 }), fc.integer({ min: 3, max: 5000 })),
        fc.integer({ min: 0, max: 600 }),
        fc.boolean(),
        async (plaintext, ikm, recordSize, padding, withAuth) => {
          const authSecret = withAuth ? ikm.subarray(0, 16) : undefined
          const sent = await encryptAesgcm(plaintext, {
            key: ikm,
            recordSize,
            padding,
            ...(authSecret === undefined ? {} : { authSecret }),
          })
          const capacity = recordSize - 2
          const filled = plaintext.length + padding
          // draft-03 §2: one more record when the content ends on a record boundary.
          const records = Math.floor(filled / capacity) + 1
          expect(sent.body.length).toBe(filled + 18 * records)
          const out = await decryptAesgcm(sent.body, {
            key: ikm,
            salt: sent.salt,
            recordSize: sent.recordSize,
            ...(authSecret === undefined ? {} : { authSecret }),
          })
          expect(toHex(out)).toBe(toHex(plaintext))
        },
      ),
      { numRuns: NUM_RUNS },
    )
  })

  it('decrypting with another key or salt fails authentication', async () => {
    await fc.assert(
      fc.asyncProperty(content, key, key, async (plaintext, ikm, other) => {
        fc.pre(toHex(ikm) !== toHex(other))
        const body = await encrypt(plaintext, { key: ikm, recordSize: 64 })
        await expect(decrypt(body, { key: other })).rejects.toMatchObject({
          code: 'ERR_ECE_DECRYPTION_FAILED',
        })
      }),
      { numRuns: 50 },
    )
  })
})
