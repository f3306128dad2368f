// Properties of the strict mock: any payload within the RFC 8291 budget round-trips exactly in
// both codings, and arbitrary mutations of a valid body are refused with a 4xx (never a 5xx) or,
// where the mutation is harmless, deliver exactly the original. Bounded runs: each case is one
// HTTPS request on loopback.
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createMockPushService,
  type MockPushService,
  type PushSubscriptionJSON,
} from '../src/index.ts'
import { buildRequest, generateTestVapidKeys, post, type TestVapidKeys } from './helpers/sender.ts'

describe('mock push service properties', () => {
  let service: MockPushService
  let dispatcher: ReturnType<MockPushService['createDispatcher']>
  let vapid: TestVapidKeys
  let subscription: PushSubscriptionJSON

  beforeAll(async () => {
    service = await createMockPushService()
    dispatcher = service.createDispatcher()
    vapid = await generateTestVapidKeys()
    subscription = await service.createSubscription({ vapidPublicKey: vapid.publicKey })
  })
  afterAll(async () => {
    await dispatcher.close()
    await service.close()
  })

  it('any payload within the budget round-trips exactly (aes128gcm and aesgcm)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 0, maxLength: 3993 }),
        fc.constantFrom('aes128gcm' as const, 'aesgcm' as const),
        async (payload, encoding) => {
          service.reset()
          const response = await post(
            await buildRequest(subscription, payload, { vapid, encoding }),
            dispatcher,
          )
          expect(response.status).toBe(201)
          const message = await service.nextMessage({ timeout: 2000 })
          expect(Buffer.from(message.plaintext).equals(Buffer.from(payload))).toBe(true)
        },
      ),
      { numRuns: 60 },
    )
  })

  it('a mutated body is refused with a 4xx, or delivers exactly the original', async () => {
    const original = 'the original message'
    const valid = await buildRequest(subscription, original, { vapid })
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: valid.body.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        fc.boolean(),
        async (index, xor, truncate) => {
          service.reset()
          const body = truncate ? valid.body.slice(0, index) : valid.body.slice()
          if (!truncate) body[index]! ^= xor
          const response = await post({ ...valid, body }, dispatcher)
          if (response.status === 201) {
            // RFC 8188 §2.1: `rs` (octets 16–19) only frames records and is not authenticated, so
            // a larger `rs` on a one-record body is still the same valid message. Nothing else may pass.
            expect(!truncate && index >= 16 && index <= 19).toBe(true)
            expect((await service.nextMessage()).text()).toBe(original)
          } else {
            expect(response.status).toBeGreaterThanOrEqual(400)
            expect(response.status).toBeLessThan(500)
            expect(service.messages).toHaveLength(0)
          }
        },
      ),
      { numRuns: 120 },
    )
  })
})
