// A PushClient given VAPID keys without a cache signs one token per push service and reuses it
// (RFC 8292 §2: a token may be reused until it expires; Apple asks for at most one an hour),
// instead of one ES256 signature per message.
import { createMockPushService, type MockPushService } from '@pushcraft/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PushClient, VapidTokenCache, generateVapidKeys, type VapidKeys } from '../src/index.ts'

describe('PushClient VAPID token reuse', () => {
  let service: MockPushService
  let keys: VapidKeys

  beforeAll(async () => {
    service = await createMockPushService()
    keys = await generateVapidKeys()
  })
  afterAll(async () => {
    await service.close()
  })

  it('signs once per push service when no cache is given', async () => {
    service.reset()
    const client = new PushClient({
      vapid: { keys, subject: 'mailto:ops@example.com' },
      connect: { ca: service.ca },
    })
    try {
      const subscriptions = await Promise.all([1, 2, 3].map(() => service.createSubscription()))
      for (const subscription of subscriptions) await client.send(subscription, 'hi')
      const tokens = new Set(service.messages.map((message) => message.vapid?.token))
      expect(service.messages).toHaveLength(3)
      expect(tokens.size).toBe(1)
    } finally {
      await client.close()
    }
  })

  it('uses the caller’s cache, and signs per message when `exp` is pinned', async () => {
    service.reset()
    const cache = new VapidTokenCache()
    const cached = new PushClient({
      vapid: { keys, subject: 'mailto:ops@example.com', cache },
      connect: { ca: service.ca },
    })
    const pinned = new PushClient({
      vapid: {
        keys,
        subject: 'mailto:ops@example.com',
        expiration: Math.floor(Date.now() / 1000) + 3600,
      },
      connect: { ca: service.ca },
    })
    try {
      const subscription = await service.createSubscription()
      await cached.send(subscription, 'a')
      expect(cache.size).toBe(1)
      await pinned.send(subscription, 'b')
      await pinned.send(subscription, 'c')
      const [first, second, third] = service.messages.map((message) => message.vapid?.token)
      expect(first).toBeDefined()
      // Same exp and claims, but ES256 signatures are randomized: a fresh signature each time.
      expect(second).not.toBe(third)
    } finally {
      await cached.close()
      await pinned.close()
    }
  })
})
