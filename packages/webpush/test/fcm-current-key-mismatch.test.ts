// Regression: https://github.com/web-push-libs/web-push/issues/941 — since 2025 FCM answers a
// VAPID key mismatch with 403 "the VAPID credentials in the authorization header do not correspond
// to the credentials used to create the subscriptions." instead of "the key in the authorization
// header does not correspond to the sender ID used to subscribe this user…". The classifier only
// knew the old text and called the new one `unauthorized`, so callers never learned that the
// browser has to resubscribe with the current key.
import {
  createMockPushService,
  serviceAnswer,
  serviceResponse,
  type MockPushService,
} from '@pushcraft/testing'
import { generateVapidKeys, type VapidKeys } from '@pushcraft/vapid'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import fixtures from './fixtures/responses.json' with { type: 'json' }
import {
  PushServiceError,
  classifyPushResponse,
  sendPushMessage,
  type PushServiceResponse,
} from '../src/index.ts'

const CURRENT =
  'the VAPID credentials in the authorization header do not correspond to the credentials used to create the subscriptions.'
const CLASSIC =
  'the key in the authorization header does not correspond to the sender ID used to subscribe this user. Please ensure you are using the correct sender ID and server Key from the Firebase console.'
const ENDPOINT = 'https://fcm.googleapis.com/fcm/send/c93jg1cw43g:APA91bG-kI'

function fcm403(body: string, statusCode = 403): PushServiceResponse {
  return {
    endpoint: ENDPOINT,
    statusCode,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
    body,
  }
}

describe('FCM key mismatch, current wording (recorded response)', () => {
  const recorded = fixtures.errors.find((entry) =>
    entry.source.startsWith('web-push-libs/web-push#941'),
  )

  it('is in the fixtures with its source', () => {
    expect(recorded).toBeDefined()
    expect(recorded!.response.status).toBe(403)
    expect(recorded!.response.body).toBe(`${CURRENT}\n`)
  })

  it('is classified vapidKeyMismatch, not unauthorized', () => {
    const response: PushServiceResponse = {
      endpoint: recorded!.endpoint,
      statusCode: recorded!.response.status,
      headers: recorded!.response.headers,
      body: recorded!.response.body,
    }
    expect(classifyPushResponse(response)).toEqual({
      kind: 'vapidKeyMismatch',
      service: 'fcm',
      reason: CURRENT,
      isGone: false,
      isRetryable: false,
    })
    const error = new PushServiceError(response)
    expect(error).toMatchObject({
      code: 'ERR_WEBPUSH_PUSH_SERVICE',
      kind: 'vapidKeyMismatch',
      isGone: false,
      isRetryable: false,
    })
  })
})

describe('the key-mismatch texts are matched robustly', () => {
  it.each([
    ['current wording', `${CURRENT}\n`],
    ['classic wording', `${CLASSIC}\n`],
    // As reported in bartbutenaers/node-red-contrib-ui-web-push#7: a line break inside the body.
    ['classic wording with a line break', CLASSIC.replace('sender ID and', 'sender ID\nand')],
    [
      'classic wording wrapped after "sender"',
      CLASSIC.replace('sender ID used', 'sender\nID used'),
    ],
    ['upper case', CURRENT.toUpperCase()],
    ['without the final period', CURRENT.slice(0, -1)],
    ['singular "subscription"', CURRENT.replace('subscriptions.', 'subscription.')],
    ['wrapped across lines', CURRENT.replace('do not correspond', 'do not\r\n  correspond')],
    ['after a prefix', `Error: ${CURRENT}`],
  ])('%s', (_title, body) => {
    expect(classifyPushResponse(fcm403(body)).kind).toBe('vapidKeyMismatch')
    expect(classifyPushResponse(fcm403(body, 401)).kind).toBe('vapidKeyMismatch')
  })

  it('leaves the neighbouring FCM answers alone', () => {
    expect(classifyPushResponse(fcm403('permission denied: invalid JWT provided\n')).kind).toBe(
      'badJwt',
    )
    expect(
      classifyPushResponse(fcm403('authorization header must be specified.\n', 401)).kind,
    ).toBe('unauthorized')
    expect(classifyPushResponse(fcm403(`${CURRENT}\n`, 410)).kind).toBe('gone')
    expect(classifyPushResponse(fcm403(`${CURRENT}\n`, 503)).kind).toBe('transient')
    // Words about credentials alone do not make a key mismatch.
    expect(classifyPushResponse(fcm403('the credentials are invalid\n')).kind).toBe('unauthorized')
  })
})

describe('FCM key mismatch, current wording, from @pushcraft/testing', () => {
  let service: MockPushService
  let dispatcher: ReturnType<MockPushService['createDispatcher']>
  let vapid: VapidKeys

  beforeAll(async () => {
    // Endpoints on fcm.googleapis.com (resolved to the mock), so webpush sees an FCM endpoint.
    service = await createMockPushService({ emulateHostnames: true, service: 'fcm' })
    dispatcher = service.createDispatcher()
    vapid = await generateVapidKeys()
  })
  afterAll(async () => {
    await dispatcher.close()
    await service.close()
  })

  it("serviceResponse('fcm', 'vapidKeyMismatch', { variant: 'current' }) is classified vapidKeyMismatch", () => {
    const answer = serviceResponse('fcm', 'vapidKeyMismatch', { variant: 'current' })
    expect(answer.body).toBe(`${CURRENT}\n`)
    const verdict = classifyPushResponse({
      endpoint: ENDPOINT,
      statusCode: answer.status,
      headers: answer.headers,
      body: answer.body,
    })
    expect(verdict).toMatchObject({ kind: 'vapidKeyMismatch', service: 'fcm', reason: CURRENT })
  })

  it("a send answered with serviceAnswer('vapidKeyMismatch', { service: 'fcm', variant: 'current' }) rejects with kind vapidKeyMismatch", async () => {
    const subscription = await service.createSubscription({ vapidPublicKey: vapid.publicKeyBytes })
    expect(new URL(subscription.endpoint).hostname).toBe('fcm.googleapis.com')
    service.behave(
      subscription,
      serviceAnswer('vapidKeyMismatch', { service: 'fcm', variant: 'current' }),
      { times: 1 },
    )
    const error = await sendPushMessage(subscription, 'hello', {
      vapid: { keys: vapid, subject: 'mailto:ops@example.com' },
      dispatcher,
    }).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(PushServiceError)
    expect(error).toMatchObject({
      code: 'ERR_WEBPUSH_PUSH_SERVICE',
      statusCode: 403,
      kind: 'vapidKeyMismatch',
      service: 'fcm',
      reason: CURRENT,
      isGone: false,
      isRetryable: false,
    })
    expect(service.rejections.at(-1)).toMatchObject({ reason: 'scripted', status: 403 })
  })

  it('the same answer on a non-FCM host is still recognised by its text', async () => {
    const plain = await createMockPushService()
    const plainDispatcher = plain.createDispatcher()
    try {
      const subscription = await plain.createSubscription({ vapidPublicKey: vapid.publicKeyBytes })
      plain.behave(
        subscription,
        serviceAnswer('vapidKeyMismatch', { service: 'fcm', variant: 'current' }),
      )
      const error = await sendPushMessage(subscription, 'hello', {
        vapid: { keys: vapid, subject: 'mailto:ops@example.com' },
        dispatcher: plainDispatcher,
      }).catch((caught: unknown) => caught)
      expect(error).toMatchObject({ kind: 'vapidKeyMismatch', service: 'other' })
    } finally {
      await plainDispatcher.close()
      await plain.close()
    }
  })
})
