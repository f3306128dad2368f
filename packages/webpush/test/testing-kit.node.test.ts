// @pushcraft/webpush tested the way its users test their own sending code, with
// @pushcraft/testing: the mock push service verifies the VAPID token and decrypts what
// sendPushMessage posts, and the emulated FCM, Mozilla autopush, Apple and WNS refusals come back
// as webpush's classified PushServiceError. This pins that the kit's answers are shapes webpush's
// classifier handles. (It lives here, not in packages/testing, so that the kit does not depend on
// webpush: webpush's suite depends on the kit.)
import {
  createMockPushService,
  gone,
  rateLimited,
  serverError,
  serviceAnswer,
  type Behaviour,
  type MockPushService,
  type PushServiceName,
  type PushSubscriptionJSON,
} from '@pushcraft/testing'
import { generateVapidKeys, type VapidKeys } from '@pushcraft/vapid'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  PushServiceError,
  sendPushMessage,
  type PushServiceErrorKind,
  type SendPushMessageOptions,
} from '../src/index.ts'

const SUBJECT = 'mailto:ops@example.com'

async function refusal(
  subscription: PushSubscriptionJSON,
  options: SendPushMessageOptions,
): Promise<PushServiceError> {
  try {
    await sendPushMessage(subscription, 'x', options)
  } catch (error) {
    if (error instanceof PushServiceError) return error
    throw error
  }
  throw new Error('expected the push service to refuse the message')
}

describe('sendPushMessage against the mock push service', () => {
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

  for (const [contentEncoding, scheme] of [
    ['aes128gcm', 'vapid'],
    ['aesgcm', 'webpush'],
  ] as const) {
    it(`delivers ${contentEncoding} messages the mock verifies and decrypts`, async () => {
      service.reset()
      const subscription = await service.createSubscription({
        vapidPublicKey: vapid.publicKeyBytes,
      })
      const result = await sendPushMessage(subscription, JSON.stringify({ title: 'Hi' }), {
        vapid: { keys: vapid, subject: SUBJECT },
        dispatcher,
        contentEncoding,
        ttl: 90,
        urgency: 'low',
        topic: 'greeting',
      })
      const message = await service.nextMessage({ timeout: 2000 })
      expect(result).toMatchObject({ status: 201, ttl: 90, messageId: message.id, attempts: 1 })
      expect(message.json()).toEqual({ title: 'Hi' })
      expect(message.encoding).toBe(contentEncoding)
      expect(message.ttl).toBe(90)
      expect(message.urgency).toBe('low')
      expect(message.topic).toBe('greeting')
      expect(message.vapid).toMatchObject({
        scheme,
        publicKey: vapid.applicationServerKey,
        claims: { aud: service.origin, sub: SUBJECT },
      })
    })
  }

  it('delivers a message without payload, and a body padded to 4096 octets', async () => {
    service.reset()
    const subscription = await service.createSubscription({ vapidPublicKey: vapid.publicKeyBytes })
    const options = { vapid: { keys: vapid, subject: SUBJECT }, dispatcher }
    await sendPushMessage(subscription, null, options)
    await sendPushMessage(subscription, 'padded', { ...options, padding: 'max' })
    const [empty, padded] = await service.waitForMessages(2)
    expect(empty!.encoding).toBeNull()
    expect(empty!.plaintext).toHaveLength(0)
    expect(padded!.body).toHaveLength(4096)
    expect(padded!.text()).toBe('padded')
  })
})

// The kind each emulated service's answer must be classified as. WNS answers every token problem
// with a bare 401 (its description texts are not publicly recorded), so there it is `unauthorized`.
const SCRIPTED: readonly [string, Behaviour, Record<PushServiceName, PushServiceErrorKind>][] = [
  ['gone (410)', gone(410), { mozilla: 'gone', fcm: 'gone', apple: 'gone', wns: 'gone' }],
  ['gone (404)', gone(404), { mozilla: 'gone', fcm: 'gone', apple: 'gone', wns: 'gone' }],
  [
    'rate limited',
    rateLimited({ retryAfter: 30 }),
    { mozilla: 'rateLimited', fcm: 'rateLimited', apple: 'rateLimited', wns: 'rateLimited' },
  ],
  [
    'server error',
    serverError(503),
    { mozilla: 'transient', fcm: 'transient', apple: 'transient', wns: 'transient' },
  ],
  [
    'payload too large',
    serviceAnswer('payloadTooLarge'),
    {
      mozilla: 'payloadTooLarge',
      fcm: 'payloadTooLarge',
      apple: 'payloadTooLarge',
      wns: 'payloadTooLarge',
    },
  ],
  [
    'VAPID key mismatch',
    serviceAnswer('vapidKeyMismatch'),
    {
      mozilla: 'vapidKeyMismatch',
      fcm: 'vapidKeyMismatch',
      apple: 'vapidKeyMismatch',
      wns: 'vapidKeyMismatch',
    },
  ],
  [
    'VAPID key mismatch (current wording)',
    serviceAnswer('vapidKeyMismatch', { variant: 'current' }),
    {
      mozilla: 'vapidKeyMismatch',
      fcm: 'vapidKeyMismatch',
      apple: 'vapidKeyMismatch',
      wns: 'vapidKeyMismatch',
    },
  ],
  [
    'bad JWT',
    serviceAnswer('badJwt'),
    { mozilla: 'badJwt', fcm: 'badJwt', apple: 'badJwt', wns: 'unauthorized' },
  ],
  [
    'expired JWT',
    serviceAnswer('expiredJwt'),
    { mozilla: 'badJwt', fcm: 'badJwt', apple: 'badJwt', wns: 'unauthorized' },
  ],
  [
    'exp too far ahead',
    serviceAnswer('badExpiration'),
    { mozilla: 'badJwt', fcm: 'badJwt', apple: 'badJwt', wns: 'unauthorized' },
  ],
  [
    'no Authorization',
    serviceAnswer('missingAuthorization'),
    { mozilla: 'unauthorized', fcm: 'unauthorized', apple: 'unauthorized', wns: 'unauthorized' },
  ],
  [
    'missing TTL',
    serviceAnswer('missingTtl'),
    { mozilla: 'badRequest', fcm: 'badRequest', apple: 'badRequest', wns: 'badRequest' },
  ],
]

describe('the emulated services’ refusals, classified (endpoints on the real hostnames)', () => {
  let service: MockPushService
  let dispatcher: ReturnType<MockPushService['createDispatcher']>
  let vapid: VapidKeys
  let other: VapidKeys

  beforeAll(async () => {
    // emulateHostnames: endpoints are https://fcm.googleapis.com:<port>/…, so webpush detects the
    // service from the host (its per-service rules apply too) exactly as in production.
    service = await createMockPushService({ emulateHostnames: true })
    dispatcher = service.createDispatcher()
    ;[vapid, other] = await Promise.all([generateVapidKeys(), generateVapidKeys()])
  })
  afterAll(async () => {
    await dispatcher.close()
    await service.close()
  })

  const services: PushServiceName[] = ['mozilla', 'fcm', 'apple', 'wns']
  for (const name of services) {
    it(`${name}: a real key mismatch, then every scripted answer`, async () => {
      const issue = (): Promise<PushSubscriptionJSON> =>
        service.createSubscription({ service: name, vapidPublicKey: vapid.publicKeyBytes })
      let subscription = await issue()
      const options = { vapid: { keys: vapid, subject: SUBJECT }, dispatcher }

      // Signed with another key than the subscription's: the kit's strict check refuses it.
      const mismatch = await refusal(subscription, {
        ...options,
        vapid: { keys: other, subject: SUBJECT },
      })
      expect(mismatch).toMatchObject({ kind: 'vapidKeyMismatch', service: name, isGone: false })
      expect(service.rejections.at(-1)?.reason).toBe('vapidKeyMismatch')

      for (const [title, behaviour, kinds] of SCRIPTED) {
        service.behave(subscription, behaviour, { times: 1 })
        const error = await refusal(subscription, options)
        expect(error.kind, `${name}: ${title}`).toBe(kinds[name])
        expect(error.service).toBe(name)
        expect(error.isGone).toBe(kinds[name] === 'gone')
        expect(error.isRetryable).toBe(['rateLimited', 'transient'].includes(kinds[name]))
        if (title === 'rate limited') expect(error.retryAfter).toBe(30_000)
        // gone() deletes the subscription for good, like a real unsubscribe: issue a fresh one.
        if (kinds[name] === 'gone') subscription = await issue()
      }

      // And the same subscription still accepts a correct message.
      const result = await sendPushMessage(subscription, 'still here', options)
      expect(result.service).toBe(name)
      expect((await service.nextMessage()).text()).toBe('still here')
    })
  }

  it('no VAPID at all: unauthorized; for Apple, refused before sending (VAPID is required)', async () => {
    for (const name of ['mozilla', 'fcm', 'wns'] as const) {
      const subscription = await service.createSubscription({ service: name })
      const error = await refusal(subscription, { dispatcher })
      expect(error.kind, name).toBe('unauthorized')
      expect(service.rejections.at(-1)?.reason).toBe('missingAuthorization')
    }
    const apple = await service.createSubscription({ service: 'apple' })
    const before = service.stats
    await expect(sendPushMessage(apple, 'x', { dispatcher })).rejects.toMatchObject({
      code: 'ERR_WEBPUSH_QUIRK',
      reason: 'vapid-required',
    })
    expect(service.stats).toEqual(before)
  })
})
