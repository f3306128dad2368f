// PushClient against real local push services on listen(0): HTTPS with a self-signed certificate
// generated for the test (trusted through the client's `connect.ca`), HTTP/2, a CONNECT proxy.
import { createServer as createHttpServer } from 'node:http'
import { connect as netConnect, type AddressInfo, type Socket } from 'node:net'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { Agent } from 'undici'
import { generateVapidKeys, verifyVapidAuthorization, type VapidKeys } from '@pushcraft/vapid'
import { PushClient, PushServiceError, WebPushError } from '../src/index.ts'
import { startPushServer, type PushServer } from './helpers/push-server.ts'
import { createSubscriber, type TestSubscriber } from './helpers/subscriber.ts'

let keys: VapidKeys
let subscriber: TestSubscriber
const servers: PushServer[] = []
const clients: PushClient[] = []

beforeAll(async () => {
  keys = await generateVapidKeys()
  subscriber = await createSubscriber()
})

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()))
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

async function server(options: Parameters<typeof startPushServer>[0] = {}): Promise<PushServer> {
  const started = await startPushServer(options)
  servers.push(started)
  return started
}

function client(options: ConstructorParameters<typeof PushClient>[0]): PushClient {
  const created = new PushClient({ vapid: { keys, subject: 'mailto:ops@example.com' }, ...options })
  clients.push(created)
  return created
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

describe('PushClient over HTTPS (self-signed CA)', () => {
  it('delivers a message the push service can verify (VAPID) and decrypt (RFC 8291)', async () => {
    const service = await server({
      responder: () => ({
        status: 201,
        headers: { location: '/m/abc123', ttl: '3600' },
      }),
    })
    const push = client({ connect: { ca: service.ca } })
    const result = await push.send(subscriber.subscription(service.endpoint()), 'Grüße 👋', {
      ttl: 3600,
      urgency: 'low',
    })
    expect(result).toMatchObject({ status: 201, ttl: 3600, messageId: 'abc123', attempts: 1 })
    const [received] = service.requests
    expect(received?.method).toBe('POST')
    expect(received?.headers['content-encoding']).toBe('aes128gcm')
    expect(received?.headers.urgency).toBe('low')
    const verified = await verifyVapidAuthorization(
      { authorization: received?.headers.authorization as string },
      { audience: service.origin, publicKey: keys.publicKeyBytes },
    )
    expect(verified.claims.sub).toBe('mailto:ops@example.com')
    expect(await subscriber.decrypt(received!.body)).toBe('Grüße 👋')
  })

  it('refuses a certificate it was not told to trust', async () => {
    const service = await server()
    const push = client({})
    const error = await push
      .send(subscriber.subscription(service.endpoint()), 'x')
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WebPushError)
    expect(error).toMatchObject({ code: 'ERR_WEBPUSH_REQUEST_FAILED', reason: 'network' })
    expect(service.requests).toHaveLength(0)
  })

  it('keeps connections alive across sends', async () => {
    const service = await server()
    const push = client({ connect: { ca: service.ca } })
    for (let i = 0; i < 10; i += 1)
      await push.send(subscriber.subscription(service.endpoint()), `m${i}`)
    expect(service.requests).toHaveLength(10)
    expect(service.stats.connections).toBe(1)
  })

  it('caps connections per origin (HTTP/1.1)', async () => {
    const service = await server({ responder: () => ({ status: 201, delay: 40 }) })
    const push = client({ connect: { ca: service.ca }, connections: 2 })
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        push.send(subscriber.subscription(service.endpoint()), `m${i}`),
      ),
    )
    expect(service.stats.maxInFlight).toBe(2)
    expect(service.stats.connections).toBe(2)
  })

  it('negotiates HTTP/2 when the service offers it, multiplexing one connection', async () => {
    const service = await server({ protocol: 'h2', responder: () => ({ status: 201, delay: 20 }) })
    const push = client({ connect: { ca: service.ca } })
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        push.send(subscriber.subscription(service.endpoint()), `m${i}`),
      ),
    )
    expect(service.requests.every((request) => request.httpVersion === '2.0')).toBe(true)
    expect(service.stats.connections).toBe(1)
    expect(service.stats.maxInFlight).toBeGreaterThan(1)
  })

  it('does not follow a redirect', async () => {
    const service = await server({
      responder: (request) =>
        request.path === '/push/abc'
          ? { status: 301, headers: { location: '/push/moved' } }
          : { status: 201 },
    })
    const push = client({ connect: { ca: service.ca } })
    const error = await push
      .send(subscriber.subscription(service.endpoint()), 'x')
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PushServiceError)
    expect(error).toMatchObject({ statusCode: 301, kind: 'badRequest', location: '/push/moved' })
    expect(service.requests.map((request) => request.path)).toEqual(['/push/abc'])
  })

  it('classifies the service’s answer (410 gone)', async () => {
    const service = await server({
      responder: () => ({ status: 410, body: 'push subscription has unsubscribed or expired.\n' }),
    })
    const push = client({ connect: { ca: service.ca } })
    await expect(push.send(subscriber.subscription(service.endpoint()), 'x')).rejects.toMatchObject(
      {
        code: 'ERR_WEBPUSH_PUSH_SERVICE',
        kind: 'gone',
        isGone: true,
      },
    )
  })

  it('times out waiting for headers (headersTimeout)', async () => {
    const service = await server({ responder: () => ({ status: 201, delay: 2_000 }) })
    const push = client({ connect: { ca: service.ca }, headersTimeout: 100 })
    const error = (await push
      .send(subscriber.subscription(service.endpoint()), 'x')
      .catch((e: unknown) => e)) as WebPushError
    expect(error).toMatchObject({ code: 'ERR_WEBPUSH_REQUEST_FAILED', reason: 'timeout' })
    expect((error.cause as { code?: string }).code).toBe('UND_ERR_HEADERS_TIMEOUT')
  })

  it('times out a whole attempt (timeout)', async () => {
    const service = await server({ responder: () => ({ status: 201, delay: 2_000 }) })
    const push = client({ connect: { ca: service.ca }, timeout: 100 })
    await expect(push.send(subscriber.subscription(service.endpoint()), 'x')).rejects.toMatchObject(
      {
        code: 'ERR_WEBPUSH_REQUEST_FAILED',
        reason: 'timeout',
      },
    )
  })

  it('reports a refused connection as a request failure', async () => {
    const service = await server()
    const endpoint = service.endpoint()
    await service.close()
    servers.splice(servers.indexOf(service), 1)
    const push = client({ connect: { ca: service.ca } })
    const error = (await push
      .send(subscriber.subscription(endpoint), 'x')
      .catch((e: unknown) => e)) as WebPushError
    expect(error.code).toBe('ERR_WEBPUSH_REQUEST_FAILED')
    expect((error.cause as { code?: string }).code).toBe('ECONNREFUSED')
  })

  it('aborts with the caller’s signal', async () => {
    const service = await server({ responder: () => ({ status: 201, delay: 2_000 }) })
    const push = client({ connect: { ca: service.ca } })
    const controller = new AbortController()
    const promise = push.send(subscriber.subscription(service.endpoint()), 'x', {
      signal: controller.signal,
    })
    await sleep(50)
    controller.abort()
    await expect(promise).rejects.toMatchObject({ name: 'AbortError' })
  })

  it('retries 503 with Retry-After against a real server', async () => {
    let calls = 0
    const service = await server({
      responder: () => {
        calls += 1
        return calls === 1 ? { status: 503, headers: { 'retry-after': '0' } } : { status: 201 }
      },
    })
    const push = client({ connect: { ca: service.ca }, retry: true })
    const result = await push.send(subscriber.subscription(service.endpoint()), 'x')
    expect(result.attempts).toBe(2)
    expect(service.requests).toHaveLength(2)
  })
})

describe('PushClient lifecycle and options', () => {
  it('closes its own pool, but not a dispatcher it was given', async () => {
    const service = await server()
    const shared = new Agent({ connect: { ca: service.ca } })
    const push = new PushClient({
      dispatcher: shared,
      vapid: { keys, subject: 'mailto:ops@example.com' },
    })
    await push.close()
    expect(push.closed).toBe(true)
    expect(shared.closed).toBe(false)
    await expect(
      push.send(subscriber.subscription(service.endpoint()), 'x'),
    ).rejects.toBeInstanceOf(TypeError)
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
    const service = await server()
    const tunnels: string[] = []
    const sockets = new Set<Socket>()
    const proxy = createHttpServer()
    proxy.on('connect', (request, socket: Socket, head) => {
      tunnels.push(request.url ?? '')
      sockets.add(socket)
      const [host, port] = (request.url ?? '').split(':')
      const upstream = netConnect(Number(port), host === 'localhost' ? '127.0.0.1' : host, () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n')
        upstream.write(head)
        upstream.pipe(socket)
        socket.pipe(upstream)
      })
      sockets.add(upstream)
      upstream.on('error', () => socket.destroy())
      socket.on('error', () => upstream.destroy())
    })
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
    try {
      const { port } = proxy.address() as AddressInfo
      const push = client({ connect: { ca: service.ca }, proxy: `http://127.0.0.1:${port}` })
      const result = await push.send(subscriber.subscription(service.endpoint()), 'via proxy')
      expect(result.status).toBe(201)
      expect(tunnels).toEqual([new URL(service.origin).host])
      expect(await subscriber.decrypt(service.requests[0]!.body)).toBe('via proxy')
    } finally {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => {
        proxy.close(() => {
          resolve()
        })
      })
    }
  })
})

describe('PushClient.sendMany against local servers', () => {
  it('bounds requests per origin and overall, measured by the servers', async () => {
    const track = { inFlight: 0, max: 0 }
    const responder = async (): Promise<{ status: number }> => {
      track.inFlight += 1
      track.max = Math.max(track.max, track.inFlight)
      await sleep(40)
      track.inFlight -= 1
      return { status: 201 }
    }
    const services = await Promise.all([
      server({ responder }),
      server({ responder }),
      server({ responder }),
    ])
    const ca = services[0].ca
    const push = client({ connect: { ca }, connections: 8 })
    const subscriptions = Array.from({ length: 30 }, (_, i) =>
      subscriber.subscription(services[i % 3]!.endpoint(`/push/${i}`)),
    )
    let last = { completed: 0 }
    const results = []
    for await (const item of push.sendMany(subscriptions, 'bulk', {
      concurrency: 5,
      concurrencyPerOrigin: 2,
      onProgress: (progress) => {
        last = progress
      },
    })) {
      results.push(item)
    }
    expect(results).toHaveLength(30)
    expect(results.every((item) => item.ok)).toBe(true)
    expect(last.completed).toBe(30)
    for (const service of services) expect(service.stats.maxInFlight).toBeLessThanOrEqual(2)
    expect(Math.max(...services.map((service) => service.stats.maxInFlight))).toBe(2)
    expect(track.max).toBe(5)
  })

  it('stops on abort', async () => {
    const service = await server({ responder: () => ({ status: 201, delay: 30 }) })
    const push = client({ connect: { ca: service.ca } })
    const controller = new AbortController()
    function* endless(): Generator<ReturnType<TestSubscriber['subscription']>> {
      for (let i = 0; ; i += 1) yield subscriber.subscription(service.endpoint(`/push/${i}`))
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
    expect(service.requests.length).toBeLessThan(20)
  })
})
