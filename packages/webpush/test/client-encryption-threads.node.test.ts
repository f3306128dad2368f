// PushClient with `encryptionThreads`: messages are encrypted by the worker-thread pool and the
// kit's mock push service decrypts and VAPID-verifies every one of them; the option is validated;
// an off-curve key fails that message alone with the same typed error; close() stops the threads.
// The pool runs the built worker (dist/), as turbo builds before it tests.
import { createMockPushService, type MockPushService } from '@pushcraft/testing'
import { generateVapidKeys, type VapidKeys } from '@pushcraft/vapid'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { PushClient, WebPushError } from '../src/index.ts'

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

async function setup(
  encryptionThreads: number,
): Promise<{ service: MockPushService; push: PushClient }> {
  const service = await createMockPushService()
  services.push(service)
  const push = new PushClient({
    vapid: { keys, subject: 'mailto:ops@example.com' },
    connect: service.connect,
    encryptionThreads,
  })
  clients.push(push)
  return { service, push }
}

describe('PushClient encryptionThreads', () => {
  it('sends messages encrypted on worker threads that the service decrypts, both codings', async () => {
    const { service, push } = await setup(2)
    const subscription = await service.createSubscription({ vapidPublicKey: keys.publicKeyBytes })
    await push.send(subscription, 'one')
    await push.send(subscription, 'two', { contentEncoding: 'aesgcm', padding: 'max' })
    const messages = await service.waitForMessages(2)
    expect(messages.map((m) => [m.encoding, new TextDecoder().decode(m.plaintext)])).toEqual([
      ['aes128gcm', 'one'],
      ['aesgcm', 'two'],
    ])
    expect(messages.every((m) => m.decrypted && m.vapid !== null)).toBe(true)
  })

  it('sendMany: every message arrives once with its own payload', async () => {
    const { service, push } = await setup(2)
    const subscriptions = await service.createSubscriptions(300, {
      vapidPublicKey: keys.publicKeyBytes,
    })
    const results = []
    for await (const result of push.sendMany(subscriptions, (s) => `for ${s.endpoint}`)) {
      results.push(result)
    }
    expect(results.filter((r) => r.ok)).toHaveLength(300)
    const messages = await service.waitForMessages(300)
    expect(new Set(messages.map((m) => new TextDecoder().decode(m.plaintext)))).toEqual(
      new Set(subscriptions.map((s) => `for ${s.endpoint}`)),
    )
    for (const message of messages) {
      expect(new TextDecoder().decode(message.plaintext)).toBe(`for ${message.endpoint}`)
    }
  })

  it('an off-curve p256dh fails that message with ERR_WEBPUSH_INVALID_SUBSCRIPTION', async () => {
    const { service, push } = await setup(1)
    const subscription = await service.createSubscription({ vapidPublicKey: keys.publicKeyBytes })
    const point = Buffer.from(subscription.keys.p256dh, 'base64url')
    point[64] = (point[64] ?? 0) ^ 1
    const bad = {
      ...subscription,
      keys: { ...subscription.keys, p256dh: point.toString('base64url') },
    }
    const [failed, sent] = await Promise.allSettled([
      push.send(bad, 'x'),
      push.send(subscription, 'y'),
    ])
    expect(failed.status).toBe('rejected')
    const error = (failed as PromiseRejectedResult).reason as unknown
    expect(error).toBeInstanceOf(WebPushError)
    expect(error).toMatchObject({
      code: 'ERR_WEBPUSH_INVALID_SUBSCRIPTION',
      field: 'keys.p256dh',
      reason: 'not-on-curve',
    })
    expect(sent.status).toBe('fulfilled')
  })

  it.each([[-1], [1.5], [65], ['2']])('refuses encryptionThreads %j', (value) => {
    expect(() => new PushClient({ encryptionThreads: value as unknown as number })).toThrow(
      RangeError,
    )
  })

  it('0 keeps encryption on the calling thread', async () => {
    const { service, push } = await setup(0)
    const subscription = await service.createSubscription({ vapidPublicKey: keys.publicKeyBytes })
    await push.send(subscription, 'here')
    expect(new TextDecoder().decode((await service.waitForMessages(1))[0]?.plaintext)).toBe('here')
  })

  it('close() stops the threads and later sends are refused', async () => {
    const { service, push } = await setup(1)
    const subscription = await service.createSubscription({ vapidPublicKey: keys.publicKeyBytes })
    await push.send(subscription, 'before')
    await push.close()
    await expect(push.send(subscription, 'after')).rejects.toThrow(TypeError)
  })
})
