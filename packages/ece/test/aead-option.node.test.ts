// The `aead` option: encrypt/decrypt and both aesgcm functions use the AES-128-GCM backend they are
// given (here one on node:crypto, written as a user would), produce the same bytes as the WebCrypto
// default, map a backend's authentication failure to ERR_ECE_DECRYPTION_FAILED, and refuse a
// malformed backend with a TypeError.
import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  decrypt,
  decryptAesgcm,
  encrypt,
  encryptAesgcm,
  webCryptoAead,
  type AeadBackend,
  type AeadKey,
} from '../src/index.js'

interface NodeKey extends AeadKey {
  readonly keyObject: KeyObject
}

function nodeAead(calls: string[]): AeadBackend {
  return {
    importKey: (cek, usage): NodeKey => {
      calls.push(`import:${usage}`)
      return { type: 'secret', keyObject: createSecretKey(cek) }
    },
    seal(key, nonce, plaintext) {
      calls.push('seal')
      const cipher = createCipheriv('aes-128-gcm', (key as NodeKey).keyObject, nonce)
      const head = cipher.update(plaintext)
      cipher.final()
      const sealed = new Uint8Array(plaintext.length + 16)
      sealed.set(head)
      sealed.set(cipher.getAuthTag(), plaintext.length)
      return sealed
    },
    open(key, nonce, sealed) {
      calls.push('open')
      const split = sealed.length - 16
      const decipher = createDecipheriv('aes-128-gcm', (key as NodeKey).keyObject, nonce)
      decipher.setAuthTag(sealed.subarray(split))
      const head = decipher.update(sealed.subarray(0, split))
      decipher.final() // throws before anything is returned when the tag does not verify
      return Uint8Array.from(head)
    },
  }
}

const bytes = (length: number): fc.Arbitrary<Uint8Array> =>
  fc.uint8Array({ minLength: length, maxLength: length })

describe('aead option', () => {
  it('aes128gcm: same body as WebCrypto for the same salt, any record size; decrypts both ways', async () => {
    await fc.assert(
      fc.asyncProperty(
        bytes(16),
        bytes(16),
        fc.uint8Array({ maxLength: 200 }),
        fc.integer({ min: 18, max: 64 }),
        async (key, salt, plaintext, recordSize) => {
          const calls: string[] = []
          const aead = nodeAead(calls)
          const mine = await encrypt(plaintext, { key, salt, recordSize, aead })
          const theirs = await encrypt(plaintext, { key, salt, recordSize })
          expect(mine).toEqual(theirs)
          expect(calls[0]).toBe('import:encrypt')
          expect(calls.filter((c) => c === 'seal').length).toBeGreaterThan(0)
          expect(await decrypt(theirs, { key, aead })).toEqual(plaintext)
          expect(await decrypt(mine, { key, aead: webCryptoAead })).toEqual(plaintext)
        },
      ),
      { numRuns: 100 },
    )
  })

  it('aesgcm: same body as WebCrypto for the same salt; decrypts', async () => {
    const key = new Uint8Array(32).fill(3)
    const salt = new Uint8Array(16).fill(9)
    const plaintext = new TextEncoder().encode('legacy coding, two records and more')
    const calls: string[] = []
    const aead = nodeAead(calls)
    const mine = await encryptAesgcm(plaintext, { key, salt, recordSize: 20, padding: 3, aead })
    const theirs = await encryptAesgcm(plaintext, { key, salt, recordSize: 20, padding: 3 })
    expect(mine.body).toEqual(theirs.body)
    expect(mine.headers).toEqual(theirs.headers)
    expect(await decryptAesgcm(mine.body, { key, salt, recordSize: 20, aead })).toEqual(plaintext)
    expect(calls).toContain('open')
  })

  it('a failed tag check in the backend is ERR_ECE_DECRYPTION_FAILED', async () => {
    const key = new Uint8Array(16).fill(1)
    const body = await encrypt(new TextEncoder().encode('x'), { key })
    const last = body.length - 1
    body[last] = (body[last] ?? 0) ^ 1
    await expect(decrypt(body, { key, aead: nodeAead([]) })).rejects.toMatchObject({
      code: 'ERR_ECE_DECRYPTION_FAILED',
    })
  })

  it.each([[null], [{}], [{ importKey: () => 1, seal: () => 1 }], ['webcrypto']])(
    'refuses aead %j with a TypeError',
    async (aead) => {
      const key = new Uint8Array(16)
      const options = { key, aead } as unknown as Parameters<typeof encrypt>[1]
      await expect(encrypt(new Uint8Array(1), options)).rejects.toThrow(TypeError)
      await expect(
        decrypt(await encrypt(new Uint8Array(1), { key }), options as { key: Uint8Array }),
      ).rejects.toThrow(TypeError)
    },
  )
})
