import { beforeAll, describe, expect, it } from 'vitest'
import {
  createVapidAuthorization,
  generateVapidKeys,
  verifyVapidAuthorization,
  VapidTokenCache,
  type VapidKeys,
} from '@pushcraft/vapid'
import { DEFAULT_TTL } from '../src/headers.ts'
import { MAX_AESGCM_PAYLOAD_BYTES, MAX_BODY_BYTES, MAX_PAYLOAD_BYTES } from '../src/padding.ts'
import { buildPushRequest, type PushRequestOptions } from '../src/request.ts'
import { validateSubscription } from '../src/subscription.ts'
import { createUserAgent, receivePushMessage, type UserAgent } from './helpers/receiver.ts'

let ua: UserAgent
let keys: VapidKeys
const subject = 'mailto:push@example.com'
const text = new TextDecoder()

beforeAll(async () => {
  ua = await createUserAgent()
  keys = await generateVapidKeys()
})

async function build(payload: string | Uint8Array | null, options?: PushRequestOptions) {
  return buildPushRequest(ua.subscription, payload, options)
}

async function roundTrip(payload: string, options?: PushRequestOptions): Promise<string> {
  const request = await build(payload, options)
  return text.decode((await receivePushMessage(request, ua))!)
}

describe('buildPushRequest: request shape', () => {
  it('POSTs the encrypted payload to the endpoint with lower-case headers', async () => {
    const request = await build('hello')
    expect(request.url).toBe(ua.subscription.endpoint)
    expect(request.method).toBe('POST')
    expect(request.headers).toEqual({
      ttl: String(DEFAULT_TTL),
      'content-encoding': 'aes128gcm',
      'content-type': 'application/octet-stream',
      'content-length': String(request.body!.length),
    })
    expect(request.body!.length).toBe(86 + 5 + 1 + 16)
    expect(text.decode((await receivePushMessage(request, ua))!)).toBe('hello')
  })

  it('uses a fresh ephemeral key and salt per message', async () => {
    const [a, b] = await Promise.all([build('same'), build('same')])
    expect(a.body!.subarray(0, 16)).not.toEqual(b.body!.subarray(0, 16))
    expect(a.body!.subarray(21, 86)).not.toEqual(b.body!.subarray(21, 86))
  })

  it('accepts bytes and a ValidatedSubscription', async () => {
    const payload = new Uint8Array([0, 1, 2, 255])
    const request = await buildPushRequest(validateSubscription(ua.subscription), payload)
    expect(await receivePushMessage(request, ua)).toEqual(payload)
  })

  it('reuses the imported key of a validated subscription across messages', async () => {
    const validated = validateSubscription(ua.subscription)
    const requests = await Promise.all(
      ['a', 'b', 'c'].map((text) => buildPushRequest(validated, text)),
    )
    const plaintexts = await Promise.all(requests.map((request) => receivePushMessage(request, ua)))
    expect(plaintexts.map((bytes) => new TextDecoder().decode(bytes!))).toEqual(['a', 'b', 'c'])
    // Each message still has its own ephemeral key.
    expect(
      new Set(
        requests.map((request) => Buffer.from(request.body!.subarray(21, 86)).toString('hex')),
      ).size,
    ).toBe(3)
  })

  it('sends a message without payload: no body, no Content-Encoding, Content-Length 0', async () => {
    const request = await build(null, { ttl: 60 })
    expect(request.body).toBeNull()
    expect(request.headers).toEqual({ ttl: '60', 'content-length': '0' })
    expect(await receivePushMessage(request, ua)).toBeNull()
    expect((await build(undefined as unknown as null)).body).toBeNull()
  })

  it('encrypts an empty string (distinct from no payload)', async () => {
    const request = await build('')
    expect(request.headers['content-encoding']).toBe('aes128gcm')
    expect(await receivePushMessage(request, ua)).toEqual(new Uint8Array(0))
  })

  it('refuses a payload that is neither text nor bytes (TypeError)', async () => {
    await expect(build(42 as unknown as string)).rejects.toThrow(TypeError)
  })

  it('refuses unknown option names (TypeError listing the valid ones)', async () => {
    await expect(build('x', { TTL: 5 } as unknown as PushRequestOptions)).rejects.toThrow(
      /valid options/,
    )
  })

  it('refuses a malformed subscription with ERR_WEBPUSH_INVALID_SUBSCRIPTION', async () => {
    const bad = { ...ua.subscription, keys: { ...ua.subscription.keys, auth: 'AAAA' } }
    await expect(buildPushRequest(bad, 'x')).rejects.toMatchObject({
      code: 'ERR_WEBPUSH_INVALID_SUBSCRIPTION',
      field: 'keys.auth',
    })
  })

  it('maps an off-curve p256dh found while encrypting to ERR_WEBPUSH_INVALID_SUBSCRIPTION', async () => {
    const point = Buffer.from(ua.subscription.keys.p256dh, 'base64url')
    point[64]! ^= 1
    const bad = {
      ...ua.subscription,
      keys: { ...ua.subscription.keys, p256dh: point.toString('base64url') },
    }
    await expect(buildPushRequest(bad, 'x')).rejects.toMatchObject({
      code: 'ERR_WEBPUSH_INVALID_SUBSCRIPTION',
      reason: 'not-on-curve',
    })
  })
})

describe('buildPushRequest: TTL, Urgency, Topic', () => {
  it('defaults TTL to 4 weeks and allows 0', async () => {
    expect((await build(null)).headers['ttl']).toBe('2419200')
    expect((await build(null, { ttl: 0 })).headers['ttl']).toBe('0')
    expect((await build(null, { ttl: 2_147_483_647 })).headers['ttl']).toBe('2147483647')
  })

  it('refuses a negative, fractional, huge or non-numeric TTL', async () => {
    await expect(build(null, { ttl: -1 })).rejects.toThrow(RangeError)
    await expect(build(null, { ttl: 2 ** 31 })).rejects.toThrow(RangeError)
    await expect(build(null, { ttl: 1.5 })).rejects.toThrow(TypeError)
    await expect(build(null, { ttl: '60' as unknown as number })).rejects.toThrow(TypeError)
  })

  it('sets each Urgency and refuses others', async () => {
    for (const urgency of ['very-low', 'low', 'normal', 'high'] as const) {
      expect((await build(null, { urgency })).headers['urgency']).toBe(urgency)
    }
    await expect(build(null, { urgency: 'urgent' as 'high' })).rejects.toThrow(RangeError)
    await expect(build(null, { urgency: 'HIGH' as 'high' })).rejects.toThrow(RangeError)
    await expect(build(null, { urgency: 3 as unknown as 'high' })).rejects.toThrow(TypeError)
  })

  it('sets a Topic of up to 32 base64url characters and refuses others', async () => {
    const topic = 'Az09-_'.repeat(5) + 'ab'
    expect(topic).toHaveLength(32)
    expect((await build(null, { topic })).headers['topic']).toBe(topic)
    await expect(build(null, { topic: `${topic}c` })).rejects.toThrow(RangeError)
    await expect(build(null, { topic: '' })).rejects.toThrow(RangeError)
    await expect(build(null, { topic: 'has space' })).rejects.toThrow(RangeError)
    await expect(build(null, { topic: 'a+b/c=' })).rejects.toThrow(RangeError)
  })
})

describe('buildPushRequest: custom headers', () => {
  it('adds custom headers with lower-case names', async () => {
    const request = await build(null, { headers: { 'X-WNS-Cache-Policy': 'cache' } })
    expect(request.headers['x-wns-cache-policy']).toBe('cache')
  })

  it('accepts [name, value] pairs and Headers objects', async () => {
    const fromPairs = await build(null, { headers: [['X-A', '1']] })
    expect(fromPairs.headers['x-a']).toBe('1')
    const fromHeaders = await build(null, { headers: new Headers({ 'X-B': '2' }) })
    expect(fromHeaders.headers['x-b']).toBe('2')
  })

  for (const name of [
    'TTL',
    'ttl',
    'Urgency',
    'topic',
    'Content-Encoding',
    'Authorization',
    'crypto-key',
    'Encryption',
    'Content-Length',
    'content-type',
    'Host',
  ]) {
    it(`refuses a custom "${name}" (managed, any case)`, async () => {
      await expect(build(null, { headers: { [name]: 'x' } })).rejects.toThrow(TypeError)
    })
  }

  it('refuses the same custom name twice in different cases', async () => {
    await expect(build(null, { headers: { 'X-Id': '1', 'x-id': '2' } })).rejects.toThrow(/twice/)
  })

  it('refuses invalid names and values with CR/LF', async () => {
    await expect(build(null, { headers: { 'bad name': 'x' } })).rejects.toThrow(TypeError)
    await expect(build(null, { headers: { 'X-A': 'a\r\nX-B: b' } })).rejects.toThrow(TypeError)
  })
})

describe('buildPushRequest: content codings', () => {
  it('aes128gcm (default) round-trips', async () => {
    expect(await roundTrip('päyload ✓')).toBe('päyload ✓')
  })

  it('aesgcm sets Encryption and Crypto-Key dh, and round-trips', async () => {
    const request = await build('legacy', { contentEncoding: 'aesgcm' })
    expect(request.headers['content-encoding']).toBe('aesgcm')
    expect(request.headers['encryption']).toMatch(/^salt=[A-Za-z0-9_-]{22}/)
    expect(request.headers['crypto-key']).toMatch(/^dh=[A-Za-z0-9_-]{87}$/)
    expect(request.body!.length).toBe(2 + 6 + 16)
    expect(text.decode((await receivePushMessage(request, ua))!)).toBe('legacy')
  })

  it('refuses an unknown coding (TypeError)', async () => {
    await expect(build('x', { contentEncoding: 'aesgcm128' as 'aesgcm' })).rejects.toThrow(
      TypeError,
    )
  })
})

describe('buildPushRequest: VAPID', () => {
  const audience = 'https://push.example.net'

  it('RFC 8292 "vapid" scheme by default for aes128gcm', async () => {
    const request = await build('x', { vapid: { keys, subject } })
    expect(request.headers['authorization']).toMatch(
      /^vapid t=[\w-]+\.[\w-]+\.[\w-]+, k=[\w-]{87}$/,
    )
    expect(request.headers['crypto-key']).toBeUndefined()
    const verified = await verifyVapidAuthorization(
      { authorization: request.headers['authorization'] },
      { audience, publicKey: keys.publicKeyBytes },
    )
    expect(verified.scheme).toBe('vapid')
    expect(verified.claims).toMatchObject({ aud: audience, sub: subject })
  })

  it('legacy "webpush" scheme: Authorization WebPush + Crypto-Key p256ecdsa', async () => {
    const request = await build('x', { vapid: { keys, subject }, vapidScheme: 'webpush' })
    expect(request.headers['authorization']).toMatch(/^WebPush [\w-]+\.[\w-]+\.[\w-]+$/)
    expect(request.headers['crypto-key']).toBe(`p256ecdsa=${keys.applicationServerKey}`)
    const verified = await verifyVapidAuthorization(
      { authorization: request.headers['authorization'], cryptoKey: request.headers['crypto-key'] },
      { audience },
    )
    expect(verified.scheme).toBe('webpush')
  })

  it('aesgcm defaults to the legacy scheme and joins dh and p256ecdsa in one Crypto-Key', async () => {
    const request = await build('x', { vapid: { keys, subject }, contentEncoding: 'aesgcm' })
    expect(request.headers['authorization']).toMatch(/^WebPush /)
    expect(request.headers['crypto-key']).toMatch(/^dh=[\w-]{87};p256ecdsa=[\w-]{87}$/)
    expect(text.decode((await receivePushMessage(request, ua))!)).toBe('x')
    await verifyVapidAuthorization(
      { authorization: request.headers['authorization'], cryptoKey: request.headers['crypto-key'] },
      { audience },
    )
  })

  it('aesgcm with the RFC 8292 scheme keeps Crypto-Key to dh', async () => {
    const request = await build('x', {
      vapid: { keys, subject },
      contentEncoding: 'aesgcm',
      vapidScheme: 'vapid',
    })
    expect(request.headers['authorization']).toMatch(/^vapid t=/)
    expect(request.headers['crypto-key']).toMatch(/^dh=[\w-]{87}$/)
  })

  it('signs a payloadless message too', async () => {
    const request = await build(null, { vapid: { keys, subject } })
    expect(request.headers['authorization']).toMatch(/^vapid /)
    expect(request.body).toBeNull()
  })

  it('reuses tokens through a VapidTokenCache', async () => {
    const cache = new VapidTokenCache()
    const a = await build('x', { vapid: { keys, subject, cache } })
    const b = await build('y', { vapid: { keys, subject, cache } })
    expect(a.headers['authorization']).toBe(b.headers['authorization'])
  })

  it('accepts prebuilt headers for the right audience', async () => {
    const prebuilt = await createVapidAuthorization({ keys, audience, subject })
    const request = await build('x', { vapid: prebuilt })
    expect(request.headers['authorization']).toBe(prebuilt.authorization)
    const legacy = await createVapidAuthorization({ keys, audience, subject, scheme: 'webpush' })
    const legacyRequest = await build('x', {
      vapid: { authorization: legacy.authorization, cryptoKey: legacy.cryptoKey! },
    })
    expect(legacyRequest.headers['crypto-key']).toBe(legacy.cryptoKey)
  })

  it('refuses prebuilt headers signed for another push service (RangeError)', async () => {
    const other = await createVapidAuthorization({
      keys,
      audience: 'https://fcm.googleapis.com',
      subject,
    })
    await expect(build('x', { vapid: other })).rejects.toThrow(RangeError)
  })

  it('refuses malformed VAPID options (TypeError)', async () => {
    await expect(build('x', { vapid: { authorization: 'Bearer abc' } })).rejects.toThrow(TypeError)
    const legacy = await createVapidAuthorization({ keys, audience, subject, scheme: 'webpush' })
    await expect(build('x', { vapid: { authorization: legacy.authorization } })).rejects.toThrow(
      /cryptoKey/,
    )
    await expect(build('x', { vapid: { keys, subject: 5 as unknown as string } })).rejects.toThrow(
      TypeError,
    )
    await expect(build('x', { vapidScheme: 'vapid' })).rejects.toThrow(TypeError)
    await expect(
      build('x', { vapid: { keys, subject }, vapidScheme: 'jwt' as 'vapid' }),
    ).rejects.toThrow(TypeError)
    await expect(build('x', { vapid: { keys, subject, extra: 1 } as never })).rejects.toThrow(
      TypeError,
    )
  })
})

describe('buildPushRequest: payload limit', () => {
  it(`accepts ${MAX_PAYLOAD_BYTES} bytes of aes128gcm payload: a ${MAX_BODY_BYTES}-byte body`, async () => {
    const request = await build(new Uint8Array(MAX_PAYLOAD_BYTES).fill(7))
    expect(request.body!.length).toBe(MAX_BODY_BYTES)
    expect(await receivePushMessage(request, ua)).toEqual(new Uint8Array(MAX_PAYLOAD_BYTES).fill(7))
  })

  it(`refuses ${MAX_PAYLOAD_BYTES + 1} bytes with ERR_WEBPUSH_PAYLOAD_TOO_LARGE and the sizes`, async () => {
    const error = await build(new Uint8Array(MAX_PAYLOAD_BYTES + 1)).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'ERR_WEBPUSH_PAYLOAD_TOO_LARGE', field: 'payload' })
    expect((error as Error).message).toContain('3994')
    expect((error as Error).message).toContain('4097')
    expect((error as Error).message).toContain('3993')
  })

  it('refuses an oversized payload before signing anything', async () => {
    const cache = new VapidTokenCache()
    await expect(
      build(new Uint8Array(MAX_PAYLOAD_BYTES + 1), { vapid: { keys, subject, cache } }),
    ).rejects.toMatchObject({ code: 'ERR_WEBPUSH_PAYLOAD_TOO_LARGE' })
    expect(cache.stats.signatures).toBe(0)
    expect(cache.stats.misses).toBe(0)
  })

  it('counts UTF-8 bytes, not characters', async () => {
    await expect(build('é'.repeat(2000))).rejects.toMatchObject({
      code: 'ERR_WEBPUSH_PAYLOAD_TOO_LARGE',
    })
  })

  it(`aesgcm fits ${MAX_AESGCM_PAYLOAD_BYTES} bytes and refuses one more`, async () => {
    const request = await build(new Uint8Array(MAX_AESGCM_PAYLOAD_BYTES), {
      contentEncoding: 'aesgcm',
    })
    expect(request.body!.length).toBe(MAX_BODY_BYTES)
    await expect(
      build(new Uint8Array(MAX_AESGCM_PAYLOAD_BYTES + 1), { contentEncoding: 'aesgcm' }),
    ).rejects.toMatchObject({ code: 'ERR_WEBPUSH_PAYLOAD_TOO_LARGE' })
  })

  it('honours a smaller maxBodyBytes and refuses an impossible one', async () => {
    await expect(build(new Uint8Array(1000), { maxBodyBytes: 1000 })).rejects.toMatchObject({
      code: 'ERR_WEBPUSH_PAYLOAD_TOO_LARGE',
    })
    expect((await build(new Uint8Array(897), { maxBodyBytes: 1000 })).body!.length).toBe(1000)
    await expect(build('x', { maxBodyBytes: 5000 })).rejects.toThrow(RangeError)
    await expect(build('x', { maxBodyBytes: 50 })).rejects.toThrow(RangeError)
  })
})

describe('buildPushRequest: padding', () => {
  it("'max' pads every body to 4096 octets", async () => {
    for (const size of [0, 1, 100, 3993]) {
      const request = await build(new Uint8Array(size).fill(1), { padding: 'max' })
      expect(request.body!.length).toBe(4096)
      expect((await receivePushMessage(request, ua))!.length).toBe(size)
    }
  })

  it('{ bucket } pads to the next multiple, capped at the budget', async () => {
    const small = await build(new Uint8Array(100), { padding: { bucket: 256 } })
    expect(small.body!.length).toBe(256 + 103)
    const edge = await build(new Uint8Array(3900), { padding: { bucket: 1024 } })
    expect(edge.body!.length).toBe(4096)
    expect((await receivePushMessage(edge, ua))!.length).toBe(3900)
  })

  it("'max' with aesgcm pads to 4096 octets too", async () => {
    const request = await build('hi', { padding: 'max', contentEncoding: 'aesgcm' })
    expect(request.body!.length).toBe(4096)
    expect(text.decode((await receivePushMessage(request, ua))!)).toBe('hi')
  })

  it('refuses unknown strategies', async () => {
    await expect(build('x', { padding: 'min' as 'max' })).rejects.toThrow(TypeError)
    await expect(build('x', { padding: { bucket: 0 } })).rejects.toThrow(RangeError)
  })
})
