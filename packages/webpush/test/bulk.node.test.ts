// sendMany: concurrency, backpressure and failure handling with injected `send` functions (unit
// level), the default sender through undici's MockAgent, and end to end against
// @pushcraft/testing's mock push service, which verifies and decrypts every message.
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { MockAgent } from 'undici'
import { createMockPushService, gone, rateLimited } from '@pushcraft/testing'
import { generateVapidKeys } from '@pushcraft/vapid'
import {
  PushServiceError,
  WebPushError,
  sendMany,
  type PushResult,
  type PushSubscriptionJSON,
  type SendFunction,
  type SendManyResult,
} from '../src/index.ts'
import { createSubscriber } from './helpers/subscriber.ts'

const keys = { p256dh: 'p', auth: 'a' }
const sub = (origin: string, id: number): PushSubscriptionJSON & { id: number } => ({
  endpoint: `${origin}/sub/${id}`,
  keys,
  id,
})
const ok = (subscription: PushSubscriptionJSON): PushResult => ({
  status: 201,
  endpoint: subscription.endpoint,
  service: 'other',
  attempts: 1,
})
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = []
  for await (const item of iterable) items.push(item)
  return items
}

describe('sendMany: concurrency', () => {
  it('bounds sends per origin and overall', async () => {
    const origins = ['https://a.example', 'https://b.example', 'https://c.example']
    const subscriptions = Array.from({ length: 60 }, (_, i) => sub(origins[i % 3]!, i))
    let global = 0
    let maxGlobal = 0
    const perOrigin = new Map<string, number>()
    const maxPerOrigin = new Map<string, number>()
    const send: SendFunction<(typeof subscriptions)[number]> = async (subscription) => {
      const origin = new URL(subscription.endpoint).origin
      global += 1
      maxGlobal = Math.max(maxGlobal, global)
      perOrigin.set(origin, (perOrigin.get(origin) ?? 0) + 1)
      maxPerOrigin.set(origin, Math.max(maxPerOrigin.get(origin) ?? 0, perOrigin.get(origin)!))
      await sleep(2)
      global -= 1
      perOrigin.set(origin, perOrigin.get(origin)! - 1)
      return ok(subscription)
    }
    const results = await collect(
      sendMany(subscriptions, 'hi', { send, concurrency: 5, concurrencyPerOrigin: 2 }),
    )
    expect(results).toHaveLength(60)
    expect(results.every((r) => r.ok)).toBe(true)
    expect(new Set(results.map((r) => r.index)).size).toBe(60)
    expect(maxGlobal).toBe(5)
    for (const origin of origins) expect(maxPerOrigin.get(origin)).toBe(2)
  })

  it('counts endpoints of one origin together, however they are spelled', async () => {
    // One push service, its origin written four ways (RFC 6454 §4: scheme, host and port).
    const spellings = [
      'https://push.example',
      'HTTPS://Push.Example',
      'https://push.example:443',
      'https://user@push.example',
    ]
    const subscriptions = Array.from({ length: 24 }, (_, i) => sub(spellings[i % 4]!, i))
    let inFlight = 0
    let maxInFlight = 0
    const send: SendFunction<(typeof subscriptions)[number]> = async (subscription) => {
      inFlight += 1
      maxInFlight = Math.max(maxInFlight, inFlight)
      await sleep(2)
      inFlight -= 1
      return ok(subscription)
    }
    const results = await collect(
      sendMany(subscriptions, null, { send, concurrency: 8, concurrencyPerOrigin: 2 }),
    )
    expect(results).toHaveLength(24)
    expect(maxInFlight).toBe(2)
  })

  it('lets other origins through while one origin is saturated', async () => {
    // 20 items for a slow origin first, then 5 for a fast one.
    const subscriptions = [
      ...Array.from({ length: 20 }, (_, i) => sub('https://slow.example', i)),
      ...Array.from({ length: 5 }, (_, i) => sub('https://fast.example', 100 + i)),
    ]
    const order: number[] = []
    const send: SendFunction<(typeof subscriptions)[number]> = async (subscription) => {
      await sleep(subscription.endpoint.startsWith('https://slow') ? 30 : 1)
      order.push(subscription.id)
      return ok(subscription)
    }
    await collect(sendMany(subscriptions, null, { send, concurrency: 30, concurrencyPerOrigin: 2 }))
    // The fast origin's items finish before most of the slow origin's.
    const fastDone = order.indexOf(104)
    expect(fastDone).toBeLessThan(10)
  })

  it('yields results in completion order, each with its subscription and index', async () => {
    const subscriptions = [30, 1, 15].map((delay, i) => ({ ...sub('https://a.example', i), delay }))
    const results = await collect(
      sendMany(subscriptions, 'x', {
        send: async (subscription) => {
          await sleep(subscription.delay)
          return ok(subscription)
        },
        concurrency: 3,
        concurrencyPerOrigin: 3,
      }),
    )
    expect(results.map((r) => r.index)).toEqual([1, 2, 0])
    expect(results.map((r) => r.subscription.delay)).toEqual([1, 15, 30])
  })
})

describe('sendMany: backpressure and memory', () => {
  it('streams 1,000,000 items lazily with bounded look-ahead and bounded heap', async () => {
    const total = 1_000_000
    const concurrency = 16
    let pulled = 0
    let yielded = 0
    let maxAhead = 0
    // eslint-disable-next-line @typescript-eslint/require-await -- an async source, on purpose
    async function* source(): AsyncGenerator<PushSubscriptionJSON> {
      for (let i = 0; i < total; i += 1) {
        pulled += 1
        // A fresh object per item: if anything held on to them, the heap would grow by ~100 MB.
        yield { endpoint: `https://push.example/${i}`, keys: { p256dh: `k${i}`, auth: 'a' } }
      }
    }
    const result: PushResult = { status: 201, endpoint: '', service: 'other', attempts: 1 }
    // A real major GC before each heap reading, so the numbers measure what is retained.
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    gc()
    const heapBefore = process.memoryUsage().heapUsed
    let heapPeak = heapBefore
    for await (const item of sendMany(source(), null, {
      send: () => Promise.resolve(result),
      concurrency,
    })) {
      if (item.ok) yielded += 1
      maxAhead = Math.max(maxAhead, pulled - yielded)
      if (yielded % 100_000 === 0) {
        gc()
        heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed)
      }
    }
    expect(yielded).toBe(total)
    expect(pulled).toBe(total)
    // In flight + buffered results ≤ concurrency; plus items parked for a busy origin.
    expect(maxAhead).toBeLessThanOrEqual(2 * concurrency + 1)
    expect(heapPeak - heapBefore).toBeLessThan(32 * 1024 * 1024)
  }, 60_000)

  it('does not pull ahead while the consumer is not reading', async () => {
    let pulled = 0
    function* source(): Generator<PushSubscriptionJSON> {
      for (let i = 0; i < 1_000; i += 1) {
        pulled += 1
        yield sub('https://a.example', i)
      }
    }
    const iterator = sendMany(source(), 'x', {
      send: (subscription) => Promise.resolve(ok(subscription)),
      concurrency: 8,
      concurrencyPerOrigin: 8,
    })[Symbol.asyncIterator]()
    await iterator.next()
    await sleep(20)
    expect(pulled).toBeLessThanOrEqual(9)
    await iterator.return?.()
  })
})

describe('sendMany: failures, abort and progress', () => {
  it('turns WebPushErrors into results and counts progress', async () => {
    const subscriptions = Array.from({ length: 6 }, (_, i) => sub('https://a.example', i))
    const progress: { completed: number; failed: number; gone: number; inFlight: number }[] = []
    const results = await collect(
      sendMany(subscriptions, (s) => `hello ${s.id}`, {
        concurrency: 2,
        onProgress: (p) => {
          progress.push(p)
        },
        send: (subscription, payload) => {
          expect(payload).toBe(`hello ${subscription.id}`)
          if (subscription.id === 1) {
            return Promise.reject(
              new PushServiceError({
                endpoint: subscription.endpoint,
                statusCode: 410,
                headers: {},
                body: '',
              }),
            )
          }
          if (subscription.id === 2) {
            return Promise.reject(new WebPushError('ERR_WEBPUSH_INVALID_SUBSCRIPTION', 'bad keys'))
          }
          return Promise.resolve(ok(subscription))
        },
      }),
    )
    const failed = results.filter(
      (r): r is Extract<SendManyResult<(typeof subscriptions)[number]>, { ok: false }> => !r.ok,
    )
    expect(failed.map((r) => [r.subscription.id, r.error.code])).toEqual(
      expect.arrayContaining([
        [1, 'ERR_WEBPUSH_PUSH_SERVICE'],
        [2, 'ERR_WEBPUSH_INVALID_SUBSCRIPTION'],
      ]),
    )
    expect(progress).toHaveLength(6)
    expect(progress.at(-1)).toMatchObject({
      completed: 6,
      succeeded: 4,
      failed: 2,
      gone: 1,
      inFlight: 0,
    })
  })

  it('ends the iteration on a developer error, after in-flight sends settled', async () => {
    let settled = 0
    const subscriptions = Array.from({ length: 10 }, (_, i) => sub('https://a.example', i))
    const iteration = collect(
      sendMany(subscriptions, 'x', {
        concurrency: 4,
        send: async (subscription, _payload, { signal }) => {
          if (subscription.id === 3) {
            await sleep(1)
            throw new TypeError('bad option')
          }
          await sleep(10)
          settled += 1
          expect(signal.aborted).toBe(true)
          return ok(subscription)
        },
      }),
    )
    await expect(iteration).rejects.toBeInstanceOf(TypeError)
    // Items 0–2 were in flight when item 3 failed: they settled before the rejection, and
    // nothing else started.
    expect(settled).toBe(3)
  })

  it('stops on abort: no more pulls, in-flight sends aborted, the source closed', async () => {
    const controller = new AbortController()
    let pulled = 0
    let closed = false
    // eslint-disable-next-line @typescript-eslint/require-await -- an async source, on purpose
    async function* source(): AsyncGenerator<PushSubscriptionJSON & { id: number }> {
      try {
        for (let i = 0; ; i += 1) {
          pulled += 1
          yield sub('https://a.example', i)
        }
      } finally {
        closed = true
      }
    }
    const aborted: number[] = []
    let received = 0
    const run = async (): Promise<void> => {
      for await (const item of sendMany(source(), 'x', {
        concurrency: 4,
        signal: controller.signal,
        send: (subscription, _payload, { signal }) =>
          new Promise((resolve, reject) => {
            const onAbort = (): void => {
              clearTimeout(timer)
              aborted.push(subscription.id)
              reject(signal.reason as Error)
            }
            const timer = setTimeout(
              () => {
                signal.removeEventListener('abort', onAbort)
                resolve(ok(subscription))
              },
              subscription.id < 8 ? 1 : 10_000,
            )
            signal.addEventListener('abort', onAbort)
          }),
      })) {
        if (item.ok) received += 1
        if (received === 8) {
          setTimeout(() => {
            controller.abort(new Error('enough'))
          }, 5)
        }
      }
    }
    await expect(run()).rejects.toThrow('enough')
    expect(received).toBe(8)
    expect(aborted.sort((a, b) => a - b)).toEqual([8, 9, 10, 11])
    expect(pulled).toBeLessThanOrEqual(8 + 4 * 2 + 1)
    expect(closed).toBe(true)
  })

  it('aborts in-flight sends and closes the source when the consumer breaks', async () => {
    let closed = false
    let abortedSends = 0
    function* source(): Generator<PushSubscriptionJSON & { id: number }> {
      try {
        for (let i = 0; i < 100; i += 1) yield sub('https://a.example', i)
      } finally {
        closed = true
      }
    }
    for await (const item of sendMany(source(), 'x', {
      concurrency: 4,
      send: (subscription, _payload, { signal }) =>
        new Promise((resolve, reject) => {
          if (subscription.id === 0) {
            resolve(ok(subscription))
            return
          }
          signal.addEventListener('abort', () => {
            abortedSends += 1
            reject(signal.reason as Error)
          })
        }),
    })) {
      expect(item.index).toBe(0)
      break
    }
    expect(closed).toBe(true)
    expect(abortedSends).toBeGreaterThan(0)
  })

  it('rejects an already aborted signal on first read', async () => {
    const controller = new AbortController()
    controller.abort(new Error('before'))
    const iteration = collect(
      sendMany([sub('https://a.example', 0)], 'x', {
        send: (s) => Promise.resolve(ok(s)),
        signal: controller.signal,
      }),
    )
    await expect(iteration).rejects.toThrow('before')
  })

  it('validates options at call time (channel 1)', () => {
    const send: SendFunction = (s) => Promise.resolve(ok(s))
    expect(() => sendMany([], 'x', { send, concurrency: 0 })).toThrow(RangeError)
    expect(() => sendMany([], 'x', { send, concurrencyPerOrigin: 1.5 })).toThrow(TypeError)
    expect(() => sendMany([], 'x', { send, signal: {} as AbortSignal })).toThrow(TypeError)
    expect(() => sendMany(42 as never, 'x', { send })).toThrow(TypeError)
  })
})

describe('sendMany with the default sender (MockAgent)', () => {
  it('encrypts and posts each message through the dispatcher', async () => {
    const agent = new MockAgent()
    agent.disableNetConnect()
    const origin = 'https://push.example.net'
    const pool = agent.get(origin)
    pool.intercept({ path: '/a', method: 'POST' }).reply(201, '')
    pool.intercept({ path: '/b', method: 'POST' }).reply(410, '')
    const subscriber = await createSubscriber()
    const vapidKeys = await generateVapidKeys()
    const results = await collect(
      sendMany(
        [subscriber.subscription(`${origin}/a`), subscriber.subscription(`${origin}/b`)],
        'hi',
        {
          vapid: { keys: vapidKeys, subject: 'mailto:ops@example.com' },
          dispatcher: agent,
        },
      ),
    )
    expect(results.map((r) => (r.ok ? r.result.status : r.error.code)).sort()).toEqual([
      201,
      'ERR_WEBPUSH_PUSH_SERVICE',
    ])
    agent.assertNoPendingInterceptors()
    await agent.close()
  })
})

describe('sendMany with the default sender: options', () => {
  it('ends the iteration with the misuse error of bad send options', async () => {
    const agent = new MockAgent()
    agent.disableNetConnect()
    const subscriber = await createSubscriber()
    try {
      const iteration = collect(
        sendMany([subscriber.subscription('https://push.example.net/a')], 'hi', {
          dispatcher: agent,
          timeout: 0,
        }),
      )
      await expect(iteration).rejects.toBeInstanceOf(RangeError)
      const unknown = collect(
        sendMany([subscriber.subscription('https://push.example.net/a')], 'hi', {
          dispatcher: agent,
          ttll: 5,
        } as never),
      )
      await expect(unknown).rejects.toBeInstanceOf(TypeError)
    } finally {
      await agent.close()
    }
  })

  it('sends every message with the same options', async () => {
    const agent = new MockAgent()
    agent.disableNetConnect()
    const origin = 'https://push.example.net'
    const ttls: string[] = []
    agent
      .get(origin)
      .intercept({ path: /^\/s\/\d$/, method: 'POST' })
      .reply((options) => {
        ttls.push((options.headers as Record<string, string>).ttl ?? '')
        return { statusCode: 201, data: '' }
      })
      .times(5)
    const subscriber = await createSubscriber()
    const vapidKeys = await generateVapidKeys()
    try {
      const results = await collect(
        sendMany(
          Array.from({ length: 5 }, (_, i) => subscriber.subscription(`${origin}/s/${i}`)),
          async (subscription) => {
            await sleep(1)
            return `to ${subscription.endpoint}`
          },
          {
            vapid: { keys: vapidKeys, subject: 'mailto:ops@example.com' },
            dispatcher: agent,
            ttl: 30,
            concurrency: 2,
          },
        ),
      )
      expect(results.every((result) => result.ok)).toBe(true)
      expect(ttls).toEqual(['30', '30', '30', '30', '30'])
      agent.assertNoPendingInterceptors()
    } finally {
      await agent.close()
    }
  })
})

describe('sendMany end to end (the @pushcraft/testing mock push service)', () => {
  it('delivers each subscription its own payload; gone and retried ones are results', async () => {
    const service = await createMockPushService()
    const dispatcher = service.createDispatcher()
    try {
      const vapidKeys = await generateVapidKeys()
      const issued = await service.createSubscriptions(40, {
        vapidPublicKey: vapidKeys.publicKeyBytes,
      })
      const subscriptions = issued.map((subscription, id) => ({ ...subscription, id }))
      const goneIds = new Set([3, 13, 23, 33])
      for (const id of goneIds) service.behave(subscriptions[id]!, gone(410))
      // One 429 with Retry-After: 0, answered once: the retry delivers it.
      service.behave(subscriptions[5]!, rateLimited({ retryAfter: 0 }), { times: 1 })
      let last = { completed: 0, succeeded: 0, gone: 0 }
      const results = await collect(
        sendMany(subscriptions, (subscription) => `hello ${subscription.id}`, {
          vapid: { keys: vapidKeys, subject: 'mailto:ops@example.com' },
          dispatcher,
          concurrency: 8,
          retry: { baseDelay: 1 },
          onProgress: (progress) => {
            last = progress
          },
        }),
      )
      expect(results).toHaveLength(40)
      const failed = results.filter((result) => !result.ok)
      expect(failed.map((result) => result.subscription.id).sort((a, b) => a - b)).toEqual([
        ...goneIds,
      ])
      for (const result of failed) {
        expect(result.error).toBeInstanceOf(PushServiceError)
        expect(result.error).toMatchObject({ kind: 'gone', isGone: true })
      }
      const retried = results.find((result) => result.subscription.id === 5)
      expect(retried).toMatchObject({ ok: true, result: { status: 201, attempts: 2 } })
      expect(last).toMatchObject({ completed: 40, succeeded: 36, gone: 4 })
      // The service verified the VAPID token of and decrypted every accepted message.
      const messages = await service.waitForMessages(36)
      const byEndpoint = new Map(subscriptions.map((s) => [s.endpoint, s.id]))
      expect(messages.map((m) => m.text()).sort()).toEqual(
        subscriptions
          .filter((s) => !goneIds.has(s.id))
          .map((s) => `hello ${s.id}`)
          .sort(),
      )
      for (const message of messages) {
        expect(message.text()).toBe(`hello ${byEndpoint.get(message.endpoint)!}`)
      }
    } finally {
      await dispatcher.close()
      await service.close()
    }
  })
})
