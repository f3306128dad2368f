// The verify side (RFC 8292 §3, §4): header parsing in both forms, signature, aud/exp/sub rules,
// each failure with its code.
import { SignJWT } from 'jose/jwt/sign'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  generateVapidKeys,
  importVapidKeys,
  parseVapidAuthorization,
  verifyVapidAuthorization,
  type VapidKeys,
} from '../src/index.ts'
import { setClock, TEST_PRIVATE_KEY, TEST_PUBLIC_KEY } from './helpers.ts'

const NOW = 1_700_000_000
const audience = 'https://push.example.net'
let keys: VapidKeys

beforeAll(async () => {
  keys = await importVapidKeys(TEST_PRIVATE_KEY)
})

afterEach(() => {
  vi.useRealTimers()
})

// Signs arbitrary claims/header with the test key, bypassing createVapidToken's checks.
async function sign(
  claims: Record<string, unknown>,
  header: Record<string, unknown> = { typ: 'JWT', alg: 'ES256' },
  signer: VapidKeys = keys,
): Promise<string> {
  return new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(signer.privateKey)
}

const good = { aud: audience, exp: NOW + 3600, sub: 'mailto:push@example.com' }

async function verifyToken(token: string, options: Record<string, unknown> = {}): Promise<unknown> {
  return verifyVapidAuthorization(
    { authorization: `vapid t=${token}, k=${TEST_PUBLIC_KEY}` },
    { audience, ...options },
  )
}

describe('parseVapidAuthorization', () => {
  const t = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiJ9.e30.c2ln'
  const k = TEST_PUBLIC_KEY

  it.each([
    ['canonical', `vapid t=${t}, k=${k}`],
    ['k first', `vapid k=${k}, t=${t}`],
    ['no space after the comma', `vapid t=${t},k=${k}`],
    ['extra whitespace and tabs', `  vapid \t t = ${t} ,\t k = ${k}  `],
    ['upper-case scheme and names', `VAPID T=${t}, K=${k}`],
    ['quoted values', `vapid t="${t}", k="${k}"`],
    ['empty list elements', `vapid ,t=${t},, k=${k},`],
    ['an unknown parameter', `vapid t=${t}, k=${k}, v=1`],
  ])('reads the vapid form: %s', (_, authorization) => {
    expect(parseVapidAuthorization({ authorization })).toEqual({
      scheme: 'vapid',
      token: t,
      key: k,
    })
  })

  it.each([
    ['p256ecdsa alone', `p256ecdsa=${k}`],
    [
      'after dh, ";"-separated',
      `dh=BNoRDbb84JGm8g5Z5CFxurSqsXWJ11ItfXEWYVLE85Y7CYkDjXsIEc4aqxYaQ1G8BqkXCJ6DPpDrWtdWj_mugHU;p256ecdsa=${k}`,
    ],
    ['","-separated with spaces', `keyid=p256dh; dh=BNoR, p256ecdsa=${k}`],
    ['quoted', `p256ecdsa="${k}"`],
    ['repeated with the same value', `p256ecdsa=${k};p256ecdsa=${k}`],
  ])('reads the WebPush form with Crypto-Key: %s', (_, cryptoKey) => {
    expect(parseVapidAuthorization({ authorization: `WebPush ${t}`, cryptoKey })).toEqual({
      scheme: 'webpush',
      token: t,
      key: k,
    })
  })

  it('reads the WebPush form without Crypto-Key', () => {
    expect(parseVapidAuthorization({ authorization: `webpush ${t}`, cryptoKey: null })).toEqual({
      scheme: 'webpush',
      token: t,
      key: undefined,
    })
  })

  it.each([
    ['missing', undefined],
    ['null', null],
    ['empty', ''],
    ['blank', '   '],
    ['another scheme', `Bearer ${t}`],
    ['GCM key=', 'key=AIzaSy'],
    ['vapid without parameters', 'vapid'],
    ['vapid without k', `vapid t=${t}`],
    ['vapid without t', `vapid k=${k}`],
    ['vapid with t twice', `vapid t=${t}, t=${t}, k=${k}`],
    ['vapid with an empty value', `vapid t=, k=${k}`],
    ['vapid with an unclosed quote', `vapid t="${t}, k=${k}`],
    ['vapid with a missing "="', `vapid t ${t}, k=${k}`],
    ['vapid with junk between parameters', `vapid t=${t} junk, k=${k}`],
    ['WebPush without a token', 'WebPush'],
    ['WebPush with two tokens', `WebPush ${t} ${t}`],
    ['WebPush with parameters', `WebPush t=${t}, k=${k}`],
    ['too long', `vapid t=${'a'.repeat(9000)}, k=${k}`],
  ])('rejects %s (ERR_VAPID_INVALID_AUTHORIZATION)', (_, authorization) => {
    expect(() => parseVapidAuthorization({ authorization })).toThrow(
      expect.objectContaining({ code: 'ERR_VAPID_INVALID_AUTHORIZATION' }),
    )
  })

  it('rejects a malformed or conflicting Crypto-Key', () => {
    const other =
      'BA1Hxzyi1RUM1b5wjxsn7nGxAszw2u61m164i3MrAIxHF6YK5h4SDYic-dRuU_RCPCfA5aq9ojSwk5Y2EmClBPs'
    for (const cryptoKey of [
      `p256ecdsa=${k};p256ecdsa=${other}`,
      'p256ecdsa',
      'p256ecdsa="x',
      '=x',
    ]) {
      expect(() => parseVapidAuthorization({ authorization: `WebPush ${t}`, cryptoKey })).toThrow(
        expect.objectContaining({ code: 'ERR_VAPID_INVALID_AUTHORIZATION' }),
      )
    }
  })

  it('rejects headers of the wrong type (TypeError)', () => {
    expect(() => parseVapidAuthorization(undefined as never)).toThrow(TypeError)
    expect(() => parseVapidAuthorization({ authorization: 42 as never })).toThrow(TypeError)
    expect(() =>
      parseVapidAuthorization({ authorization: `WebPush ${t}`, cryptoKey: [] as never }),
    ).toThrow(TypeError)
  })
})

describe('verifyVapidAuthorization', () => {
  it('accepts a good token', async () => {
    setClock(NOW)
    await expect(verifyToken(await sign(good))).resolves.toMatchObject({ claims: good })
  })

  it('uses the expected key for the WebPush form without Crypto-Key, and fails without one', async () => {
    setClock(NOW)
    const authorization = `WebPush ${await sign(good)}`
    await expect(
      verifyVapidAuthorization({ authorization }, { audience, publicKey: TEST_PUBLIC_KEY }),
    ).resolves.toMatchObject({ scheme: 'webpush' })
    await expect(verifyVapidAuthorization({ authorization }, { audience })).rejects.toMatchObject({
      code: 'ERR_VAPID_INVALID_AUTHORIZATION',
    })
  })

  describe('token and signature (ERR_VAPID_INVALID_TOKEN)', () => {
    it('rejects a token signed by another key than k', async () => {
      setClock(NOW)
      const other = await generateVapidKeys()
      await expect(verifyToken(await sign(good, undefined, other))).rejects.toMatchObject({
        code: 'ERR_VAPID_INVALID_TOKEN',
      })
    })

    it('rejects tampered claims', async () => {
      setClock(NOW)
      const [header, , signature] = (await sign(good)).split('.')
      const forged = btoa(JSON.stringify({ ...good, sub: 'mailto:evil@example.com' }))
        .replaceAll('+', '-')
        .replaceAll('/', '_')
        .replace(/=+$/, '')
      await expect(verifyToken(`${header}.${forged}.${signature}`)).rejects.toMatchObject({
        code: 'ERR_VAPID_INVALID_TOKEN',
      })
    })

    it('rejects other algorithms and unsigned tokens', async () => {
      setClock(NOW)
      const hs256 = await new SignJWT(good)
        .setProtectedHeader({ alg: 'HS256' })
        .sign(new Uint8Array(32).fill(1))
      const [, payload] = hs256.split('.')
      const none = `${btoa('{"alg":"none"}').replace(/=+$/, '')}.${payload}.`
      for (const token of [hs256, none]) {
        await expect(verifyToken(token)).rejects.toMatchObject({ code: 'ERR_VAPID_INVALID_TOKEN' })
      }
    })

    it('rejects malformed JWTs', async () => {
      setClock(NOW)
      const token = await sign(good)
      for (const bad of [
        'abc',
        token.split('.').slice(0, 2).join('.'),
        `${token}.extra`,
        token.replace('.', '.!'),
        token.slice(0, -10),
      ]) {
        await expect(verifyToken(bad)).rejects.toMatchObject({ code: 'ERR_VAPID_INVALID_TOKEN' })
      }
    })

    it('rejects a payload that is not a JSON object', async () => {
      setClock(NOW)
      const { CompactSign } = await import('jose/jws/compact/sign')
      for (const payload of ['[1,2]', 'not json', '"text"']) {
        const token = await new CompactSign(new TextEncoder().encode(payload))
          .setProtectedHeader({ alg: 'ES256' })
          .sign(keys.privateKey)
        await expect(verifyToken(token)).rejects.toMatchObject({ code: 'ERR_VAPID_INVALID_TOKEN' })
      }
    })
  })

  describe('the k key (ERR_VAPID_INVALID_KEY)', () => {
    it('rejects k that is not base64url, the wrong length, compressed or off the curve', async () => {
      setClock(NOW)
      const token = await sign(good)
      const bytes = Uint8Array.from(
        atob(TEST_PUBLIC_KEY.replaceAll('-', '+').replaceAll('_', '/')),
        (c) => c.charCodeAt(0),
      )
      const encode = (b: Uint8Array): string =>
        btoa(String.fromCharCode(...b))
          .replaceAll('+', '-')
          .replaceAll('/', '_')
          .replace(/=+$/, '')
      const offCurve = Uint8Array.from(bytes)
      offCurve[64] = offCurve[64]! ^ 1
      const compressed = new Uint8Array([2 + (bytes[64]! & 1), ...bytes.subarray(1, 33)])
      for (const k of [
        `${TEST_PUBLIC_KEY.slice(0, -1)}+`,
        TEST_PUBLIC_KEY.slice(0, 40),
        encode(offCurve),
        encode(compressed),
        encode(new Uint8Array(65)),
      ]) {
        await expect(
          verifyVapidAuthorization({ authorization: `vapid t=${token}, k=${k}` }, { audience }),
        ).rejects.toMatchObject({ code: 'ERR_VAPID_INVALID_KEY' })
      }
    })

    it('tolerates padding on k', async () => {
      setClock(NOW)
      const token = await sign(good)
      await expect(
        verifyVapidAuthorization(
          { authorization: `vapid t=${token}, k=${TEST_PUBLIC_KEY}=` },
          { audience },
        ),
      ).resolves.toBeDefined()
    })
  })

  describe('claims (ERR_VAPID_INVALID_CLAIMS)', () => {
    it.each([
      ['aud missing', { exp: good.exp, sub: good.sub }, 'aud'],
      ['aud with a path', { ...good, aud: `${audience}/` }, 'aud'],
      ['aud of another service', { ...good, aud: 'https://push.example.com' }, 'aud'],
      ['aud as a number', { ...good, aud: 1 }, 'aud'],
      ['exp missing', { aud: audience, sub: good.sub }, 'exp'],
      ['exp as a string', { ...good, exp: String(good.exp) }, 'exp'],
      ['exp in the past', { ...good, exp: NOW - 1 }, 'exp'],
      ['exp now', { ...good, exp: NOW }, 'exp'],
      ['exp more than 24 h ahead', { ...good, exp: NOW + 86_401 }, 'exp'],
      ['nbf in the future', { ...good, nbf: NOW + 10 }, 'nbf'],
      ['nbf not a number', { ...good, nbf: 'soon' }, 'nbf'],
      ['sub missing', { aud: audience, exp: good.exp }, 'sub'],
      ['sub not a URI', { ...good, sub: 'push@example.com' }, 'sub'],
      ['sub http:', { ...good, sub: 'http://example.com' }, 'sub'],
      ['sub not a string', { ...good, sub: 42 }, 'sub'],
    ])('rejects %s', async (_, claims, claim) => {
      setClock(NOW)
      await expect(verifyToken(await sign(claims))).rejects.toMatchObject({
        code: 'ERR_VAPID_INVALID_CLAIMS',
        claim,
      })
    })

    it('accepts exp exactly 24 h ahead, an aud array including the origin, and past nbf', async () => {
      setClock(NOW)
      for (const claims of [
        { ...good, exp: NOW + 86_400 },
        { ...good, aud: ['https://other.example', audience] },
        { ...good, nbf: NOW - 10 },
        { ...good, sub: 'https://example.com/contact' },
      ]) {
        await expect(verifyToken(await sign(claims))).resolves.toMatchObject({ claims })
      }
    })

    it('honours maxExpirationSeconds, clockToleranceSeconds and requireSubject', async () => {
      setClock(NOW)
      const hourAhead = await sign({ ...good, exp: NOW + 3600 })
      await expect(verifyToken(hourAhead, { maxExpirationSeconds: 3599 })).rejects.toMatchObject({
        code: 'ERR_VAPID_INVALID_CLAIMS',
        claim: 'exp',
      })
      await expect(verifyToken(hourAhead, { maxExpirationSeconds: 3600 })).resolves.toBeDefined()
      const farAhead = await sign({ ...good, exp: NOW + 2 * 86_400 })
      await expect(
        verifyToken(farAhead, { maxExpirationSeconds: 2 * 86_400 }),
      ).resolves.toBeDefined()
      const justExpired = await sign({ ...good, exp: NOW - 5 })
      await expect(verifyToken(justExpired, { clockToleranceSeconds: 10 })).resolves.toBeDefined()
      await expect(verifyToken(justExpired, { clockToleranceSeconds: 5 })).rejects.toMatchObject({
        claim: 'exp',
      })
      const noSub = await sign({ aud: audience, exp: NOW + 60 })
      await expect(verifyToken(noSub, { requireSubject: false })).resolves.toMatchObject({
        claims: { aud: audience },
      })
    })
  })

  it('rejects malformed options (TypeError/RangeError)', async () => {
    const headers = { authorization: `vapid t=a.b.c, k=${TEST_PUBLIC_KEY}` }
    await expect(verifyVapidAuthorization(headers, undefined as never)).rejects.toThrow(TypeError)
    await expect(
      verifyVapidAuthorization(headers, { audience: 'push.example.net' }),
    ).rejects.toThrow(TypeError)
    await expect(
      verifyVapidAuthorization(headers, { audience: `${audience}/p/1` }),
    ).rejects.toThrow(TypeError)
    await expect(
      verifyVapidAuthorization(headers, { audience, maxExpirationSeconds: 0 }),
    ).rejects.toThrow(RangeError)
    await expect(
      verifyVapidAuthorization(headers, { audience, clockToleranceSeconds: -1 }),
    ).rejects.toThrow(RangeError)
    await expect(
      verifyVapidAuthorization(headers, { audience, requireSubject: 'no' as never }),
    ).rejects.toThrow(TypeError)
    await expect(
      verifyVapidAuthorization(headers, { audience, aud: 'x' } as never),
    ).rejects.toThrow(TypeError)
  })

  it('reports a malformed expected key as ERR_VAPID_INVALID_KEY', async () => {
    const headers = { authorization: `vapid t=a.b.c, k=${TEST_PUBLIC_KEY}` }
    await expect(
      verifyVapidAuthorization(headers, { audience, publicKey: 'not-a-key' }),
    ).rejects.toMatchObject({ code: 'ERR_VAPID_INVALID_KEY' })
  })
})
