// sendPushMessage over undici's MockAgent (STYLE §14 #12): no socket is opened, and every test
// checks that each interceptor it defined was used.
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { MockAgent } from 'undici'
import { generateVapidKeys, type VapidKeys } from '@pushcraft/vapid'
import {
  DIAGNOSTICS_CHANNELS,
  PushServiceError,
  WebPushError,
  buildPushRequest,
  sendPushMessage,
  sendPushRequest,
  type PushRequestEndEvent,
  type PushRequestStartEvent,
  type PushSubscriptionJSON,
} from '../src/index.ts'
import { createSubscriber, type TestSubscriber } from './helpers/subscriber.ts'

const ORIGIN = 'https://push.example.net'
const PATH = '/wpush/v2/secret-token'
let keys: VapidKeys
let subscriber: TestSubscriber
let subscription: PushSubscriptionJSON
let agent: MockAgent

beforeAll(async () => {
  keys = await generateVapidKeys()
  subscriber = await createSubscriber()
  subscription = subscriber.subscription(`${ORIGIN}${PATH}`)
})

beforeEach(() => {
  agent = new MockAgent()
  agent.disableNetConnect()
})

afterEach(async () => {
  agent.assertNoPendingInterceptors()
  await agent.close()
  vi.useRealTimers()
})

const vapid = (): { keys: VapidKeys; subject: string } => ({
  keys,
  subject: 'mailto:ops@example.com',
})

describe('sendPushMessage (MockAgent)', () => {
  it('posts the encrypted message and returns the PushResult', async () => {
    let seen: { headers: Record<string, string>; body: unknown } | undefined
    agent
      .get(ORIGIN)
      .intercept({ path: PATH, method: 'POST' })
      .reply((options) => {
        seen = { headers: options.headers as Record<string, string>, body: options.body }
        return {
          statusCode: 201,
          data: '',
          responseOptions: { headers: { location: `${ORIGIN}/m/msg-42`, ttl: '60' } },
        }
      })
    const result = await sendPushMessage(subscription, 'hello', {
      vapid: vapid(),
      ttl: 120,
      urgency: 'high',
      topic: 'inbox',
      dispatcher: agent,
    })
    expect(result).toEqual({
      status: 201,
      endpoint: `${ORIGIN}${PATH}`,
      service: 'other',
      ttl: 60,
      location: `${ORIGIN}/m/msg-42`,
      messageId: 'msg-42',
      topic: 'inbox',
      attempts: 1,
    })
    expect(seen?.headers).toMatchObject({
      ttl: '120',
      urgency: 'high',
      topic: 'inbox',
      'content-encoding': 'aes128gcm',
    })
    expect(seen?.headers.authorization).toMatch(/^vapid t=.+, k=.+$/)
  })

  it('sends a message without payload', async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: PATH, method: 'POST', headers: (h) => !('content-encoding' in h) })
      .reply(201, '')
    const result = await sendPushMessage(subscription, null, { vapid: vapid(), dispatcher: agent })
    expect(result.status).toBe(201)
    expect(result.ttl).toBe(2_419_200)
  })

  it('throws a classified PushServiceError for a non-2xx answer', async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: PATH, method: 'POST' })
      .reply(
        410,
        JSON.stringify({ code: 410, errno: 103, error: 'Gone', message: 'UAID not found' }),
        { headers: { 'content-type': 'application/json' } },
      )
    const error = await sendPushMessage(subscription, 'x', {
      vapid: vapid(),
      dispatcher: agent,
    }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PushServiceError)
    expect(error).toMatchObject({
      code: 'ERR_WEBPUSH_PUSH_SERVICE',
      kind: 'gone',
      statusCode: 410,
      errno: 103,
      isGone: true,
      isRetryable: false,
      endpoint: `${ORIGIN}${PATH}`,
    })
  })

  it('parses Retry-After on 429', async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: PATH, method: 'POST' })
      .reply(429, '', { headers: { 'retry-after': '30' } })
    await expect(
      sendPushMessage(subscription, 'x', { vapid: vapid(), dispatcher: agent }),
    ).rejects.toMatchObject({ kind: 'rateLimited', retryAfter: 30_000, isRetryable: true })
  })

  it('does not follow a redirect: a 301 is an error, the Location is never requested', async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: PATH, method: 'POST' })
      .reply(301, '', { headers: { location: `${ORIGIN}/elsewhere` } })
    // No interceptor exists for /elsewhere: following it would fail with a MockNotMatchedError.
    const error = await sendPushMessage(subscription, 'x', {
      vapid: vapid(),
      dispatcher: agent,
    }).catch((e: unknown) => e)
    expect(error).toMatchObject({
      code: 'ERR_WEBPUSH_PUSH_SERVICE',
      statusCode: 301,
      kind: 'badRequest',
      reason: 'redirect not followed',
      location: `${ORIGIN}/elsewhere`,
    })
  })

  it('keeps at most 64 KiB of an error body', async () => {
    agent.get(ORIGIN).intercept({ path: PATH, method: 'POST' }).reply(400, 'x'.repeat(300_000))
    const error = (await sendPushMessage(subscription, 'x', {
      vapid: vapid(),
      dispatcher: agent,
    }).catch((e: unknown) => e)) as PushServiceError
    expect(error.body.length).toBe(65_536)
    expect(error.kind).toBe('badRequest')
  })

  it('wraps a network failure as ERR_WEBPUSH_REQUEST_FAILED with the cause', async () => {
    const cause = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' })
    agent.get(ORIGIN).intercept({ path: PATH, method: 'POST' }).replyWithError(cause)
    const error = (await sendPushMessage(subscription, 'x', {
      vapid: vapid(),
      dispatcher: agent,
    }).catch((e: unknown) => e)) as WebPushError
    expect(error).toBeInstanceOf(WebPushError)
    expect(error).not.toBeInstanceOf(PushServiceError)
    expect(error.code).toBe('ERR_WEBPUSH_REQUEST_FAILED')
    expect(error.reason).toBe('network')
    expect(error.cause).toBe(cause)
  })

  it('times out an attempt after `timeout` ms', async () => {
    agent.get(ORIGIN).intercept({ path: PATH, method: 'POST' }).reply(201, '').delay(5_000)
    const error = await sendPushMessage(subscription, 'x', {
      vapid: vapid(),
      dispatcher: agent,
      timeout: 50,
    }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'ERR_WEBPUSH_REQUEST_FAILED', reason: 'timeout' })
  })

  it('rejects with the caller’s abort reason', async () => {
    agent.get(ORIGIN).intercept({ path: PATH, method: 'POST' }).reply(201, '').delay(5_000)
    const controller = new AbortController()
    const promise = sendPushMessage(subscription, 'x', {
      vapid: vapid(),
      dispatcher: agent,
      signal: controller.signal,
    })
    setTimeout(() => {
      controller.abort(new Error('stop now'))
    }, 20)
    await expect(promise).rejects.toThrow('stop now')
  })

  it('checks the 4096-byte budget before any request (a 4097-byte payload)', async () => {
    await expect(
      sendPushMessage(subscription, 'a'.repeat(4097), { vapid: vapid(), dispatcher: agent }),
    ).rejects.toMatchObject({ code: 'ERR_WEBPUSH_PAYLOAD_TOO_LARGE' })
  })

  it('rejects a malformed subscription before any request', async () => {
    await expect(
      sendPushMessage({ endpoint: `${ORIGIN}${PATH}` } as PushSubscriptionJSON, 'x', {
        vapid: vapid(),
        dispatcher: agent,
      }),
    ).rejects.toMatchObject({ code: 'ERR_WEBPUSH_INVALID_SUBSCRIPTION' })
  })

  it('rejects bad transport options (channel 1)', async () => {
    await expect(
      sendPushMessage(subscription, 'x', { dispatcher: agent, timeout: 0 }),
    ).rejects.toBeInstanceOf(RangeError)
    await expect(
      sendPushMessage(subscription, 'x', { dispatcher: {} as never }),
    ).rejects.toBeInstanceOf(TypeError)
    await expect(
      sendPushMessage(subscription, 'x', { dispatcher: agent, retry: { tries: 2 } as never }),
    ).rejects.toBeInstanceOf(TypeError)
    await expect(
      sendPushMessage(subscription, 'x', { dispatcher: agent, ttll: 5 } as never),
    ).rejects.toBeInstanceOf(TypeError)
  })
})

describe('retries (MockAgent)', () => {
  it('retries 503 then succeeds, lowering TTL by the time spent', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const ttls: string[] = []
    const pool = agent.get(ORIGIN)
    pool.intercept({ path: PATH, method: 'POST' }).reply((options) => {
      ttls.push((options.headers as Record<string, string>).ttl ?? '')
      return { statusCode: 503, data: '', responseOptions: { headers: { 'retry-after': '5' } } }
    })
    pool.intercept({ path: PATH, method: 'POST' }).reply((options) => {
      ttls.push((options.headers as Record<string, string>).ttl ?? '')
      return { statusCode: 201, data: '' }
    })
    const promise = sendPushMessage(subscription, 'x', {
      vapid: vapid(),
      ttl: 600,
      dispatcher: agent,
      retry: { maxAttempts: 3 },
    })
    // Let the first attempt run on real I/O until the retry wait is scheduled.
    while (vi.getTimerCount() === 0) await new Promise((resolve) => setImmediate(resolve))
    expect(ttls).toEqual(['600'])
    await vi.advanceTimersByTimeAsync(4_999)
    expect(ttls).toEqual(['600'])
    await vi.advanceTimersByTimeAsync(1)
    const result = await promise
    expect(result.attempts).toBe(2)
    expect(ttls).toEqual(['600', '595'])
    expect(result.ttl).toBe(595)
  })

  it('never retries a 400', async () => {
    agent.get(ORIGIN).intercept({ path: PATH, method: 'POST' }).reply(400, 'bad')
    await expect(
      sendPushMessage(subscription, 'x', { vapid: vapid(), dispatcher: agent, retry: true }),
    ).rejects.toMatchObject({ kind: 'badRequest' })
  })

  it('retries a network failure', async () => {
    const pool = agent.get(ORIGIN)
    pool
      .intercept({ path: PATH, method: 'POST' })
      .replyWithError(Object.assign(new Error('reset'), { code: 'UND_ERR_SOCKET' }))
    pool.intercept({ path: PATH, method: 'POST' }).reply(201, '')
    const result = await sendPushMessage(subscription, 'x', {
      vapid: vapid(),
      dispatcher: agent,
      retry: { maxAttempts: 2, baseDelay: 1 },
    })
    expect(result.attempts).toBe(2)
  })
})

describe('hooks and diagnostics channels', () => {
  it('reports start and end with timing and classification, never payloads or keys', async () => {
    const pool = agent.get(ORIGIN)
    pool.intercept({ path: PATH, method: 'POST' }).reply(201, '')
    pool.intercept({ path: PATH, method: 'POST' }).reply(410, 'gone')
    const starts: PushRequestStartEvent[] = []
    const ends: PushRequestEndEvent[] = []
    const channelEnds: unknown[] = []
    const listener = (message: unknown): void => {
      channelEnds.push(message)
    }
    subscribe(DIAGNOSTICS_CHANNELS.requestEnd, listener)
    try {
      const hooks = {
        onRequestStart: (event: PushRequestStartEvent) => starts.push(event),
        onRequestEnd: (event: PushRequestEndEvent) => {
          ends.push(event)
          throw new Error('a broken hook must not break delivery')
        },
      }
      const payload = 'top secret payload'
      const options = { vapid: vapid(), dispatcher: agent, hooks, context: { id: 7 } }
      await sendPushMessage(subscription, payload, options)
      await expect(sendPushMessage(subscription, payload, options)).rejects.toMatchObject({
        kind: 'gone',
      })
      expect(starts).toHaveLength(2)
      expect(starts[0]).toMatchObject({
        origin: ORIGIN,
        service: 'other',
        attempt: 1,
        ttl: 2_419_200,
        contentEncoding: 'aes128gcm',
        context: { id: 7 },
      })
      expect(starts[0]!.bodyLength).toBeGreaterThan(payload.length)
      expect(ends.map((e) => [e.outcome, e.statusCode])).toEqual([
        ['success', 201],
        ['gone', 410],
      ])
      for (const event of ends) expect(event.duration).toBeGreaterThanOrEqual(0)
      expect(ends[1]!.errorCode).toBe('ERR_WEBPUSH_PUSH_SERVICE')
      expect(channelEnds).toHaveLength(2)
      const serialized = JSON.stringify([starts, ends, channelEnds])
      expect(serialized).not.toContain(payload)
      expect(serialized).not.toContain('secret-token')
      expect(serialized).not.toContain(subscription.keys.auth)
      expect(serialized).not.toContain(keys.applicationServerKey)
    } finally {
      unsubscribe(DIAGNOSTICS_CHANNELS.requestEnd, listener)
    }
  })
})

describe('sendPushRequest', () => {
  it('sends a request built elsewhere', async () => {
    agent.get(ORIGIN).intercept({ path: PATH, method: 'POST' }).reply(201, '')
    const request = await buildPushRequest(subscription, 'hi', { vapid: vapid(), ttl: 30 })
    const result = await sendPushRequest(request, { dispatcher: agent })
    expect(result).toMatchObject({ status: 201, ttl: 30, attempts: 1 })
  })
})

describe('send path: events only for listeners, the same events for them', () => {
  it('publishes start and end on the diagnostics channels without any hook', async () => {
    const pool = agent.get(ORIGIN)
    pool.intercept({ path: PATH, method: 'POST' }).reply(201, '')
    pool
      .intercept({ path: PATH, method: 'POST' })
      .replyWithError(Object.assign(new Error('reset'), { code: 'UND_ERR_SOCKET' }))
    const starts: PushRequestStartEvent[] = []
    const ends: PushRequestEndEvent[] = []
    const onStart = (message: unknown): void => {
      starts.push(message as PushRequestStartEvent)
    }
    const onEnd = (message: unknown): void => {
      ends.push(message as PushRequestEndEvent)
    }
    subscribe(DIAGNOSTICS_CHANNELS.requestStart, onStart)
    subscribe(DIAGNOSTICS_CHANNELS.requestEnd, onEnd)
    try {
      const options = { vapid: vapid(), dispatcher: agent, ttl: 90, urgency: 'low' as const }
      await sendPushMessage(subscription, 'x', options)
      await expect(sendPushMessage(subscription, null, options)).rejects.toMatchObject({
        code: 'ERR_WEBPUSH_REQUEST_FAILED',
      })
    } finally {
      unsubscribe(DIAGNOSTICS_CHANNELS.requestStart, onStart)
      unsubscribe(DIAGNOSTICS_CHANNELS.requestEnd, onEnd)
    }
    expect(starts).toHaveLength(2)
    expect(starts[0]).toEqual({
      origin: ORIGIN,
      service: 'other',
      attempt: 1,
      ttl: 90,
      urgency: 'low',
      contentEncoding: 'aes128gcm',
      bodyLength: starts[0]!.bodyLength,
      startTime: starts[0]!.startTime,
    })
    expect(starts[0]!.bodyLength).toBeGreaterThan(0)
    expect(starts[0]!.startTime).toBeGreaterThan(0)
    // Without a payload: no Content-Encoding, no body.
    expect(starts[1]).not.toHaveProperty('contentEncoding')
    expect(starts[1]!.bodyLength).toBe(0)
    expect(ends.map((event) => [event.outcome, event.statusCode, event.errorCode])).toEqual([
      ['success', 201, undefined],
      ['requestFailed', undefined, 'ERR_WEBPUSH_REQUEST_FAILED'],
    ])
    for (const [i, event] of ends.entries()) {
      expect(event).toMatchObject(starts[i]!)
      expect(event.duration).toBeGreaterThanOrEqual(0)
    }
  })

  it('reports each attempt under a retry policy, with the TTL lowered', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const pool = agent.get(ORIGIN)
    pool
      .intercept({ path: PATH, method: 'POST' })
      .reply(503, '', { headers: { 'retry-after': '5' } })
    pool.intercept({ path: PATH, method: 'POST' }).reply(201, '')
    const starts: PushRequestStartEvent[] = []
    const ends: PushRequestEndEvent[] = []
    const promise = sendPushMessage(subscription, 'x', {
      vapid: vapid(),
      ttl: 600,
      topic: 'inbox',
      dispatcher: agent,
      retry: { maxAttempts: 3 },
      context: 'job-1',
      hooks: {
        onRequestStart: (event) => starts.push(event),
        onRequestEnd: (event) => ends.push(event),
      },
    })
    while (vi.getTimerCount() === 0) await new Promise((resolve) => setImmediate(resolve))
    await vi.advanceTimersByTimeAsync(5_000)
    const result = await promise
    expect(result).toMatchObject({ status: 201, ttl: 595, topic: 'inbox', attempts: 2 })
    expect(starts.map((event) => [event.attempt, event.ttl, event.context])).toEqual([
      [1, 600, 'job-1'],
      [2, 595, 'job-1'],
    ])
    expect(ends.map((event) => [event.attempt, event.outcome, event.retryAfter])).toEqual([
      [1, 'transient', 5_000],
      [2, 'success', undefined],
    ])
  })
})

describe('send path: requests built elsewhere', () => {
  it('reads TTL, Topic, Urgency and Content-Encoding in any letter case', async () => {
    let seen: Record<string, string> | undefined
    agent
      .get(ORIGIN)
      .intercept({ path: PATH, method: 'POST' })
      .reply((options) => {
        seen = options.headers as Record<string, string>
        return { statusCode: 201, data: '' }
      })
    const built = await buildPushRequest(subscription, 'hi', { vapid: vapid() })
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(built.headers)) headers[name] = value
    delete headers['ttl']
    const request = {
      ...built,
      headers: { ...headers, TTL: '45', Topic: 'news', URGENCY: 'high' },
    }
    const starts: PushRequestStartEvent[] = []
    const result = await sendPushRequest(request, {
      dispatcher: agent,
      hooks: { onRequestStart: (event) => starts.push(event) },
    })
    expect(result).toMatchObject({ status: 201, ttl: 45, topic: 'news' })
    expect(starts[0]).toMatchObject({ ttl: 45, urgency: 'high', contentEncoding: 'aes128gcm' })
    expect(seen).toMatchObject({ TTL: '45', Topic: 'news' })
  })

  it('posts to the origin and path the URL parser gives, whatever the spelling', async () => {
    agent.get(ORIGIN).intercept({ path: '/wpush/v2/tok?x=1', method: 'POST' }).reply(201, '')
    const built = await buildPushRequest(subscription, null, { vapid: vapid() })
    const starts: PushRequestStartEvent[] = []
    const result = await sendPushRequest(
      { ...built, url: 'https://PUSH.example.net:443/wpush/./v1/../v2/tok?x=1#frag' },
      { dispatcher: agent, hooks: { onRequestStart: (event) => starts.push(event) } },
    )
    expect(result.status).toBe(201)
    expect(starts[0]?.origin).toBe(ORIGIN)
  })

  it('rejects what is not a request (channel 1)', async () => {
    await expect(sendPushRequest(null as never, { dispatcher: agent })).rejects.toBeInstanceOf(
      TypeError,
    )
    await expect(
      sendPushRequest({ url: `${ORIGIN}${PATH}`, method: 'POST', body: null } as never, {
        dispatcher: agent,
      }),
    ).rejects.toBeInstanceOf(TypeError)
    await expect(
      sendPushRequest(
        { url: 'not a url', method: 'POST', headers: { ttl: '1' }, body: null },
        { dispatcher: agent },
      ),
    ).rejects.toBeInstanceOf(TypeError)
  })
})

describe('send path: responses', () => {
  it('takes the message id from apns-id or X-WNS-Msg-ID before Location', async () => {
    const pool = agent.get(ORIGIN)
    pool.intercept({ path: PATH, method: 'POST' }).reply(201, '', {
      headers: { 'apns-id': 'A1B2', location: `${ORIGIN}/m/ignored` },
    })
    pool
      .intercept({ path: PATH, method: 'POST' })
      .reply(200, '', { headers: { 'x-wns-msg-id': '3FF', 'x-wns-status': 'received' } })
    const options = { vapid: vapid(), dispatcher: agent }
    expect(await sendPushMessage(subscription, 'x', options)).toMatchObject({
      status: 201,
      messageId: 'A1B2',
      location: `${ORIGIN}/m/ignored`,
    })
    expect(await sendPushMessage(subscription, 'x', options)).toMatchObject({
      status: 200,
      messageId: '3FF',
    })
  })

  it('accepts a 2xx whatever its body, also one over the 64 KiB cap', async () => {
    const pool = agent.get(ORIGIN)
    pool.intercept({ path: PATH, method: 'POST' }).reply(201, '{"ok":true}')
    pool.intercept({ path: PATH, method: 'POST' }).reply(201, 'x'.repeat(100_000))
    const options = { vapid: vapid(), dispatcher: agent }
    expect((await sendPushMessage(subscription, 'x', options)).status).toBe(201)
    expect((await sendPushMessage(subscription, 'x', options)).status).toBe(201)
  })

  it('rejects with the reason of a signal aborted before the send', async () => {
    const controller = new AbortController()
    const reason = new Error('not now')
    controller.abort(reason)
    const request = await buildPushRequest(subscription, 'x', { vapid: vapid() })
    await expect(
      sendPushRequest(request, { dispatcher: agent, signal: controller.signal }),
    ).rejects.toBe(reason)
  })
})

describe('send path: dispatchers other than undici’s own', () => {
  // A wrapper with its own `request` (another copy of undici, an instrumented client): the sender
  // goes through `request()` then, with the same results.
  const wrap = (inner: MockAgent): { calls: number; dispatcher: never } => {
    const wrapper = {
      calls: 0,
      dispatcher: {
        request: (options: Parameters<MockAgent['request']>[0]) => {
          wrapper.calls += 1
          return inner.request(options)
        },
      } as never,
    }
    return wrapper
  }

  it('sends, classifies and caps error bodies the same way', async () => {
    const pool = agent.get(ORIGIN)
    pool
      .intercept({ path: PATH, method: 'POST' })
      .reply(201, 'ignored', { headers: { location: `${ORIGIN}/m/msg-7` } })
    pool.intercept({ path: PATH, method: 'POST' }).reply(410, 'x'.repeat(100_000))
    const wrapper = wrap(agent)
    const options = { vapid: vapid(), dispatcher: wrapper.dispatcher }
    expect(await sendPushMessage(subscription, 'x', options)).toMatchObject({
      status: 201,
      messageId: 'msg-7',
    })
    const error = (await sendPushMessage(subscription, 'x', options).catch(
      (e: unknown) => e,
    )) as PushServiceError
    expect(error).toMatchObject({ code: 'ERR_WEBPUSH_PUSH_SERVICE', kind: 'gone' })
    expect(error.body.length).toBe(65_536)
    expect(wrapper.calls).toBe(2)
  })

  it('passes the signal on', async () => {
    agent.get(ORIGIN).intercept({ path: PATH, method: 'POST' }).reply(201, '').delay(5_000)
    const controller = new AbortController()
    const promise = sendPushMessage(subscription, 'x', {
      vapid: vapid(),
      dispatcher: wrap(agent).dispatcher,
      signal: controller.signal,
    })
    setTimeout(() => {
      controller.abort(new Error('stop now'))
    }, 20)
    await expect(promise).rejects.toThrow('stop now')
  })
})
