// RFC 8188 §3.1 and §3.2 examples (test/vectors/rfc8188.json, see vectors/README.md).
import { describe, expect, it } from 'vitest'
import { decrypt, encrypt, hkdf, parseHeader } from '../src/index.js'
import { bin, toHex, utf8, type Bin } from './helpers.js'
import data from './vectors/rfc8188.json' with { type: 'json' }

interface Rfc8188Vector {
  id: string
  input: {
    plaintext: Bin
    ikm: Bin
    salt: Bin
    rs: number
    keyid: Bin
    records: { data_len: number; pad: number }[]
  }
  intermediate?: { prk: Bin; cek: Bin; nonce: Bin; padded_plaintext: Bin }
  output: { body: Bin }
}

const vectors = data.vectors as Rfc8188Vector[]

describe('RFC 8188 §3 examples', () => {
  it('has both examples', () => {
    expect(vectors.map((v) => v.id)).toEqual([
      'rfc8188-3.1-single-record',
      'rfc8188-3.2-multiple-records',
    ])
  })

  for (const vector of vectors) {
    const { input } = vector
    const padding = input.records.reduce((sum, record) => sum + record.pad, 0)

    describe(vector.id, () => {
      it('decrypts the published body', async () => {
        const plaintext = await decrypt(bin(vector.output.body), { key: bin(input.ikm) })
        expect(toHex(plaintext)).toBe(input.plaintext.hex)
      })

      it('reproduces the published body from the pinned salt, rs, keyid and padding', async () => {
        const body = await encrypt(bin(input.plaintext), {
          key: bin(input.ikm),
          salt: bin(input.salt),
          recordSize: input.rs,
          keyId: bin(input.keyid),
          padding,
        })
        expect(toHex(body)).toBe(vector.output.body.hex)
      })

      it('lays out the records as published', () => {
        const header = parseHeader(bin(vector.output.body))
        const records = bin(vector.output.body).length - header.headerLength
        const sizes = input.records.map((r) => r.data_len + 1 + r.pad + 16)
        expect(sizes.reduce((a, b) => a + b, 0)).toBe(records)
        // Every record but the last is exactly rs (RFC 8188 §2).
        for (const size of sizes.slice(0, -1)) expect(size).toBe(input.rs)
      })

      it('parses the header', () => {
        const header = parseHeader(bin(vector.output.body))
        expect(toHex(header.salt)).toBe(input.salt.hex)
        expect(header.recordSize).toBe(input.rs)
        expect(toHex(header.keyId)).toBe(input.keyid.hex)
        expect(header.headerLength).toBe(21 + input.keyid.hex.length / 2)
      })

      it('decrypts with a key lookup by keyid', async () => {
        const seen: string[] = []
        const plaintext = await decrypt(bin(vector.output.body), {
          keyLookup: (keyId) => {
            seen.push(toHex(keyId))
            return keyId.length === input.keyid.hex.length / 2 ? bin(input.ikm) : undefined
          },
        })
        expect(seen).toEqual([input.keyid.hex])
        expect(toHex(plaintext)).toBe(input.plaintext.hex)
      })
    })
  }

  it('§3.1: body is 53 octets (the RFC text says 54) and the intermediate values match', () => {
    const vector = vectors[0]!
    expect(bin(vector.output.body)).toHaveLength(53)
    const { input, intermediate } = vector
    const cek = hkdf({
      salt: bin(input.salt),
      ikm: bin(input.ikm),
      info: utf8('Content-Encoding: aes128gcm\0'),
      length: 16,
    })
    const nonce = hkdf({
      salt: bin(input.salt),
      ikm: bin(input.ikm),
      info: utf8('Content-Encoding: nonce\0'),
      length: 12,
    })
    expect(toHex(cek)).toBe(intermediate!.cek.hex)
    expect(toHex(nonce)).toBe(intermediate!.nonce.hex)
  })

  it('§3.2: the second record uses nonce XOR 1 (swapping records fails)', async () => {
    const vector = vectors[1]!
    const body = bin(vector.output.body)
    const swapped = new Uint8Array(body)
    swapped.set(body.subarray(23 + 25, 23 + 50), 23)
    swapped.set(body.subarray(23, 23 + 25), 23 + 25)
    await expect(decrypt(swapped, { key: bin(vector.input.ikm) })).rejects.toMatchObject({
      code: 'ERR_ECE_DECRYPTION_FAILED',
    })
  })
})
