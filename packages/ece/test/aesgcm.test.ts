// Legacy `aesgcm`: draft-ietf-httpbis-encryption-encoding-03 §5.1/§5.2 (test/vectors/aesgcm.json)
// and the draft-ietf-webpush-encryption-04 example plus Firefox receiver vectors
// (test/vectors/webpush-aesgcm.json), see vectors/README.md.
import { describe, expect, it } from 'vitest'
import { decryptAesgcm, encryptAesgcm, hkdf, parseAesgcmHeaders } from '../src/index.js'
import { aesgcmInfo, combineAuthSecret, p256Context } from '../src/key-schedule.js'
import { bin, ecdhSecret, expectCode, fromB64u, toHex, type Bin } from './helpers.js'
import draft03 from './vectors/aesgcm.json' with { type: 'json' }
import webpush from './vectors/webpush-aesgcm.json' with { type: 'json' }

interface Draft03Vector {
  id: string
  input: { plaintext: Bin; ikm: Bin; salt: Bin; rs: number; records: { pad: number }[] }
  output: { body: Bin }
  http: { Encryption: string; 'Crypto-Key': string }
}

describe('draft-ietf-httpbis-encryption-encoding-03 §5 (explicit key)', () => {
  const vectors = draft03.vectors as Draft03Vector[]

  it('has both examples', () => {
    expect(vectors.map((v) => v.id)).toEqual([
      'httpbis-ee-03-5.1-aesgcm-explicit-key',
      'httpbis-ee-03-5.2-aesgcm-multiple-records',
    ])
  })

  for (const vector of vectors) {
    const { input } = vector
    const padding = input.records.reduce((sum, r) => sum + r.pad, 0)

    describe(vector.id, () => {
      it('decrypts the published body', async () => {
        const plaintext = await decryptAesgcm(bin(vector.output.body), {
          key: bin(input.ikm),
          salt: bin(input.salt),
          recordSize: input.rs,
        })
        expect(toHex(plaintext)).toBe(input.plaintext.hex)
      })

      it('reproduces the published body', async () => {
        const result = await encryptAesgcm(bin(input.plaintext), {
          key: bin(input.ikm),
          salt: bin(input.salt),
          recordSize: input.rs,
          padding,
        })
        expect(toHex(result.body)).toBe(vector.output.body.hex)
        expect(result.recordSize).toBe(input.rs)
        expect(toHex(result.salt)).toBe(input.salt.hex)
        expect(result.headers).toEqual({ encryption: `salt=${input.salt.b64u}; rs=${input.rs}` })
      })

      it('takes salt, rs, keyid and the explicit key from the published header fields', async () => {
        const params = parseAesgcmHeaders({
          encryption: vector.http.Encryption,
          cryptoKey: vector.http['Crypto-Key'],
        })
        expect(toHex(params.salt)).toBe(input.salt.hex)
        expect(params.recordSize).toBe(input.rs)
        expect(params.keyId).toBe('a1')
        expect(toHex(params.key!)).toBe(input.ikm.hex)
        const plaintext = await decryptAesgcm(bin(vector.output.body), {
          key: params.key!,
          salt: params.salt,
          recordSize: params.recordSize,
        })
        expect(toHex(plaintext)).toBe(input.plaintext.hex)
      })
    })
  }

  it('§5.2: content ending on a record boundary gets a final record of 18 octets', async () => {
    const vector = vectors[1]!
    const body = bin(vector.output.body)
    expect(body).toHaveLength(26 + 26 + 18)
    const options = { key: bin(vector.input.ikm), salt: bin(vector.input.salt), recordSize: 10 }
    // Without that final record the body must be rejected as truncated (draft-03 §2).
    await expectCode(decryptAesgcm(body.subarray(0, 52), options), 'ERR_ECE_TRUNCATED')
    await expectCode(decryptAesgcm(body.subarray(0, 26), options), 'ERR_ECE_TRUNCATED')
  })
})

interface WebPushVector {
  id: string
  input: {
    plaintext?: Bin
    ua_public: Bin
    ua_private_jwk?: JsonWebKey
    as_public?: Bin
    auth_secret: Bin
    salt?: Bin
    rs?: number
    body?: Bin
  }
  intermediate?: {
    ecdh_secret: Bin
    ikm: Bin
    cek_info: Bin
    cek: Bin
    nonce_info: Bin
    nonce: Bin
  }
  output: { body?: Bin; plaintext?: Bin }
  http: { Encryption: string; 'Crypto-Key': string }
}

describe('draft-ietf-webpush-encryption-04 (P-256 context, auth secret)', () => {
  const vectors = webpush.vectors as WebPushVector[]
  const example = vectors.find((v) => v.id === 'webpush-encryption-04-aesgcm')!
  const { input, intermediate } = example
  const dh = { receiverPublicKey: bin(input.ua_public), senderPublicKey: bin(input.as_public!) }

  it('derives the published IKM from the ECDH secret and auth secret ("Content-Encoding: auth")', () => {
    const ikm = combineAuthSecret(bin(intermediate!.ecdh_secret), bin(input.auth_secret))
    expect(toHex(ikm)).toBe(intermediate!.ikm.hex)
  })

  it('builds the published cek_info and nonce_info with the "P-256" context', () => {
    const { cekInfo, nonceInfo } = aesgcmInfo(p256Context(dh.receiverPublicKey, dh.senderPublicKey))
    expect(toHex(cekInfo)).toBe(intermediate!.cek_info.hex)
    expect(toHex(nonceInfo)).toBe(intermediate!.nonce_info.hex)
  })

  it('derives the published CEK and nonce', () => {
    const salt = bin(input.salt!)
    const ikm = bin(intermediate!.ikm)
    expect(toHex(hkdf({ salt, ikm, info: bin(intermediate!.cek_info), length: 16 }))).toBe(
      intermediate!.cek.hex,
    )
    expect(toHex(hkdf({ salt, ikm, info: bin(intermediate!.nonce_info), length: 12 }))).toBe(
      intermediate!.nonce.hex,
    )
  })

  it('reproduces the published body and header values from the ECDH secret', async () => {
    const result = await encryptAesgcm(bin(input.plaintext!), {
      key: bin(intermediate!.ecdh_secret),
      authSecret: bin(input.auth_secret),
      dh,
      salt: bin(input.salt!),
    })
    expect(toHex(result.body)).toBe(example.output.body!.hex)
    expect(result.headers).toEqual({
      encryption: `salt=${input.salt!.b64u}; rs=4096`,
      cryptoKey: `dh=${input.as_public!.b64u}`,
    })
  })

  it('decrypts the published body', async () => {
    const plaintext = await decryptAesgcm(bin(example.output.body!), {
      key: bin(intermediate!.ecdh_secret),
      authSecret: bin(input.auth_secret),
      dh,
      salt: bin(input.salt!),
    })
    expect(toHex(plaintext)).toBe(input.plaintext!.hex)
  })

  it('fails without the context or without the auth secret', async () => {
    const base = { salt: bin(input.salt!), key: bin(intermediate!.ecdh_secret) }
    const body = bin(example.output.body!)
    await expectCode(
      decryptAesgcm(body, { ...base, authSecret: bin(input.auth_secret) }),
      'ERR_ECE_DECRYPTION_FAILED',
    )
    await expectCode(decryptAesgcm(body, { ...base, dh }), 'ERR_ECE_DECRYPTION_FAILED')
  })

  // Receiver vectors: the sender key, salt and rs come only from the header fields. The ECDH is
  // done here with WebCrypto; in the library it belongs to @pushcraft/webpush.
  for (const vector of vectors.filter((v) => v.input.ua_private_jwk !== undefined)) {
    it(`${vector.id}: parses the header fields and decrypts`, async () => {
      const params = parseAesgcmHeaders({
        encryption: vector.http.Encryption,
        cryptoKey: vector.http['Crypto-Key'],
      })
      expect(params.dh).toBeDefined()
      const key = await ecdhSecret(vector.input.ua_private_jwk!, params.dh!)
      const body =
        vector.input.body === undefined ? bin(vector.output.body!) : bin(vector.input.body)
      const plaintext = await decryptAesgcm(body, {
        key,
        salt: params.salt,
        recordSize: params.recordSize,
        authSecret: bin(vector.input.auth_secret),
        dh: { receiverPublicKey: bin(vector.input.ua_public), senderPublicKey: params.dh! },
      })
      const expected = vector.output.plaintext ?? vector.input.plaintext!
      expect(toHex(plaintext)).toBe(expected.hex)
    })
  }

  it('firefox-aesgcm-quoted-keyid-headers: picks the dh of the matching keyid', () => {
    const vector = vectors.find((v) => v.id === 'firefox-aesgcm-quoted-keyid-headers')!
    const params = parseAesgcmHeaders({
      encryption: vector.http.Encryption,
      cryptoKey: vector.http['Crypto-Key'],
    })
    expect(params.keyId).toBe('dhkey')
    expect(toHex(params.dh!)).toBe(toHex(fromB64u(input.as_public!.b64u)))
  })
})
