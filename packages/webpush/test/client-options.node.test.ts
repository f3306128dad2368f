// PushClient's message and transport defaults against per-call options, over undici's MockAgent
// (the client's `dispatcher` option): what each request carries, which hooks see it, and when bad
// options fail. The client merges its defaults once and copies only what a call overrides.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { MockAgent } from 'undici'
import { generateVapidKeys, type VapidKeys } from '@pushcraft/vapid'
import { PushClient, type PushRequestStartEvent, type PushSubscriptionJSON } from '../src/index.ts'
import { createSubscriber } from './helpers/subscriber.ts'

const ORIGIN = 'https://push.example.net'
let keys: VapidKeys
let subscriptions: PushSubscriptionJSON[]
let agent: MockAgent

beforeAll(async () => {
  keys = await generateVapidKeys()
  const subscriber = await createSubscriber()
  subscriptions = Array.from({ length: 4 }, (_, i) => subscriber.subscription(`${ORIGIN}/s/${i}`))
})

beforeEach(() => {
  agent = new MockAgent()
  agent.disableNetConnect()
})

afterEach(async () => {
  agent.assertNoPendingInterceptors()
  await agent.close()
})

/** Records the headers of each request to `path` (answered 201). */
function record(path: string, times = 1): Record<string, string>[] {
  const seen: Record<string, string>[] = []
  agent
    .get(ORIGIN)
    .intercept({ path, method: 'POST' })
    .reply((options) => {
      seen.push({ ...(options.headers as Record<string, string>) })
      return { statusCode: 201, data: '' }
    })
    .times(times)
  return seen
}

function client(options: ConstructorParameters<typeof PushClient>[0] = {}): PushClient {
  return new PushClient({
    vapid: { keys, subject: 'mailto:ops@example.com' },
    dispatcher: agent,
    ...options,
  })
}

describe('PushClient: per-call options over the client’s defaults', () => {
  it('overrides the defaults for that call only', async () => {
    const seen = record('/s/0', 4)
    const starts: PushRequestStartEvent[] = []
    const push = client({
      ttl: 60,
      urgency: 'low',
      topic: 'base',
      context: 'client',
      hooks: { onRequestStart: (event) => starts.push(event) },
    })
    const [subscription] = subscriptions as [PushSubscriptionJSON]
    await push.send(subscription, 'a', { ttl: 5, topic: 'call', context: 'call' })
    await push.send(subscription, 'b')
    await push.send(subscription, 'c', {})
    // `undefined` (from JavaScript) leaves the default in place.
    const unset: Record<string, unknown> = { ttl: undefined, urgency: 'high' }
    await push.send(subscription, 'd', unset)
    expect(seen.map((headers) => [headers.ttl, headers.urgency, headers.topic])).toEqual([
      ['5', 'low', 'call'],
      ['60', 'low', 'base'],
      ['60', 'low', 'base'],
      ['60', 'high', 'base'],
    ])
    expect(starts.map((event) => event.context)).toEqual(['call', 'client', 'client', 'client'])
  })

  it('calls the client’s hooks and the call’s, in that order', async () => {
    record('/s/0', 2)
    const calls: string[] = []
    const push = client({
      hooks: { onRequestEnd: (event) => calls.push(`client ${event.outcome}`) },
    })
    const [subscription] = subscriptions as [PushSubscriptionJSON]
    await push.send(subscription, 'x', {
      hooks: { onRequestEnd: (event) => calls.push(`call ${event.outcome}`) },
    })
    await push.send(subscription, 'y')
    expect(calls).toEqual(['client success', 'call success', 'client success'])
  })

  it('fails every send while the defaults are bad, and each call with bad overrides', async () => {
    const [subscription] = subscriptions as [PushSubscriptionJSON]
    const broken = client({ timeout: 0 })
    await expect(broken.send(subscription, 'x')).rejects.toBeInstanceOf(RangeError)
    await expect(broken.send(subscription, 'x')).rejects.toBeInstanceOf(RangeError)

    record('/s/0')
    const push = client()
    await expect(
      push.send(subscription, 'x', { retry: { tries: 2 } as never }),
    ).rejects.toBeInstanceOf(TypeError)
    await expect(push.send(subscription, 'x', { ttll: 5 } as never)).rejects.toBeInstanceOf(
      TypeError,
    )
    await expect(
      push.send(subscription, 'x', { urgency: 'urgent' as never }),
    ).rejects.toBeInstanceOf(RangeError)
    // The client is unharmed by them.
    expect((await push.send(subscription, 'x')).status).toBe(201)
  })
})

describe('PushClient.sendMany: per-call options for every message', () => {
  it('applies them to each message of the run, and not to later sends', async () => {
    const seen = subscriptions.map((_, i) => record(`/s/${i}`))
    const later = record('/s/0')
    const push = client({ ttl: 60 })
    const results = []
    for await (const item of push.sendMany(subscriptions, (s) => `to ${s.endpoint}`, {
      ttl: 7,
      urgency: 'high',
      concurrency: 2,
    })) {
      results.push(item)
    }
    expect(results.map((item) => item.ok)).toEqual([true, true, true, true])
    expect(seen.map(([headers]) => [headers?.ttl, headers?.urgency])).toEqual(
      subscriptions.map(() => ['7', 'high']),
    )
    await push.send(subscriptions[0]!, 'x')
    expect([later[0]?.ttl, later[0]?.urgency]).toEqual(['60', undefined])
  })

  it('ends the iteration with the misuse error of bad options', async () => {
    const push = client()
    const run = async (): Promise<void> => {
      for await (const item of push.sendMany(subscriptions, 'x', { timeout: -1 })) {
        expect(item).toBeUndefined()
      }
    }
    await expect(run()).rejects.toBeInstanceOf(RangeError)
  })

  it('ends the iteration with a TypeError once the client is closed', async () => {
    record('/s/0')
    const push = client()
    const run = async (): Promise<number> => {
      let done = 0
      for await (const item of push.sendMany(subscriptions, 'x', { concurrency: 1 })) {
        expect(item.ok).toBe(true)
        done += 1
        await push.close()
      }
      return done
    }
    await expect(run()).rejects.toBeInstanceOf(TypeError)
  })
})
