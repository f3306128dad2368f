// The test of the test kit: a deliberately broken sender must be caught by the mock push service
// with the status a real service would answer, and nothing must be recorded as delivered.
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createMockPushService,
  type MockPushService,
  type PushSubscriptionJSON,
} from '../src/index.ts'
import {
  buildRequest,
  generateTestVapidKeys,
  post,
  send,
  type SendOptions,
  type TestVapidKeys,
} from './helpers/sender.ts'

describe('a broken sender is rejected by the mock push service', () => {
  let service: MockPushService
  let dispatcher: ReturnType<MockPushService['createDispatcher']>
  let vapid: TestVapidKeys
  let subscription: PushSubscriptionJSON

  beforeAll(async () => {
    service = await createMockPushService()
    dispatcher = service.createDispatcher()
    vapid = await generateTestVapidKeys()
    subscription = await service.createSubscription({ vapidPublicKey: vapid.applicationServerKey })
  })
  afterAll(async () => {
    await dispatcher.close()
    await service.close()
  })

  const now = () => Math.floor(Date.now() / 1000)
  const cases: {
    name: string
    options: () => SendOptions
    status: number
    errno: number
    reason: string
  }[] = [
    {
      name: 'wrong auth secret (aes128gcm)',
      options: () => ({ authSecret: new Uint8Array(16).fill(7) }),
      status: 400,
      errno: 110,
      reason: 'decryptionFailed',
    },
    {
      name: 'wrong auth secret (aesgcm)',
      options: () => ({ encoding: 'aesgcm', authSecret: new Uint8Array(16).fill(7) }),
      status: 400,
      errno: 110,
      reason: 'decryptionFailed',
    },
    {
      name: 'bit-flipped ciphertext (aes128gcm)',
      options: () => ({ flipBit: true }),
      status: 400,
      errno: 110,
      reason: 'decryptionFailed',
    },
    {
      name: 'bit-flipped ciphertext (aesgcm)',
      options: () => ({ encoding: 'aesgcm', flipBit: true }),
      status: 400,
      errno: 110,
      reason: 'decryptionFailed',
    },
    {
      name: 'wrong aud',
      options: () => ({ audience: 'https://push.example.net' }),
      status: 401,
      errno: 109,
      reason: 'badAudience',
    },
    {
      name: 'aud with a path',
      options: () => ({ audience: `${service.origin}/` }),
      status: 401,
      errno: 109,
      reason: 'badAudience',
    },
    {
      name: 'missing TTL',
      options: () => ({ ttl: null }),
      status: 400,
      errno: 111,
      reason: 'missingTtl',
    },
    {
      name: 'negative TTL',
      options: () => ({ headers: { ttl: '-1' } }),
      status: 400,
      errno: 112,
      reason: 'badTtl',
    },
    {
      name: 'expired JWT',
      options: () => ({ expiration: now() - 60 }),
      status: 401,
      errno: 109,
      reason: 'expiredJwt',
    },
    {
      name: 'JWT without exp',
      options: () => ({ expiration: null }),
      status: 401,
      errno: 109,
      reason: 'badExpiration',
    },
    {
      name: 'exp more than 24 h ahead',
      options: () => ({ expiration: now() + 86_400 + 600 }),
      status: 401,
      errno: 109,
      reason: 'badExpiration',
    },
    {
      name: 'sub that is not mailto:/https:',
      options: () => ({ subject: 'admin@example.com' }),
      status: 401,
      errno: 109,
      reason: 'badSubject',
    },
    {
      name: 'no VAPID at all',
      options: () => ({ vapid: null }),
      status: 401,
      errno: 109,
      reason: 'missingAuthorization',
    },
    {
      name: "another VAPID key than the subscription's",
      options: () => ({ vapid: undefined }),
      status: 401,
      errno: 109,
      reason: 'vapidKeyMismatch',
    },
    {
      name: 'bad Urgency',
      options: () => ({ urgency: 'urgent' }),
      status: 400,
      errno: 110,
      reason: 'badUrgency',
    },
    {
      name: 'bad Topic',
      options: () => ({ topic: 'this topic has spaces and is far too long' }),
      status: 400,
      errno: 113,
      reason: 'badTopic',
    },
    {
      name: 'unknown Content-Encoding',
      options: () => ({ headers: { 'content-encoding': 'gzip' } }),
      status: 400,
      errno: 110,
      reason: 'badEncoding',
    },
  ]

  for (const testCase of cases) {
    it(`${testCase.name} → ${testCase.status} errno ${testCase.errno}`, async () => {
      service.reset()
      const response = await send(subscription, 'secret payload', dispatcher, {
        vapid,
        ...testCase.options(),
      })
      expect(response.status).toBe(testCase.status)
      expect(JSON.parse(response.text)).toMatchObject({
        code: testCase.status,
        errno: testCase.errno,
      })
      expect(service.rejections.at(-1)?.reason).toBe(testCase.reason)
      expect(service.messages).toHaveLength(0)
    })
  }

  it('a token signed by another key than k= → 401 errno 109', async () => {
    service.reset()
    const other = await generateTestVapidKeys()
    const response = await send(subscription, 'x', dispatcher, { vapid, signWith: other })
    expect(response.status).toBe(401)
    expect(JSON.parse(response.text)).toMatchObject({ errno: 109 })
    expect(service.rejections.at(-1)?.reason).toBe('badJwt')
  })

  it('an oversize body (4097 bytes) → 413 errno 104', async () => {
    service.reset()
    // RFC 8291 §4: 86 header bytes (salt, rs, idlen, 65-byte keyid) + 1 delimiter + 16 tag.
    const response = await send(subscription, 'x'.repeat(4097 - 86 - 17), dispatcher, { vapid })
    expect(response.status).toBe(413)
    expect(JSON.parse(response.text)).toMatchObject({ code: 413, errno: 104 })
    expect(service.messages).toHaveLength(0)
  })

  it('the largest body (4096 bytes) is accepted', async () => {
    service.reset()
    const payload = 'y'.repeat(4096 - 86 - 17)
    const response = await send(subscription, payload, dispatcher, { vapid })
    expect(response.status).toBe(201)
    expect((await service.nextMessage()).text()).toBe(payload)
  })

  it('an oversize body without Content-Length (chunked) → 413', async () => {
    service.reset()
    const built = await buildRequest(subscription, 'z'.repeat(4200), { vapid })
    const { request } = await import('undici')
    const chunks = [built.body.subarray(0, 2000), built.body.subarray(2000)]
    const response = await request(built.url, {
      method: 'POST',
      headers: built.headers,
      body: Readable.from(chunks),
      dispatcher,
    })
    expect(response.statusCode).toBe(413)
    await response.body.text()
  })

  it('a GET → 405', async () => {
    const { request } = await import('undici')
    const response = await request(subscription.endpoint, { method: 'GET', dispatcher })
    expect(response.statusCode).toBe(405)
    await response.body.text()
  })

  it('a body with a tampered header length is refused, not accepted', async () => {
    service.reset()
    const built = await buildRequest(subscription, 'hello', { vapid })
    const truncated = { ...built, body: built.body.subarray(0, 30) }
    const response = await post(truncated, dispatcher)
    expect(response.status).toBe(400)
    expect(service.messages).toHaveLength(0)
  })

  it('a correct sender passes the same checks', async () => {
    service.reset()
    const response = await send(subscription, 'all good', dispatcher, { vapid })
    expect(response.status).toBe(201)
    expect((await service.nextMessage()).text()).toBe('all good')
  })
})
