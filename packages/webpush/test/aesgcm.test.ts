// draft-ietf-webpush-encryption-04 (legacy "aesgcm"): the published example with its intermediate
// values and header fields (test/vectors/webpush-encryption.json, id webpush-encryption-04-aesgcm),
// and the aesgcm receiver vectors of Firefox's push test suite.
import { describe, expect, it } from 'vitest'
import { parseAesgcmHeaders } from '@pushcraft/ece'
import { encryptPayload } from '../src/internal/encryption.ts'
import { computeSharedSecret, importUserAgentKey } from '../src/internal/webcrypto.ts'
import { encryptedBodySize } from '../src/padding.ts'
import { importPrivateKey, receivePushMessage } from './helpers/receiver.ts'
import { bytes, vector, vectors } from './helpers/vectors.ts'

const draft04 = vector('webpush-encryption-04-aesgcm')
const input = draft04.input
const mid = draft04.intermediate!
const http = draft04.http!

async function hkdf(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number) {
  const key = await crypto.subtle.importKey('raw', new Uint8Array(ikm), 'HKDF', false, [
    'deriveBits',
  ])
  const bits = await crypto.subtle.deriveBits(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(salt), info: new Uint8Array(info) },
    key,
    length * 8,
  )
  return new Uint8Array(bits)
}

function p256Context(receiver: Uint8Array, sender: Uint8Array): Uint8Array {
  return new Uint8Array([
    ...new TextEncoder().encode('P-256\0'),
    0,
    65,
    ...receiver,
    0,
    65,
    ...sender,
  ])
}

describe('draft-ietf-webpush-encryption-04 example (sender side)', () => {
  it('ecdh_secret = ECDH(as_private, ua_public)', async () => {
    const asPrivate = await importPrivateKey(bytes(input.as_private), bytes(input.as_public))
    const secret = await computeSharedSecret(
      asPrivate,
      await importUserAgentKey(bytes(input.ua_public)),
    )
    expect(secret).toEqual(bytes(mid['ecdh_secret']))
  })

  it('IKM = HKDF(auth_secret, ecdh_secret, "Content-Encoding: auth" || 0x00, 32)', async () => {
    const info = new TextEncoder().encode('Content-Encoding: auth\0')
    expect(await hkdf(bytes(mid['ecdh_secret']), bytes(input.auth_secret), info, 32)).toEqual(
      bytes(mid['ikm']),
    )
  })

  it('the info strings carry the "P-256" context; CEK and NONCE follow', async () => {
    const context = p256Context(bytes(input.ua_public), bytes(input.as_public))
    const cekInfo = new Uint8Array([
      ...new TextEncoder().encode('Content-Encoding: aesgcm\0'),
      ...context,
    ])
    const nonceInfo = new Uint8Array([
      ...new TextEncoder().encode('Content-Encoding: nonce\0'),
      ...context,
    ])
    expect(cekInfo).toEqual(bytes(mid['cek_info']))
    expect(nonceInfo).toEqual(bytes(mid['nonce_info']))
    expect(await hkdf(bytes(mid['ikm']), bytes(input.salt), cekInfo, 16)).toEqual(bytes(mid['cek']))
    expect(await hkdf(bytes(mid['ikm']), bytes(input.salt), nonceInfo, 12)).toEqual(
      bytes(mid['nonce']),
    )
  })

  it('encrypts to the published body and header values with as_private and salt pinned', async () => {
    const result = await encryptPayload({
      userAgentPublicKey: bytes(input.ua_public),
      authSecret: bytes(input.auth_secret),
      plaintext: bytes(input.plaintext),
      contentEncoding: 'aesgcm',
      padding: 0,
      ephemeral: {
        privateKey: await importPrivateKey(bytes(input.as_private), bytes(input.as_public)),
        publicKey: bytes(input.as_public),
      },
      salt: bytes(input.salt),
    })
    expect(result.body).toEqual(bytes(draft04.output.body))
    expect(result.body.length).toBe(Number(http['Content-Length']))
    expect(encryptedBodySize(bytes(input.plaintext).length, { contentEncoding: 'aesgcm' })).toBe(33)
    // The published fields quote their values; ours are unquoted tokens. Compare what they mean.
    const ours = parseAesgcmHeaders({
      encryption: result.encryption!,
      cryptoKey: result.cryptoKey!,
    })
    const published = parseAesgcmHeaders({
      encryption: http['Encryption']!,
      cryptoKey: http['Crypto-Key']!,
    })
    expect(ours.salt).toEqual(published.salt)
    expect(ours.recordSize).toBe(published.recordSize)
    expect(ours.dh).toEqual(published.dh)
    expect(ours.dh).toEqual(bytes(input.as_public))
  })
})

describe('draft-ietf-webpush-encryption-04 example (receiver side)', () => {
  it('the user agent decrypts the published request', async () => {
    const publicKey = bytes(input.ua_public)
    const plaintext = await receivePushMessage(
      { headers: http, body: bytes(draft04.output.body) },
      {
        privateKey: await importPrivateKey(bytes(input.ua_private), publicKey),
        publicKey,
        auth: bytes(input.auth_secret),
      },
    )
    expect(new TextDecoder().decode(plaintext!)).toBe('I am the walrus')
  })
})

describe('Firefox push test suite, aesgcm receiver vectors', () => {
  for (const entry of vectors.filter((v) => v.kind === 'webpush-aesgcm-decrypt')) {
    it(`${entry.id} (${entry.source.section})`, async () => {
      const publicKey = bytes(entry.input.ua_public)
      const plaintext = await receivePushMessage(
        { headers: entry.http!, body: bytes(entry.input.body) },
        {
          privateKey: await importPrivateKey(bytes(entry.input.ua_private), publicKey),
          publicKey,
          auth: bytes(entry.input.auth_secret),
        },
      )
      expect(plaintext).toEqual(bytes(entry.output.plaintext))
    })
  }

  it('the obsolete aesgcm128 coding is refused, not mistaken for aesgcm', async () => {
    const entry = vector('firefox-aesgcm128-legacy')
    const publicKey = bytes(entry.input.ua_public)
    await expect(
      receivePushMessage(
        { headers: entry.http!, body: bytes(entry.input.body) },
        {
          privateKey: await importPrivateKey(bytes(entry.input.ua_private), publicKey),
          publicKey,
          auth: new Uint8Array(16),
        },
      ),
    ).rejects.toThrow(TypeError)
  })
})
