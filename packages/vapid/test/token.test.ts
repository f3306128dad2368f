// VAPID token claims (RFC 8292 §2, §2.1) with a fake clock: exp default and limits, sub rules
// (mailto:/https:, no localhost contacts), aud as an origin, extra claims.
import { compactVerify } from 'jose/jws/compact/verify'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  createVapidToken,
  DEFAULT_EXPIRATION_SECONDS,
  importVapidKeys,
  MAX_EXPIRATION_SECONDS,
  validateVapidSubject,
  type VapidKeys,
} from '../src/index.ts'
import { decodeJwtPart, setClock, TEST_PRIVATE_KEY } from './helpers.ts'

const NOW = 1_700_000_000
const audience = 'https://push.example.net'
const subject = 'mailto:push@example.com'
let keys: VapidKeys

beforeAll(async () => {
  keys = await importVapidKeys(TEST_PRIVATE_KEY)
})

afterEach(() => {
  vi.useRealTimers()
})

function claimsOf(token: string): Record<string, unknown> {
  return decodeJwtPart(token.split('.')[1]!)
}

describe('createVapidToken', () => {
  it('signs {"typ":"JWT","alg":"ES256"} with aud, exp, sub, verifiable with jose', async () => {
    setClock(NOW)
    const token = await createVapidToken({ keys, audience, subject })
    expect(decodeJwtPart(token.split('.')[0]!)).toEqual({ typ: 'JWT', alg: 'ES256' })
    expect(claimsOf(token)).toEqual({
      aud: audience,
      exp: NOW + DEFAULT_EXPIRATION_SECONDS,
      sub: subject,
    })
    const { payload } = await compactVerify(token, keys.publicKey, { algorithms: ['ES256'] })
    expect(JSON.parse(new TextDecoder().decode(payload))).toMatchObject({ aud: audience })
    // RFC 7518 §3.4: the JWS signature is R || S, 64 bytes (86 base64url characters)
    expect(token.split('.')[2]).toHaveLength(86)
  })

  it('defaults exp to now + 12 h, rounding the clock down to whole seconds', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(NOW * 1000 + 999)
    const token = await createVapidToken({ keys, audience, subject })
    expect(claimsOf(token).exp).toBe(NOW + 43_200)
  })

  it('takes an explicit exp up to exactly 24 h ahead', async () => {
    setClock(NOW)
    for (const expiration of [NOW + 1, NOW + 3600, NOW + MAX_EXPIRATION_SECONDS]) {
      const token = await createVapidToken({ keys, audience, subject, expiration })
      expect(claimsOf(token).exp).toBe(expiration)
    }
  })

  it('rejects exp in the past, now, or more than 24 h ahead (RangeError)', async () => {
    setClock(NOW)
    for (const expiration of [NOW - 1, NOW, NOW + MAX_EXPIRATION_SECONDS + 1, NOW * 10]) {
      await expect(createVapidToken({ keys, audience, subject, expiration })).rejects.toThrow(
        RangeError,
      )
    }
    for (const expiration of [NOW + 0.5, Number.NaN, Infinity]) {
      await expect(createVapidToken({ keys, audience, subject, expiration })).rejects.toThrow(
        RangeError,
      )
    }
    await expect(
      createVapidToken({ keys, audience, subject, expiration: String(NOW + 60) as never }),
    ).rejects.toThrow(TypeError)
  })

  it('moves the 24 h limit with the clock', async () => {
    setClock(NOW)
    const expiration = NOW + MAX_EXPIRATION_SECONDS + 100
    await expect(createVapidToken({ keys, audience, subject, expiration })).rejects.toThrow(
      RangeError,
    )
    setClock(NOW + 100)
    await expect(createVapidToken({ keys, audience, subject, expiration })).resolves.toEqual(
      expect.any(String),
    )
  })

  it('adds extra claims after aud, exp, sub', async () => {
    setClock(NOW)
    const token = await createVapidToken({
      keys,
      audience,
      subject,
      claims: { jti: 'abc', nested: { a: [1, 2] } },
    })
    expect(claimsOf(token)).toEqual({
      aud: audience,
      exp: NOW + DEFAULT_EXPIRATION_SECONDS,
      sub: subject,
      jti: 'abc',
      nested: { a: [1, 2] },
    })
    expect(Object.keys(claimsOf(token))).toEqual(['aud', 'exp', 'sub', 'jti', 'nested'])
  })

  it('does not let claims override aud, exp or sub', async () => {
    for (const claims of [{ aud: 'https://evil.example' }, { exp: 1 }, { sub: 'mailto:a@b.c' }]) {
      await expect(createVapidToken({ keys, audience, subject, claims })).rejects.toThrow(TypeError)
    }
    await expect(
      createVapidToken({ keys, audience, subject, claims: 'jti=1' as never }),
    ).rejects.toThrow(TypeError)
  })

  it('requires the audience to be an origin', async () => {
    for (const bad of [
      'https://push.example.net/',
      'https://push.example.net/p/abc',
      'https://PUSH.example.net',
      'https://push.example.net:443',
      'push.example.net',
      'ftp://push.example.net',
      'https://push.example.net?x=1',
      '',
    ]) {
      await expect(createVapidToken({ keys, audience: bad, subject })).rejects.toThrow(TypeError)
    }
    await expect(createVapidToken({ keys, audience: 42 as never, subject })).rejects.toThrow(
      TypeError,
    )
    for (const good of ['https://push.example.net:8443', 'http://localhost:8090']) {
      await expect(createVapidToken({ keys, audience: good, subject })).resolves.toEqual(
        expect.any(String),
      )
    }
  })

  it('rejects bad keys and unknown options', async () => {
    await expect(createVapidToken({ keys: {} as never, audience, subject })).rejects.toThrow(
      TypeError,
    )
    await expect(
      createVapidToken({ keys, audience, subject, expires: NOW } as never),
    ).rejects.toThrow(TypeError)
    await expect(createVapidToken(undefined as never)).rejects.toThrow(TypeError)
  })
})

describe('subject (RFC 8292 §2.1)', () => {
  it.each([
    'mailto:push@example.com',
    'mailto:Push.Team+alerts@sub.example.co.uk',
    'mailto:push@example.com?subject=web%20push',
    'https://example.com',
    'https://example.com/contact',
    'mailto:ops@localhost.example.com',
    'mailto:ops@example.com,oncall@example.org',
  ])('accepts %s', async (good) => {
    expect(validateVapidSubject(good)).toBe(good)
    await expect(createVapidToken({ keys, audience, subject: good })).resolves.toEqual(
      expect.any(String),
    )
  })

  it.each([
    ['localhost mailto', 'mailto:admin@localhost'],
    ['localhost with a trailing dot', 'mailto:admin@localhost.'],
    ['upper-case localhost', 'mailto:admin@LOCALHOST'],
    ['a .localhost name', 'mailto:admin@app.localhost'],
    ['a loopback address', 'mailto:admin@[127.0.0.1]'],
    ['percent-encoded @localhost', 'mailto:admin%40localhost'],
    ['localhost https', 'https://localhost'],
    ['localhost https with port and path', 'https://localhost:8443/contact'],
    ['loopback https', 'https://127.0.0.1/'],
    ['IPv6 loopback https', 'https://[::1]/'],
    ['a space after mailto: (Apple rejects it)', 'mailto: push@example.com'],
    ['a trailing newline', 'mailto:push@example.com\n'],
    ['a control character', 'mailto:push@example.com\u0000'],
    ['no address', 'mailto:'],
    ['no domain', 'mailto:push@'],
    ['no local part', 'mailto:@example.com'],
    ['not an address', 'mailto:push'],
    ['bad percent-encoding', 'mailto:push%zz@example.com'],
    ['http', 'http://example.com'],
    ['another scheme', 'tel:+15555550100'],
    ['upper-case scheme', 'MAILTO:push@example.com'],
    ['a bare address', 'push@example.com'],
    ['a localhost address among several', 'mailto:ops@example.com,admin@localhost'],
    ['an empty address among several', 'mailto:ops@example.com,'],
    ['an empty string', ''],
  ])('rejects %s', async (_, bad) => {
    expect(() => validateVapidSubject(bad)).toThrow(TypeError)
    await expect(createVapidToken({ keys, audience, subject: bad })).rejects.toThrow(TypeError)
  })

  it('rejects non-strings', () => {
    expect(() => validateVapidSubject(42 as never)).toThrow(TypeError)
  })
})
