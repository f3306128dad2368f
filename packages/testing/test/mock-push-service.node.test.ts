import { Agent } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMockPushService, type MockPushService, PushTestingError } from '../src/index.ts'
import { generateTestVapidKeys, send, type TestVapidKeys } from './helpers/sender.ts'

const encodings = ['aes128gcm', 'aesgcm'] as const

describe('createMockPushService (HTTPS, strict)', () => {
  let service: MockPushService
  let vapid: TestVapidKeys
  let dispatcher: ReturnType<MockPushService['createDispatcher']>

  beforeAll(async () => {
    service = await createMockPushService()
    vapid = await generateTestVapidKeys()
    dispatcher = service.createDispatcher()
  })
  afterAll(async () => {
    await dispatcher.close()
    await service.close()
  })

  it('listens on 127.0.0.1 over TLS with a CA to trust', () => {
    expect(service.origin).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    expect(service.ca).toMatch(/^-----BEGIN CERTIFICATE-----\n/)
    expect(service.connect.ca).toBe(service.ca)
  })

  it('issues browser-shaped subscriptions', async () => {
    const subscription = await service.createSubscription({
      vapidPublicKey: vapid.applicationServerKey,
    })
    expect(subscription.endpoint.startsWith(`${service.origin}/wpush/v2/`)).toBe(true)
    expect(subscription.expirationTime).toBeNull()
    expect(Buffer.from(subscription.keys.p256dh, 'base64url')).toHaveLength(65)
    expect(Buffer.from(subscription.keys.auth, 'base64url')).toHaveLength(16)
    expect(service.subscriptionKeys(subscription)?.p256dh).toBe(subscription.keys.p256dh)
  })

  for (const encoding of encodings) {
    for (const scheme of ['vapid', 'webpush'] as const) {
      it(`accepts, verifies and decrypts ${encoding} with the ${scheme} VAPID scheme`, async () => {
        service.reset()
        const subscription = await service.createSubscription({ vapidPublicKey: vapid.publicKey })
        const payload = `héllo ${encoding} ${scheme} ✓`
        const response = await send(subscription, payload, dispatcher, {
          encoding,
          vapid,
          scheme,
          ttl: 120,
          urgency: 'high',
          topic: 'news',
        })
        expect(response.status).toBe(201)
        expect(response.headers.location).toMatch(new RegExp(`^${service.origin}/m/`))
        expect(response.headers.ttl).toBe('120')
        const message = await service.nextMessage({ timeout: 2000 })
        expect(message.text()).toBe(payload)
        expect(message.encoding).toBe(encoding)
        expect(message.decrypted).toBe(true)
        expect(message.ttl).toBe(120)
        expect(message.urgency).toBe('high')
        expect(message.topic).toBe('news')
        expect(message.endpoint).toBe(subscription.endpoint)
        expect(message.vapid?.scheme).toBe(scheme)
        expect(message.vapid?.publicKey).toBe(vapid.applicationServerKey)
        expect(message.vapid?.claims.aud).toBe(service.origin)
        expect(message.vapid?.claims.sub).toBe('mailto:test@example.com')
        expect(message.headers['content-encoding']).toBe(encoding)
        expect(service.messages).toHaveLength(1)
      })
    }
  }

  it('decrypts a JSON payload and a payload-less push', async () => {
    service.reset()
    const subscription = await service.createSubscription()
    expect(
      (await send(subscription, JSON.stringify({ title: 'Hi', n: 1 }), dispatcher, { vapid }))
        .status,
    ).toBe(201)
    expect((await send(subscription, null, dispatcher, { vapid })).status).toBe(201)
    const [withPayload, withoutPayload] = await service.waitForMessages(2, { timeout: 2000 })
    expect(withPayload!.json()).toEqual({ title: 'Hi', n: 1 })
    expect(withoutPayload!.encoding).toBeNull()
    expect(withoutPayload!.plaintext).toHaveLength(0)
  })

  it('hands out messages in arrival order, each once', async () => {
    service.reset()
    const subscription = await service.createSubscription()
    for (const text of ['one', 'two', 'three']) {
      expect((await send(subscription, text, dispatcher, { vapid })).status).toBe(201)
    }
    const texts = []
    for (let index = 0; index < 3; index++) texts.push((await service.nextMessage()).text())
    expect(texts).toEqual(['one', 'two', 'three'])
  })

  it('times out waiting with ERR_TESTING_TIMEOUT', async () => {
    service.reset()
    await expect(service.nextMessage({ timeout: 50 })).rejects.toMatchObject({
      code: 'ERR_TESTING_TIMEOUT',
    })
    await expect(service.waitForMessages(1, { timeout: 50 })).rejects.toBeInstanceOf(
      PushTestingError,
    )
  })

  it('waits for a message that arrives later', async () => {
    service.reset()
    const subscription = await service.createSubscription()
    const waiting = service.nextMessage({ timeout: 3000 })
    await send(subscription, 'later', dispatcher, { vapid })
    expect((await waiting).text()).toBe('later')
  })

  it('answers 410 after unsubscribe and 404 for unknown endpoints', async () => {
    const subscription = await service.createSubscription()
    service.unsubscribe(subscription)
    const gone = await send(subscription, 'x', dispatcher, { vapid })
    expect(gone.status).toBe(410)
    expect(JSON.parse(gone.text)).toMatchObject({ code: 410, errno: 106 })
    const unknown = await send(
      { ...subscription, endpoint: `${service.origin}/wpush/v2/nope` },
      'x',
      dispatcher,
      { vapid },
    )
    expect(unknown.status).toBe(404)
  })

  it('issues many subscriptions sharing one key pair', async () => {
    const subscriptions = await service.createSubscriptions(50)
    expect(new Set(subscriptions.map((entry) => entry.endpoint)).size).toBe(50)
    expect(new Set(subscriptions.map((entry) => entry.keys.p256dh)).size).toBe(1)
    service.reset()
    expect((await send(subscriptions[49]!, 'bulk', dispatcher, { vapid })).status).toBe(201)
    expect((await service.nextMessage()).text()).toBe('bulk')
  })

  it('rejects waits after close with ERR_TESTING_CLOSED', async () => {
    const other = await createMockPushService({ tls: false })
    const waiting = other.nextMessage({ timeout: 5000 })
    await other.close()
    await expect(waiting).rejects.toMatchObject({ code: 'ERR_TESTING_CLOSED' })
  })
})

describe('createMockPushService options', () => {
  it('serves plain HTTP with tls: false', async () => {
    const service = await createMockPushService({ tls: false })
    const dispatcher = service.createDispatcher()
    try {
      expect(service.origin).toMatch(/^http:\/\//)
      expect(service.ca).toBeUndefined()
      const subscription = await service.createSubscription()
      expect((await send(subscription, 'plain', dispatcher)).status).toBe(201)
      expect((await service.nextMessage()).text()).toBe('plain')
    } finally {
      await dispatcher.close()
      await service.close()
    }
  })

  it('speaks HTTP/2 with http2: true', async () => {
    const service = await createMockPushService({ http2: true })
    const dispatcher = service.createDispatcher({ allowH2: true })
    try {
      const subscription = await service.createSubscription()
      expect((await send(subscription, 'h2', dispatcher)).status).toBe(201)
      expect((await service.nextMessage()).text()).toBe('h2')
    } finally {
      await dispatcher.close()
      await service.close()
    }
  })

  it("issues endpoints on the real services' hostnames with emulateHostnames", async () => {
    const service = await createMockPushService({ emulateHostnames: true })
    const dispatcher = service.createDispatcher()
    try {
      const fcm = await service.createSubscription({ service: 'fcm' })
      const apple = await service.createSubscription({ service: 'apple' })
      const wns = await service.createSubscription({ service: 'wns' })
      expect(fcm.endpoint).toMatch(
        new RegExp(`^https://fcm\\.googleapis\\.com:${service.port}/fcm/send/`),
      )
      expect(apple.endpoint).toMatch(
        new RegExp(`^https://web\\.push\\.apple\\.com:${service.port}/`),
      )
      expect(wns.endpoint).toMatch(/^https:\/\/wns2-par02p\.notify\.windows\.com:\d+\/w\/\?token=/)
      for (const subscription of [fcm, apple, wns]) {
        expect((await send(subscription, 'hi', dispatcher)).status).toBe(201)
        const message = await service.nextMessage()
        expect(message.vapid?.claims.aud).toBe(new URL(subscription.endpoint).origin)
      }
    } finally {
      await dispatcher.close()
      await service.close()
    }
  })

  it('has a certificate of its own: one client can trust several services at once', async () => {
    const services = await Promise.all([createMockPushService(), createMockPushService()])
    // TLS clients find the trust anchor by subject name: equal names would make one CA shadow
    // the other, and every request to the second service would fail verification.
    const dispatcher = new Agent({ connect: { ca: services.map((service) => service.ca!) } })
    try {
      for (const service of services) {
        const subscription = await service.createSubscription()
        expect((await send(subscription, service.origin, dispatcher)).status).toBe(201)
        expect((await service.nextMessage()).text()).toBe(service.origin)
      }
    } finally {
      await dispatcher.close()
      await Promise.all(services.map((service) => service.close()))
    }
  })

  it('keeps only the latest N messages with storeMessages: N, and counts all', async () => {
    const service = await createMockPushService({ tls: false, storeMessages: 2 })
    const dispatcher = service.createDispatcher()
    try {
      const subscription = await service.createSubscription()
      for (const text of ['a', 'b', 'c']) await send(subscription, text, dispatcher)
      expect(service.messages.map((message) => message.text())).toEqual(['b', 'c'])
      expect(service.stats.received).toBe(3)
    } finally {
      await dispatcher.close()
      await service.close()
    }
  })

  it('rejects misuse with TypeError/RangeError', async () => {
    await expect(createMockPushService({ tls: false, http2: true })).rejects.toBeInstanceOf(
      RangeError,
    )
    const service = await createMockPushService({ tls: false })
    try {
      await expect(service.createSubscription({ vapidPublicKey: 'AAAA' })).rejects.toBeInstanceOf(
        RangeError,
      )
      await expect(service.createSubscription({ path: 'no-slash' })).rejects.toBeInstanceOf(
        TypeError,
      )
      expect(() => service.behave(() => true, { kind: 'gone', status: 410 }, { times: 0 })).toThrow(
        RangeError,
      )
    } finally {
      await service.close()
    }
  })
})
