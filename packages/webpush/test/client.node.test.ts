// PushClient end to end against @pushcraft/testing's mock push service on listen(0), the way a
// user tests their own sending code: HTTPS with the kit's generated certificate (trusted through
// the client's `connect`), the kit's strict VAPID verification and decryption of every message,
// HTTP/2, keep-alive and the connection cap (observed on undici's `undici:client:connected`
// diagnostics channel), and scripted answers (gone, 429, 5xx, a redirect, a slow service for
// timeouts and aborts). Only the CONNECT proxy is a local helper: the kit is no proxy.
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import {
  createMockPushService,
  delay,
  gone,
  rateLimited,
  respond,
  serverError,
  type MockPushService,
  type MockPushServiceOptions,
  type PushSubscriptionJSON,
} from '@pushcraft/testing'
import { generateVapidKeys, type VapidKeys } from '@pushcraft/vapid'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { PushClient, PushServiceError, WebPushError, type PushHooks } from '../src/index.ts'
import { startConnectProxy } from './helpers/connect-proxy.ts'

let keys: VapidKeys
const services: MockPushService[] = []
const clients: PushClient[] = []

beforeAll(async () => {
  keys = await generateVapidKeys()
})

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()))
  await Promise.all(services.splice(0).map((service) => service.close()))
})

async function mockService(options: MockPushServiceOptions = {}): Promise<MockPushService> {
  const started = await createMockPushService(options)
  services.push(started)
  return started
}

/** A subscription bound to our VAPID key: the kit refuses pushes signed with any other. */
function issueSubscription(service: MockPushService): Promise<PushSubscriptionJSON> {
  return service.createSubscription({ vapidPublicKey: keys.publicKeyBytes })
}

function client(options: ConstructorParameters<typeof PushClient>[0]): PushClient {
  const created = new PushClient({ vapid: { keys, subject: 'mailto:ops@example.com' }, ...options })
  clients.push(created)
  return created
}

interface ConnectionLog {
  /** The HTTP version undici negotiated for each new connection to the port (`h1`, `h2`). */
  readonly versions: string[]
  stop(): void
}

/** Records the connections undici opens to `port` (diagnostics channel `undici:client:connected`). */
function watchConnections(port: number): ConnectionLog {
  const versions: string[] = []
  const onConnected = (message: unknown): void => {
    const { connectParams } = message as { connectParams: { port: string; version?: string } }
    if (Number(connectParams.port) === port) versions.push(connectParams.version ?? '?')
  }
  subscribe('undici:client:connected', onConnected)
  return {
    versions,
    stop: () => {
      unsubscribe('undici:client:connected', onConnected)
    },
  }
}

describe('PushClient over HTTPS (the kit’s self-signed CA)', () => {
  it('delivers a message the push service verifies (VAPID) and decrypts (RFC 8291)', async () => {
    const service = await mockService()
    const subscription = await issueSubscription(service)
    const push = client({ connect: service.connect })
    const result = await push.send(subscription, 'Grüße 👋', { ttl: 3600, urgency: 'low' })
    const message = await service.nextMessage({ timeout: 2000 })
    expect(result).toMatchObject({ status: 201, ttl: 3600, messageId: message.id, attempts: 1 })
    expect(message.text()).toBe('Grüße 👋')
    expect(message.encoding).toBe('aes128gcm')
    expect(message.urgency).toBe('low')
    expect(message.ttl).toBe(3600)
    // The kit checked signature, aud = its origin, exp ≤ 24 h and the subscription's key.
    expect(message.vapid).toMatchObject({
      scheme: 'vapid',
      publicKey: keys.applicationServerKey,
      claims: { aud: service.origin, sub: 'mailto:ops@example.com' },
    })
  })

  it('refuses a certificate it was not told to trust', async () => {
    const service = await mockService()
    const push = client({})
    const error = await push.send(await issueSubscription(service), 'x').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WebPushError)
    expect(error).toMatchObject({ code: 'ERR_WEBPUSH_REQUEST_FAILED', reason: 'network' })
    expect(service.stats).toEqual({ received: 0, rejected: 0 })
  })

  it('keeps connections alive across sends', async () => {
    const service = await mockService()
    const subscription = await issueSubscription(service)
    const connections = watchConnections(service.port)
    try {
      const push = client({ connect: service.connect })
      for (let i = 0; i < 10; i += 1) await push.send(subscription, `m${i}`)
      expect(service.stats.received).toBe(10)
      // undici hands a socket back to its pool one macrotask after the response body ends; the
      // next send, encrypted synchronously (node:crypto), can be dispatched before that and
      // open a second connection. From then on the two alternate: never one per send.
      expect(connections.versions.length).toBeLessThanOrEqual(2)
      expect(new Set(connections.versions)).toEqual(new Set(['h1']))
      for (let i = 0; i < 10; i += 1) await push.send(subscription, `n${i}`)
      expect(connections.versions.length).toBeLessThanOrEqual(2)
    } finally {
      connections.stop()
    }
  })

  it('caps connections per origin (HTTP/1.1)', async () => {
    const service = await mockService()
    const subscription = await issueSubscription(service)
    service.behave(() => true, delay(40))
    const connections = watchConnections(service.port)
    try {
      const push = client({ connect: service.connect, connections: 2 })
      await Promise.all(Array.from({ length: 8 }, (_, i) => push.send(subscription, `m${i}`)))
      expect((await service.waitForMessages(8)).map((m) => m.text()).sort()).toEqual(
        Array.from({ length: 8 }, (_, i) => `m${i}`).sort(),
      )
      expect(connections.versions).toEqual(['h1', 'h1'])
    } finally {
      connections.stop()
    }
  })

  it('negotiates HTTP/2 when the service offers it, multiplexing one connection', async () => {
    const service = await mockService({ http2: true })
    const subscription = await issueSubscription(service)
    // Requests arriving at the service; each is answered 200 ms later.
    let arrived = 0
    service.behave(() => {
      arrived += 1
      return true
    }, delay(200))
    const connections = watchConnections(service.port)
    try {
      const push = client({ connect: service.connect })
      let arrivedWhenFirstDone: number | undefined
      await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          push.send(subscription, `m${i}`).then(() => {
            arrivedWhenFirstDone ??= arrived
          }),
        ),
      )
      expect(connections.versions).toEqual(['h2'])
      // Several requests were at the service at once over that one connection.
      expect(arrivedWhenFirstDone).toBeGreaterThan(1)
      expect(service.stats.received).toBe(6)
    } finally {
      connections.stop()
    }
  })

  it('does not follow a redirect', async () => {
    const service = await mockService()
    const subscription = await issueSubscription(service)
    service.behave(
      subscription,
      respond({ status: 301, headers: { location: '/moved' }, body: '' }),
    )
    const push = client({ connect: service.connect })
    const error = await push.send(subscription, 'x').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PushServiceError)
    expect(error).toMatchObject({ statusCode: 301, kind: 'badRequest', location: '/moved' })
    expect(service.rejections.map((rejection) => rejection.endpoint)).toEqual([
      subscription.endpoint,
    ])
    expect(service.stats.received).toBe(0)
  })

  it('classifies the service’s answers: gone, 429 with Retry-After, 500', async () => {
    const service = await mockService()
    const [expired, limited, failing] = await Promise.all([
      issueSubscription(service),
      issueSubscription(service),
      issueSubscription(service),
    ])
    service.behave(expired, gone(410))
    service.behave(limited, rateLimited({ retryAfter: 30 }))
    service.behave(failing, serverError(500))
    const push = client({ connect: service.connect })
    await expect(push.send(expired, 'x')).rejects.toMatchObject({
      code: 'ERR_WEBPUSH_PUSH_SERVICE',
      statusCode: 410,
      kind: 'gone',
      isGone: true,
      errno: 106,
    })
    await expect(push.send(limited, 'x')).rejects.toMatchObject({
      statusCode: 429,
      kind: 'rateLimited',
      isRetryable: true,
      retryAfter: 30_000,
    })
    await expect(push.send(failing, 'x')).rejects.toMatchObject({
      statusCode: 500,
      kind: 'transient',
      isRetryable: true,
    })
    expect(service.stats.received).toBe(0)
  })

  it('times out waiting for headers (headersTimeout)', async () => {
    const service = await mockService()
    const subscription = await issueSubscription(service)
    service.behave(subscription, delay(2_000))
    const push = client({ connect: service.connect, headersTimeout: 100 })
    const error = (await push.send(subscription, 'x').catch((e: unknown) => e)) as WebPushError
    expect(error).toMatchObject({ code: 'ERR_WEBPUSH_REQUEST_FAILED', reason: 'timeout' })
    expect((error.cause as { code?: string }).code).toBe('UND_ERR_HEADERS_TIMEOUT')
  })

  it('times out a whole attempt (timeout)', async () => {
    const service = await mockService()
    const subscription = await issueSubscription(service)
    service.behave(subscription, delay(2_000))
    const push = client({ connect: service.connect, timeout: 100 })
    await expect(push.send(subscription, 'x')).rejects.toMatchObject({
      code: 'ERR_WEBPUSH_REQUEST_FAILED',
      reason: 'timeout',
    })
  })

  it('reports a refused connection as a request failure', async () => {
    const service = await createMockPushService()
    const subscription = await issueSubscription(service)
    await service.close()
    const push = client({ connect: service.connect })
    const error = (await push.send(subscription, 'x').catch((e: unknown) => e)) as WebPushError
    expect(error.code).toBe('ERR_WEBPUSH_REQUEST_FAILED')
    expect((error.cause as { code?: string }).code).toBe('ECONNREFUSED')
  })

  it('aborts with the caller’s signal', async () => {
    const service = await mockService()
    const subscription = await issueSubscription(service)
    let arrived: () => void = () => undefined
    const atService = new Promise<void>((resolve) => {
      arrived = resolve
    })
    service.behave(() => {
      arrived()
      return true
    }, delay(2_000))
    const push = client({ connect: service.connect })
    const controller = new AbortController()
    const promise = push.send(subscription, 'x', { signal: controller.signal })
    await atService
    controller.abort()
    await expect(promise).rejects.toMatchObject({ name: 'AbortError' })
    expect(service.stats.received).toBe(0)
  })

  it('retries 503 with Retry-After', async () => {
    const service = await mockService()
    const subscription = await issueSubscription(service)
    service.behave(subscription, serverError(503, { retryAfter: 0 }), { times: 1 })
    const push = client({ connect: service.connect, retry: true })
    const result = await push.send(subscription, 'second time lucky')
    expect(result.attempts).toBe(2)
    expect(service.rejections.map((rejection) => rejection.status)).toEqual([503])
    expect((await service.nextMessage()).text()).toBe('second time lucky')
  })
})

describe('PushClient lifecycle and options', () => {
  it('closes its own pool, but not a dispatcher it was given', async () => {
    const service = await mockService()
    const shared = service.createDispatcher()
    const push = new PushClient({
      dispatcher: shared,
      vapid: { keys, subject: 'mailto:ops@example.com' },
    })
    await push.close()
    expect(push.closed).toBe(true)
    expect(shared.closed).toBe(false)
    await expect(push.send(await issueSubscription(service), 'x')).rejects.toBeInstanceOf(TypeError)
    await shared.close()

    const owner = new PushClient({})
    await owner.close()
    await owner.close() // idempotent
    expect(owner.dispatcher).toMatchObject({ closed: true })
  })

  it('rejects bad pool options (channel 1)', () => {
    expect(() => new PushClient({ connections: 0 })).toThrow(RangeError)
    expect(() => new PushClient({ connectTimeout: 1.5 })).toThrow(TypeError)
    expect(() => new PushClient({ dispatcher: {} as never })).toThrow(TypeError)
    expect(() => new PushClient({ allowH2: 'yes' as never })).toThrow(TypeError)
  })

  it('sends through an HTTP CONNECT proxy (ProxyAgent)', async () => {
    const service = await mockService()
    const proxy = await startConnectProxy()
    try {
      const push = client({ connect: service.connect, proxy: proxy.url })
      const result = await push.send(await issueSubscription(service), 'via proxy')
      expect(result.status).toBe(201)
      expect(proxy.tunnels).toEqual([new URL(service.origin).host])
      expect((await service.nextMessage()).text()).toBe('via proxy')
    } finally {
      await proxy.close()
    }
  })
})

describe('PushClient.sendMany against mock push services', () => {
  it('bounds requests per origin and overall', async () => {
    const origins = await Promise.all([mockService(), mockService(), mockService()])
    for (const service of origins) service.behave(() => true, delay(40))
    // In flight = between the start and the end of an HTTP attempt (the client's hooks).
    const track = { inFlight: 0, max: 0, perOrigin: new Map<string, number>() }
    const maxPerOrigin = new Map<string, number>()
    const hooks: PushHooks = {
      onRequestStart: ({ origin }) => {
        track.inFlight += 1
        track.max = Math.max(track.max, track.inFlight)
        const now = (track.perOrigin.get(origin) ?? 0) + 1
        track.perOrigin.set(origin, now)
        maxPerOrigin.set(origin, Math.max(maxPerOrigin.get(origin) ?? 0, now))
      },
      onRequestEnd: ({ origin }) => {
        track.inFlight -= 1
        track.perOrigin.set(origin, track.perOrigin.get(origin)! - 1)
      },
    }
    // Each mock has its own self-signed certificate: trust all three.
    const ca = origins.map((service) => service.ca!)
    const push = client({ connect: { ca }, connections: 8, hooks })
    const perService = await Promise.all(
      origins.map((service) =>
        service.createSubscriptions(10, { vapidPublicKey: keys.publicKeyBytes }),
      ),
    )
    // Interleaved: a, b, c, a, b, c, …
    const subscriptions = perService[0]!.flatMap((_, i) => perService.map((list) => list[i]!))
    let last = { completed: 0 }
    const results = []
    for await (const item of push.sendMany(subscriptions, (s) => `bulk ${s.endpoint}`, {
      concurrency: 5,
      concurrencyPerOrigin: 2,
      onProgress: (progress) => {
        last = progress
      },
    })) {
      results.push(item)
    }
    expect(results).toHaveLength(30)
    expect(
      results.filter((item) => !item.ok).map((item) => (item.ok ? '' : item.error.message)),
    ).toEqual([])
    expect(last.completed).toBe(30)
    expect(track.max).toBe(5)
    expect(maxPerOrigin.size).toBe(3)
    for (const max of maxPerOrigin.values()) expect(max).toBeLessThanOrEqual(2)
    expect(Math.max(...maxPerOrigin.values())).toBe(2)
    // Every service received, verified and decrypted its 10 messages, each with its own payload.
    for (const service of origins) {
      const messages = await service.waitForMessages(10)
      expect(messages.every((m) => m.text() === `bulk ${m.endpoint}`)).toBe(true)
    }
  })

  it('stops on abort', async () => {
    const service = await mockService()
    service.behave(() => true, delay(30))
    const pool = await service.createSubscriptions(50, { vapidPublicKey: keys.publicKeyBytes })
    const push = client({ connect: service.connect })
    const controller = new AbortController()
    function* endless(): Generator<PushSubscriptionJSON> {
      for (let i = 0; ; i += 1) yield pool[i % pool.length]!
    }
    let count = 0
    const run = async (): Promise<void> => {
      for await (const item of push.sendMany(endless(), 'x', {
        concurrency: 4,
        signal: controller.signal,
      })) {
        if (item.ok) count += 1
        if (count === 10) controller.abort(new Error('stop'))
      }
    }
    await expect(run()).rejects.toThrow('stop')
    expect(count).toBe(10)
    expect(service.stats.received).toBeLessThan(20)
  })
})
