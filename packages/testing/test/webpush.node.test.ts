// The kit as its users meet it: @pushcraft/webpush sends to the mock push service, which verifies
// and decrypts; the emulated services' refusals come back as webpush's classified
// PushServiceError. This pins that the kit's answers are the shapes webpush's classifier handles.
import { generateVapidKeys, type VapidKeys } from '@pushcraft/vapid'
import { PushServiceError, sendPushMessage } from '@pushcraft/webpush'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createMockPushService,
  gone,
  rateLimited,
  serverError,
  serviceAnswer,
  type MockPushService,
  type PushServiceName,
} from '../src/index.ts'

describe('@pushcraft/webpush against the mock push service', () => {
  let service: MockPushService
  let dispatcher: ReturnType<MockPushService['createDispatcher']>
  let vapid: VapidKeys

  beforeAll(async () => {
    service = await createMockPushService()
    dispatcher = service.createDispatcher()
    vapid = await generateVapidKeys()
  })
  afterAll(async () => {
    await dispatcher.close()
    await service.close()
  })

  const options = (extra: Record<string, unknown> = {}) => ({
    vapid: { keys: vapid, subject: 'mailto:ops@pushcraft.example' },
    dispatcher,
    ...extra,
  })

  for (const contentEncoding of ['aes128gcm', 'aesgcm'] as const) {
    it(`delivers ${contentEncoding} messages the mock decrypts`, async () => {
      service.reset()
      const subscription = await service.createSubscription({
        vapidPublicKey: vapid.publicKeyBytes,
      })
      const result = await sendPushMessage(
        subscription,
        JSON.stringify({ title: 'Hi' }),
        options({ contentEncoding, ttl: 90, urgency: 'low' }),
      )
      expect(result.status).toBe(201)
      const message = await service.nextMessage({ timeout: 2000 })
      expect(message.json()).toEqual({ title: 'Hi' })
      expect(message.encoding).toBe(contentEncoding)
      expect(message.ttl).toBe(90)
      expect(message.urgency).toBe('low')
      expect(message.vapid?.claims.sub).toBe('mailto:ops@pushcraft.example')
    })
  }

  async function refusal(
    subscription: Parameters<typeof sendPushMessage>[0],
    payload = 'x',
    extra: Record<string, unknown> = {},
  ) {
    try {
      await sendPushMessage(subscription, payload, options(extra))
    } catch (error) {
      if (error instanceof PushServiceError) return error
      throw error
    }
    throw new Error('expected a refusal')
  }

  const services: PushServiceName[] = ['mozilla', 'fcm', 'apple', 'wns']
  for (const name of services) {
    it(`${name}: refusals are classified by webpush`, async () => {
      const subscription = await service.createSubscription({
        service: name,
        vapidPublicKey: vapid.publicKeyBytes,
      })
      const other = await generateVapidKeys()

      const mismatch = await (async () => {
        try {
          await sendPushMessage(subscription, 'x', {
            vapid: { keys: other, subject: 'mailto:ops@pushcraft.example' },
            dispatcher,
          })
        } catch (error) {
          return error as PushServiceError
        }
        throw new Error('expected a refusal')
      })()
      expect(mismatch.kind).toBe('vapidKeyMismatch')

      service.behave(subscription, gone(), { times: 1 })
      const expired = await refusal(subscription)
      expect(expired.kind).toBe('gone')
      expect(expired.isGone).toBe(true)

      service.behave(subscription, rateLimited({ retryAfter: 30 }), { times: 1 })
      const limited = await refusal(subscription)
      expect(limited.kind).toBe('rateLimited')
      expect(limited.isRetryable).toBe(true)
      expect(limited.retryAfter).toBe(30_000)

      service.behave(subscription, serverError(503), { times: 1 })
      expect((await refusal(subscription)).kind).toBe('transient')

      service.behave(subscription, serviceAnswer('payloadTooLarge'), { times: 1 })
      expect((await refusal(subscription)).kind).toBe('payloadTooLarge')

      service.behave(subscription, serviceAnswer('expiredJwt'), { times: 1 })
      expect(['badJwt', 'unauthorized']).toContain((await refusal(subscription)).kind)
    })
  }
})
