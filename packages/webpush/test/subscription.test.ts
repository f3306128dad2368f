import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { WebPushError } from '../src/errors.ts'
import { isP256PublicKey } from '../src/internal/p256.ts'
import { importUserAgentKey } from '../src/internal/webcrypto.ts'
import {
  MAX_ENDPOINT_LENGTH,
  isValidSubscription,
  validateSubscription,
} from '../src/subscription.ts'
import { b64u, createUserAgent } from './helpers/receiver.ts'
import { bytes, vector } from './helpers/vectors.ts'

const example = vector('rfc8291-appendix-a')
const valid = example.subscription!
const p256dh = bytes(example.input.ua_public)
const auth = bytes(example.input.auth_secret)

function withKeys(keys: Record<string, unknown>): unknown {
  return { endpoint: valid.endpoint, keys: { ...valid.keys, ...keys } }
}

function failure(input: unknown, options?: { allowHttp?: boolean }): WebPushError {
  try {
    validateSubscription(input, options)
  } catch (error) {
    expect(error).toBeInstanceOf(WebPushError)
    expect((error as WebPushError).code).toBe('ERR_WEBPUSH_INVALID_SUBSCRIPTION')
    return error as WebPushError
  }
  throw new Error('expected validateSubscription to throw')
}

describe('validateSubscription: accepted shapes', () => {
  it('accepts PushSubscription.toJSON() and decodes the keys', () => {
    const subscription = validateSubscription({ ...valid, expirationTime: null })
    expect(subscription.endpoint).toBe(valid.endpoint)
    expect(subscription.origin).toBe('https://push.example.net')
    expect(subscription.expirationTime).toBeNull()
    expect(subscription.p256dh).toEqual(p256dh)
    expect(subscription.auth).toEqual(auth)
    expect(Object.isFrozen(subscription)).toBe(true)
  })

  it('serializes back to the PushSubscriptionJSON shape', () => {
    const subscription = validateSubscription(valid)
    expect(JSON.parse(JSON.stringify(subscription))).toEqual({ ...valid, expirationTime: null })
    expect({ ...subscription }.keys).toEqual(valid.keys)
  })

  it('tolerates base64 instead of base64url, and padding, and canonicalizes', () => {
    const standard = {
      p256dh: Buffer.from(p256dh).toString('base64'),
      auth: Buffer.from(auth).toString('base64'),
    }
    expect(standard.p256dh).toMatch(/[+/=]/)
    const subscription = validateSubscription(withKeys(standard))
    expect(subscription.keys).toEqual(valid.keys)
    const padded = validateSubscription(withKeys({ auth: `${valid.keys.auth}==` }))
    expect(padded.auth).toEqual(auth)
  })

  it('parses a JSON string', () => {
    expect(validateSubscription(JSON.stringify(valid)).p256dh).toEqual(p256dh)
  })

  it('keeps query strings such as the WNS ?token=', () => {
    const endpoint = 'https://wns2-par02p.notify.windows.com/w/?token=BQYAAAB%2bA%3d%3d'
    expect(validateSubscription({ ...valid, endpoint }).endpoint).toBe(endpoint)
  })

  it('accepts http: only with allowHttp', () => {
    const local = { ...valid, endpoint: 'http://127.0.0.1:8080/push/1' }
    expect(failure(local).reason).toBe('protocol')
    expect(validateSubscription(local, { allowHttp: true }).origin).toBe('http://127.0.0.1:8080')
  })

  it('accepts a numeric expirationTime', () => {
    expect(
      validateSubscription({ ...valid, expirationTime: 1_900_000_000_000 }).expirationTime,
    ).toBe(1_900_000_000_000)
  })

  it('returns copies: mutating the decoded keys does not change the subscription', () => {
    const subscription = validateSubscription(valid)
    subscription.auth.fill(0)
    expect(validateSubscription(subscription).auth).toEqual(auth)
  })

  it('isValidSubscription answers without throwing', () => {
    expect(isValidSubscription(valid)).toBe(true)
    expect(isValidSubscription({})).toBe(false)
  })
})

describe('validateSubscription: every failure has a code, a field and a reason', () => {
  const cases: [string, unknown, string, string][] = [
    ['not an object', 42, '', 'type'],
    ['an array', [valid], '', 'type'],
    ['a string that is not JSON', '{endpoint', '', 'json'],
    ['no endpoint', { keys: valid.keys }, 'endpoint', 'missing'],
    ['a numeric endpoint', { ...valid, endpoint: 7 }, 'endpoint', 'type'],
    ['a relative endpoint', { ...valid, endpoint: '/push/1' }, 'endpoint', 'url'],
    ['an ftp: endpoint', { ...valid, endpoint: 'ftp://push.example/1' }, 'endpoint', 'protocol'],
    ['an http: endpoint', { ...valid, endpoint: 'http://push.example/1' }, 'endpoint', 'protocol'],
    [
      'credentials in the endpoint',
      { ...valid, endpoint: 'https://user:pw@push.example/1' },
      'endpoint',
      'credentials',
    ],
    [
      'a too long endpoint',
      { ...valid, endpoint: `https://push.example/${'a'.repeat(MAX_ENDPOINT_LENGTH)}` },
      'endpoint',
      'too-long',
    ],
    ['no keys', { endpoint: valid.endpoint }, 'keys', 'missing'],
    ['keys as a string', { endpoint: valid.endpoint, keys: 'x' }, 'keys', 'type'],
    [
      'no p256dh',
      { endpoint: valid.endpoint, keys: { auth: valid.keys.auth } },
      'keys.p256dh',
      'missing',
    ],
    ['a numeric p256dh', withKeys({ p256dh: 4 }), 'keys.p256dh', 'type'],
    ['a p256dh outside base64', withKeys({ p256dh: 'BCVx sr7N' }), 'keys.p256dh', 'encoding'],
    [
      'a p256dh of 64 octets',
      withKeys({ p256dh: b64u(p256dh.subarray(0, 64)) }),
      'keys.p256dh',
      'length',
    ],
    [
      'a compressed p256dh (33 octets)',
      withKeys({ p256dh: b64u(new Uint8Array([2, ...p256dh.subarray(1, 33)])) }),
      'keys.p256dh',
      'length',
    ],
    [
      'a p256dh without the 0x04 prefix',
      withKeys({ p256dh: b64u(new Uint8Array([5, ...p256dh.subarray(1)])) }),
      'keys.p256dh',
      'format',
    ],
    [
      'a p256dh off the curve',
      withKeys({ p256dh: b64u(new Uint8Array([...p256dh.subarray(0, 64), p256dh[64]! ^ 1])) }),
      'keys.p256dh',
      'not-on-curve',
    ],
    [
      'no auth',
      { endpoint: valid.endpoint, keys: { p256dh: valid.keys.p256dh } },
      'keys.auth',
      'missing',
    ],
    ['an object auth', withKeys({ auth: {} }), 'keys.auth', 'type'],
    [
      'misplaced padding in auth',
      withKeys({ auth: 'BTBZ=MqHH6r4Tts7J_aSIgg' }),
      'keys.auth',
      'encoding',
    ],
    [
      'auth with a dangling character',
      withKeys({ auth: `${valid.keys.auth}AAA` }),
      'keys.auth',
      'encoding',
    ],
    ['an auth of 15 octets', withKeys({ auth: b64u(auth.subarray(0, 15)) }), 'keys.auth', 'length'],
    ['an auth of 32 octets', withKeys({ auth: b64u(new Uint8Array(32)) }), 'keys.auth', 'length'],
    ['a string expirationTime', { ...valid, expirationTime: 'soon' }, 'expirationTime', 'type'],
    ['a negative expirationTime', { ...valid, expirationTime: -1 }, 'expirationTime', 'range'],
    [
      'an infinite expirationTime',
      { ...valid, expirationTime: Infinity },
      'expirationTime',
      'range',
    ],
  ]
  for (const [title, input, field, reason] of cases) {
    it(`refuses ${title} (${field || 'input'}: ${reason})`, () => {
      const error = failure(input)
      expect(error.field).toBe(field)
      expect(error.reason).toBe(reason)
    })
  }

  it('never puts key bytes in the message', () => {
    const error = failure(withKeys({ auth: b64u(auth.subarray(0, 15)) }))
    expect(error.message).not.toContain(b64u(auth.subarray(0, 15)))
    expect(error.message).toContain('15')
  })
})

describe('P-256 point validation', () => {
  it('agrees with WebCrypto on random points and on mutated points', async () => {
    const userAgent = await createUserAgent()
    expect(isP256PublicKey(userAgent.publicKey)).toBe(true)
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 255 }),
        async (index, flip) => {
          const point = userAgent.publicKey.slice()
          point[index]! ^= flip
          const ours = isP256PublicKey(point)
          const webCrypto = await importUserAgentKey(point).then(
            () => true,
            (error: unknown) => {
              expect(error).toMatchObject({
                code: 'ERR_WEBPUSH_INVALID_SUBSCRIPTION',
                reason: 'not-on-curve',
              })
              return false
            },
          )
          expect(ours).toBe(webCrypto)
        },
      ),
      { numRuns: 150 },
    )
  })

  it('rejects coordinates at or above p', () => {
    const point = new Uint8Array(65).fill(0xff)
    point[0] = 4
    expect(isP256PublicKey(point)).toBe(false)
  })
})
