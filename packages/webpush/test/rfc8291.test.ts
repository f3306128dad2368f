// RFC 8291 §5 and Appendix A: the published Web Push message encryption example with every
// intermediate value (test/vectors/webpush-encryption.json, id rfc8291-appendix-a), plus the
// receiver-only aes128gcm vectors of Firefox's push test suite.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decrypt } from '@pushcraft/ece'
import { deriveWebPushIkm, webPushKeyInfo } from '../src/key-agreement.ts'
import { encryptPayload } from '../src/internal/encryption.ts'
import { computeSharedSecret, importUserAgentKey } from '../src/internal/webcrypto.ts'
import { encryptedBodySize } from '../src/padding.ts'
import { validateSubscription } from '../src/subscription.ts'
import { importPrivateKey, receivePushMessage } from './helpers/receiver.ts'
import { bytes, vector, vectors } from './helpers/vectors.ts'

const appendixA = vector('rfc8291-appendix-a')
const input = appendixA.input
const mid = appendixA.intermediate!
const utf8 = new TextEncoder()

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

async function hmac(key: Uint8Array, data: Uint8Array) {
  const imported = await crypto.subtle.importKey(
    'raw',
    new Uint8Array(key),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  )
  return new Uint8Array(await crypto.subtle.sign('HMAC', imported, new Uint8Array(data)))
}

describe('RFC 8291 Appendix A (sender side, intermediate values)', () => {
  it('the subscription of the example validates', () => {
    const subscription = validateSubscription(appendixA.subscription)
    expect(subscription.p256dh).toEqual(bytes(input.ua_public))
    expect(subscription.auth).toEqual(bytes(input.auth_secret))
  })

  it('ecdh_secret = ECDH(as_private, ua_public) (§3.1)', async () => {
    const asPrivate = await importPrivateKey(bytes(input.as_private), bytes(input.as_public))
    const secret = await computeSharedSecret(
      asPrivate,
      await importUserAgentKey(bytes(input.ua_public)),
    )
    expect(secret).toEqual(bytes(mid['ecdh_secret']))
  })

  it('PRK_key = HMAC-SHA-256(auth_secret, ecdh_secret) (§3.3)', async () => {
    expect(await hmac(bytes(input.auth_secret), bytes(mid['ecdh_secret']))).toEqual(
      bytes(mid['prk_key']),
    )
  })

  it('key_info = "WebPush: info" || 0x00 || ua_public || as_public (§3.4)', () => {
    expect(webPushKeyInfo(bytes(input.ua_public), bytes(input.as_public))).toEqual(
      bytes(mid['key_info']),
    )
  })

  it('IKM = HKDF(auth_secret, ecdh_secret, key_info, 32) (§3.4)', async () => {
    const ikm = await deriveWebPushIkm({
      sharedSecret: bytes(mid['ecdh_secret']),
      authSecret: bytes(input.auth_secret),
      userAgentPublicKey: bytes(input.ua_public),
      applicationServerPublicKey: bytes(input.as_public),
    })
    expect(ikm).toEqual(bytes(mid['ikm']))
    // The same IKM as HKDF-Expand written out: HMAC(PRK_key, key_info || 0x01).
    const expand = await hmac(bytes(mid['prk_key']), new Uint8Array([...bytes(mid['key_info']), 1]))
    expect(expand).toEqual(bytes(mid['ikm']))
  })

  it('PRK, CEK and NONCE of RFC 8188 follow from IKM and salt (§3.4)', async () => {
    expect(await hmac(bytes(input.salt), bytes(mid['ikm']))).toEqual(bytes(mid['prk']))
    expect(utf8.encode('Content-Encoding: aes128gcm\0')).toEqual(bytes(mid['cek_info']))
    expect(utf8.encode('Content-Encoding: nonce\0')).toEqual(bytes(mid['nonce_info']))
    expect(await hkdf(bytes(mid['ikm']), bytes(input.salt), bytes(mid['cek_info']), 16)).toEqual(
      bytes(mid['cek']),
    )
    expect(await hkdf(bytes(mid['ikm']), bytes(input.salt), bytes(mid['nonce_info']), 12)).toEqual(
      bytes(mid['nonce']),
    )
  })

  it('encrypts the plaintext to the published body with as_private and salt pinned', async () => {
    const body = bytes(appendixA.output.body)
    const result = await encryptPayload({
      userAgentPublicKey: bytes(input.ua_public),
      authSecret: bytes(input.auth_secret),
      plaintext: bytes(input.plaintext),
      contentEncoding: 'aes128gcm',
      padding: 0,
      ephemeral: {
        privateKey: await importPrivateKey(bytes(input.as_private), bytes(input.as_public)),
        publicKey: bytes(input.as_public),
      },
      salt: bytes(input.salt),
    })
    expect(result.body).toEqual(body)
    expect(result.applicationServerPublicKey).toEqual(bytes(input.as_public))
    // The header (salt || rs || idlen || keyid) and the ciphertext are the published ones.
    expect(result.body.subarray(0, 86)).toEqual(bytes(mid['header']))
    expect(result.body.subarray(86)).toEqual(bytes(mid['ciphertext']))
    // 144 octets: 86 header + 41 text + 1 delimiter + 16 tag (the RFC's Content-Length typo aside).
    expect(result.body.length).toBe(144)
    expect(encryptedBodySize(bytes(input.plaintext).length)).toBe(144)
  })

  it('the padded plaintext is the text plus the 0x02 final-record delimiter (RFC 8188 §2)', async () => {
    const padded = await decryptRecord(
      bytes(mid['cek']),
      bytes(mid['nonce']),
      bytes(mid['ciphertext']),
    )
    expect(padded).toEqual(bytes(mid['padded_plaintext']))
  })
})

async function decryptRecord(cek: Uint8Array, nonce: Uint8Array, ciphertext: Uint8Array) {
  const key = await crypto.subtle.importKey('raw', new Uint8Array(cek), 'AES-GCM', false, [
    'decrypt',
  ])
  return new Uint8Array(
    await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: new Uint8Array(nonce) },
      key,
      new Uint8Array(ciphertext),
    ),
  )
}

describe('RFC 8291 Appendix A (receiver side)', () => {
  it('the user agent decrypts the published body to the plaintext', async () => {
    const publicKey = bytes(input.ua_public)
    const plaintext = await receivePushMessage(
      { headers: { 'Content-Encoding': 'aes128gcm' }, body: bytes(appendixA.output.body) },
      {
        privateKey: await importPrivateKey(bytes(input.ua_private), publicKey),
        publicKey,
        auth: bytes(input.auth_secret),
      },
    )
    expect(new TextDecoder().decode(plaintext!)).toBe(input.plaintext!.utf8)
  })

  it('ece decrypt with the published IKM gives the plaintext', async () => {
    const plaintext = await decrypt(bytes(appendixA.output.body), { key: bytes(mid['ikm']) })
    expect(plaintext).toEqual(bytes(input.plaintext))
  })

  it('a different auth secret does not decrypt (ERR_ECE_DECRYPTION_FAILED)', async () => {
    const publicKey = bytes(input.ua_public)
    const auth = bytes(input.auth_secret)
    auth[0]! ^= 1
    await expect(
      receivePushMessage(
        { headers: { 'content-encoding': 'aes128gcm' }, body: bytes(appendixA.output.body) },
        { privateKey: await importPrivateKey(bytes(input.ua_private), publicKey), publicKey, auth },
      ),
    ).rejects.toMatchObject({ code: 'ERR_ECE_DECRYPTION_FAILED' })
  })
})

describe('Firefox push test suite, aes128gcm receiver vectors', () => {
  for (const entry of vectors.filter((v) => v.kind === 'webpush-aes128gcm-decrypt')) {
    it(`${entry.id} (${entry.source.section})`, async () => {
      const publicKey = bytes(entry.input.ua_public)
      const plaintext = await receivePushMessage(
        { headers: { 'content-encoding': 'aes128gcm' }, body: bytes(entry.input.body) },
        {
          privateKey: await importPrivateKey(bytes(entry.input.ua_private), publicKey),
          publicKey,
          auth: bytes(entry.input.auth_secret),
        },
      )
      expect(plaintext).toEqual(bytes(entry.output.plaintext))
    })
  }
})

describe('deriveWebPushIkm (RFC 8291 §3.4, on the synchronous HKDF of @pushcraft/ece)', () => {
  it('equals WebCrypto HKDF for random secrets and keys', async () => {
    const bytesOf = (length: number) => fc.uint8Array({ minLength: length, maxLength: length })
    await fc.assert(
      fc.asyncProperty(
        bytesOf(32),
        bytesOf(16),
        bytesOf(65),
        bytesOf(65),
        async (sharedSecret, authSecret, userAgentPublicKey, applicationServerPublicKey) => {
          const ikm = await deriveWebPushIkm({
            sharedSecret,
            authSecret,
            userAgentPublicKey,
            applicationServerPublicKey,
          })
          const info = webPushKeyInfo(userAgentPublicKey, applicationServerPublicKey)
          expect(ikm).toEqual(await hkdf(sharedSecret, authSecret, info, 32))
        },
      ),
      { numRuns: 100 },
    )
  })

  it('reports misuse as a rejected promise, never a synchronous throw', async () => {
    const valid = {
      sharedSecret: new Uint8Array(32),
      authSecret: new Uint8Array(16),
      userAgentPublicKey: new Uint8Array(65),
      applicationServerPublicKey: new Uint8Array(65),
    }
    const short = deriveWebPushIkm({ ...valid, authSecret: new Uint8Array(15) })
    await expect(short).rejects.toThrow(RangeError)
    const wrongType = deriveWebPushIkm({
      ...valid,
      sharedSecret: 'secret' as unknown as Uint8Array,
    })
    await expect(wrongType).rejects.toThrow(TypeError)
  })
})
