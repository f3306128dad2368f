// Authorization headers in both forms (RFC 8292 §3; draft-ietf-webpush-vapid-01 §2.2), and
// sign -> verify round trips through verifyVapidAuthorization.
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  createVapidAuthorization,
  generateVapidKeys,
  importVapidKeys,
  verifyVapidAuthorization,
  type VapidKeys,
} from '../src/index.ts'
import { setClock, TEST_PRIVATE_KEY, TEST_PUBLIC_KEY } from './helpers.ts'

const NOW = 1_700_000_000
const audience = 'https://fcm.googleapis.com'
const subject = 'https://example.com/contact'
let keys: VapidKeys

beforeAll(async () => {
  keys = await importVapidKeys(TEST_PRIVATE_KEY)
})

afterEach(() => {
  vi.useRealTimers()
})

describe('createVapidAuthorization', () => {
  it('defaults to the RFC 8292 "vapid t=…, k=…" form', async () => {
    setClock(NOW)
    const result = await createVapidAuthorization({ keys, audience, subject })
    expect(result.scheme).toBe('vapid')
    expect(result.authorization).toBe(`vapid t=${result.token}, k=${TEST_PUBLIC_KEY}`)
    expect(result).not.toHaveProperty('cryptoKey')
    expect(result.headers).toEqual({ authorization: result.authorization })
    expect(result.expiresAt).toBe(NOW + 43_200)
    expect(result.keyId).toBe(keys.id)
    expect(Object.isFrozen(result)).toBe(true)
  })

  it('makes the legacy "WebPush <jwt>" + "Crypto-Key: p256ecdsa=" form', async () => {
    const result = await createVapidAuthorization({ keys, audience, subject, scheme: 'webpush' })
    expect(result.scheme).toBe('webpush')
    expect(result.authorization).toBe(`WebPush ${result.token}`)
    expect(result.cryptoKey).toBe(`p256ecdsa=${TEST_PUBLIC_KEY}`)
    expect(result.headers).toEqual({
      authorization: result.authorization,
      'crypto-key': result.cryptoKey,
    })
  })

  it('picks the form from the content encoding; an explicit scheme wins', async () => {
    const pick = async (options: object): Promise<string> =>
      (await createVapidAuthorization({ keys, audience, subject, ...options })).scheme
    expect(await pick({ contentEncoding: 'aes128gcm' })).toBe('vapid')
    expect(await pick({ contentEncoding: 'aesgcm' })).toBe('webpush')
    expect(await pick({ contentEncoding: 'aesgcm', scheme: 'vapid' })).toBe('vapid')
    expect(await pick({ contentEncoding: 'aes128gcm', scheme: 'webpush' })).toBe('webpush')
  })

  it('rejects misuse with TypeError/RangeError', async () => {
    await expect(
      createVapidAuthorization({ keys, audience, subject, scheme: 'bearer' as never }),
    ).rejects.toThrow(TypeError)
    await expect(
      createVapidAuthorization({ keys, audience, subject, contentEncoding: 'gzip' as never }),
    ).rejects.toThrow(TypeError)
    await expect(
      createVapidAuthorization({ keys, audience, subject, cache: {} as never }),
    ).rejects.toThrow(TypeError)
    await expect(
      createVapidAuthorization({ keys, audience, subject, sheme: 'vapid' } as never),
    ).rejects.toThrow(TypeError)
    await expect(
      createVapidAuthorization({ keys, audience: `${audience}/fcm/send/x`, subject }),
    ).rejects.toThrow(TypeError)
    await expect(
      createVapidAuthorization({ keys, audience, subject, expiration: 1 }),
    ).rejects.toThrow(RangeError)
    await expect(createVapidAuthorization(null as never)).rejects.toThrow(TypeError)
  })
})

describe('sign -> verify round trips', () => {
  for (const scheme of ['vapid', 'webpush'] as const) {
    it(`${scheme}: verifies with the key in the header`, async () => {
      const generated = await generateVapidKeys()
      const result = await createVapidAuthorization({
        keys: generated,
        audience,
        subject,
        scheme,
        claims: { jti: 'n-1' },
      })
      const verified = await verifyVapidAuthorization(
        { authorization: result.authorization, cryptoKey: result.cryptoKey ?? null },
        { audience },
      )
      expect(verified.scheme).toBe(scheme)
      expect(verified.token).toBe(result.token)
      expect(verified.claims).toEqual({
        aud: audience,
        exp: result.expiresAt,
        sub: subject,
        jti: 'n-1',
      })
      expect(verified.applicationServerKey).toBe(generated.applicationServerKey)
      expect(verified.publicKey).toEqual(generated.publicKeyBytes)
      expect(verified.header).toEqual({ typ: 'JWT', alg: 'ES256' })
    })

    it(`${scheme}: verifies against the subscription's key, and rejects another key`, async () => {
      const result = await createVapidAuthorization({ keys, audience, subject, scheme })
      const headers = { authorization: result.authorization, cryptoKey: result.cryptoKey ?? null }
      await expect(
        verifyVapidAuthorization(headers, { audience, publicKey: keys.publicKeyBytes }),
      ).resolves.toMatchObject({ applicationServerKey: TEST_PUBLIC_KEY })
      await expect(
        verifyVapidAuthorization(headers, { audience, publicKey: keys }),
      ).resolves.toMatchObject({ applicationServerKey: TEST_PUBLIC_KEY })
      const other = await generateVapidKeys()
      await expect(
        verifyVapidAuthorization(headers, { audience, publicKey: other.applicationServerKey }),
      ).rejects.toMatchObject({ code: 'ERR_VAPID_KEY_MISMATCH' })
    })
  }

  it('a token verified at the edges of its validity', async () => {
    setClock(NOW)
    const result = await createVapidAuthorization({ keys, audience, subject, expiration: NOW + 60 })
    const headers = { authorization: result.authorization }
    setClock(NOW + 59)
    await expect(verifyVapidAuthorization(headers, { audience })).resolves.toBeDefined()
    setClock(NOW + 60)
    await expect(verifyVapidAuthorization(headers, { audience })).rejects.toMatchObject({
      code: 'ERR_VAPID_INVALID_CLAIMS',
      claim: 'exp',
    })
    await expect(
      verifyVapidAuthorization(headers, { audience, clockToleranceSeconds: 5 }),
    ).resolves.toBeDefined()
  })
})
