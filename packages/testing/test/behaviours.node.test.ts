import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createMockPushService,
  delay,
  gone,
  rateLimited,
  respond,
  serverError,
  serviceAnswer,
  type MockPushService,
  type PushServiceName,
} from '../src/index.ts'
import { generateTestVapidKeys, send, type TestVapidKeys } from './helpers/sender.ts'

describe('behaviour scripting', () => {
  let service: MockPushService
  let dispatcher: ReturnType<MockPushService['createDispatcher']>
  let vapid: TestVapidKeys

  beforeAll(async () => {
    service = await createMockPushService()
    dispatcher = service.createDispatcher()
    vapid = await generateTestVapidKeys()
  })
  afterAll(async () => {
    await dispatcher.close()
    await service.close()
  })

  it('gone(410) answers 410 and keeps the subscription deleted', async () => {
    service.reset()
    const subscription = await service.createSubscription()
    service.behave(subscription, gone(410), { times: 1 })
    expect((await send(subscription, 'x', dispatcher, { vapid })).status).toBe(410)
    // The behaviour was used up, but the subscription stays gone like a real unsubscribe.
    expect((await send(subscription, 'x', dispatcher, { vapid })).status).toBe(410)
    expect(service.messages).toHaveLength(0)
  })

  it('gone(404) answers 404', async () => {
    const subscription = await service.createSubscription({ service: 'fcm' })
    service.behave(subscription.endpoint, gone(404))
    const response = await send(subscription, 'x', dispatcher, { vapid })
    expect(response.status).toBe(404)
  })

  it('rateLimited answers 429 with Retry-After, then lets requests through after `times`', async () => {
    service.reset()
    const subscription = await service.createSubscription()
    const handle = service.behave(subscription, rateLimited({ retryAfter: 30 }), { times: 2 })
    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await send(subscription, 'x', dispatcher, { vapid })
      expect(response.status).toBe(429)
      expect(response.headers['retry-after']).toBe('30')
    }
    expect(handle.calls).toBe(2)
    expect((await send(subscription, 'through', dispatcher, { vapid })).status).toBe(201)
    expect((await service.nextMessage()).text()).toBe('through')
  })

  it('serverError answers the status until removed', async () => {
    const subscription = await service.createSubscription()
    const handle = service.behave(subscription, serverError(502))
    expect((await send(subscription, 'x', dispatcher, { vapid })).status).toBe(502)
    expect((await send(subscription, 'x', dispatcher, { vapid })).status).toBe(502)
    handle.remove()
    expect((await send(subscription, 'x', dispatcher, { vapid })).status).toBe(201)
  })

  it('serverError(503) carries Retry-After when given', async () => {
    const subscription = await service.createSubscription({ service: 'apple' })
    service.behave(subscription, serverError(503, { retryAfter: 5 }), { times: 1 })
    const response = await send(subscription, 'x', dispatcher, { vapid })
    expect(response.status).toBe(503)
    expect(response.headers['retry-after']).toBe('5')
    expect(JSON.parse(response.text)).toEqual({ reason: 'ServiceUnavailable' })
  })

  it('delay postpones the answer, then handles the request normally', async () => {
    service.reset()
    const subscription = await service.createSubscription()
    service.behave((request) => request.headers.topic === 'slow', delay(150), { times: 1 })
    // Ordering, not wall-clock time: the delayed request finishes after an undelayed one sent later.
    const finished: string[] = []
    const slow = send(subscription, 'slow', dispatcher, { vapid, topic: 'slow' }).then(
      (response) => {
        finished.push('slow')
        return response
      },
    )
    await new Promise((resolve) => setTimeout(resolve, 20))
    const fast = send(subscription, 'fast', dispatcher, { vapid, topic: 'fast' }).then(
      (response) => {
        finished.push('fast')
        return response
      },
    )
    expect((await slow).status).toBe(201)
    expect((await fast).status).toBe(201)
    expect(finished).toEqual(['fast', 'slow'])
    expect(service.messages.map((message) => message.text()).sort()).toEqual(['fast', 'slow'])
  })

  it('delay(ms, then) answers `then` after the delay', async () => {
    const subscription = await service.createSubscription()
    service.behave(subscription, delay(20, serverError(504)), { times: 1 })
    expect((await send(subscription, 'x', dispatcher, { vapid })).status).toBe(504)
  })

  it('matches with a predicate on the request', async () => {
    const subscription = await service.createSubscription()
    service.behave((request) => request.headers.urgency === 'very-low', rateLimited(), { times: 1 })
    expect((await send(subscription, 'x', dispatcher, { vapid, urgency: 'very-low' })).status).toBe(
      429,
    )
    expect((await send(subscription, 'x', dispatcher, { vapid, urgency: 'high' })).status).toBe(201)
  })

  it('respond answers exactly the given response', async () => {
    const subscription = await service.createSubscription()
    service.behave(
      subscription,
      respond({ status: 418, headers: { 'x-test': 'yes' }, body: 'teapot' }),
      { times: 1 },
    )
    const response = await send(subscription, 'x', dispatcher, { vapid })
    expect(response.status).toBe(418)
    expect(response.headers['x-test']).toBe('yes')
    expect(response.text).toBe('teapot')
  })

  it('reset() removes behaviours', async () => {
    const subscription = await service.createSubscription()
    service.behave(subscription, serverError(500))
    service.reset()
    expect((await send(subscription, 'x', dispatcher, { vapid })).status).toBe(201)
  })

  // The answers the real services give, end to end through the mock (shapes in services.test.ts).
  const expectations: Record<
    PushServiceName,
    { mismatch: number; badJwt: number; tooLarge: number; gone: number; rate: number }
  > = {
    mozilla: { mismatch: 401, badJwt: 401, tooLarge: 413, gone: 410, rate: 429 },
    fcm: { mismatch: 403, badJwt: 403, tooLarge: 413, gone: 410, rate: 429 },
    apple: { mismatch: 400, badJwt: 403, tooLarge: 413, gone: 410, rate: 429 },
    wns: { mismatch: 403, badJwt: 401, tooLarge: 413, gone: 410, rate: 406 },
  }
  for (const [name, expected] of Object.entries(expectations) as [
    PushServiceName,
    (typeof expectations)['fcm'],
  ][]) {
    it(`emulates ${name}: strict failures and scripted answers use its shapes`, async () => {
      const subscription = await service.createSubscription({
        service: name,
        vapidPublicKey: vapid.publicKey,
      })
      // Real verification failures, answered in the service's style.
      expect((await send(subscription, 'x', dispatcher, { vapid: undefined })).status).toBe(
        expected.mismatch,
      )
      expect(
        (
          await send(subscription, 'x', dispatcher, {
            vapid,
            audience: 'https://elsewhere.example',
          })
        ).status,
      ).toBe(expected.badJwt)
      expect((await send(subscription, 'x'.repeat(4000), dispatcher, { vapid })).status).toBe(
        expected.tooLarge,
      )
      // Scripted ones.
      service.behave(subscription, serviceAnswer('rateLimited'), { times: 1 })
      expect((await send(subscription, 'x', dispatcher, { vapid })).status).toBe(expected.rate)
      service.behave(subscription, gone(), { times: 1 })
      expect((await send(subscription, 'x', dispatcher, { vapid })).status).toBe(expected.gone)
    })
  }

  it("serviceAnswer can answer as another service than the subscription's", async () => {
    const subscription = await service.createSubscription({ service: 'mozilla' })
    service.behave(subscription, serviceAnswer('vapidKeyMismatch', { service: 'fcm' }), {
      times: 1,
    })
    const response = await send(subscription, 'x', dispatcher, { vapid })
    expect(response.status).toBe(403)
    expect(response.text).toMatch(
      /^the key in the authorization header does not correspond to the sender ID/,
    )
  })
})

describe('behaviour constructors reject misuse', () => {
  it('throws RangeError for out-of-range values', () => {
    expect(() => gone(400 as 410)).toThrow(RangeError)
    expect(() => serverError(404)).toThrow(RangeError)
    expect(() => delay(-1)).toThrow(RangeError)
  })
})
