// Recorded response shapes of the real push services (see the README's sources), pinned so that
// a classifier tested against the kit is tested against what the services send.
import { describe, expect, it } from 'vitest'
import {
  serviceResponse,
  serviceSuccessResponse,
  type PushRejectionReason,
  type PushServiceName,
} from '../src/index.ts'

const services: PushServiceName[] = ['mozilla', 'fcm', 'apple', 'wns']
const reasons: PushRejectionReason[] = [
  'missingAuthorization',
  'badAuthorization',
  'badJwt',
  'expiredJwt',
  'badAudience',
  'badExpiration',
  'badSubject',
  'vapidKeyMismatch',
  'missingTtl',
  'badTtl',
  'badUrgency',
  'badTopic',
  'badEncoding',
  'badCryptoHeaders',
  'decryptionFailed',
  'payloadTooLarge',
  'gone',
  'notFound',
  'methodNotAllowed',
  'rateLimited',
  'serverError',
]

describe('serviceResponse', () => {
  it('Mozilla autopush: JSON { code, errno, error, message, more_info }', () => {
    const mismatch = serviceResponse('mozilla', 'vapidKeyMismatch')
    expect(mismatch.status).toBe(401)
    expect(mismatch.headers['content-type']).toBe('application/json')
    expect(JSON.parse(mismatch.body)).toEqual({
      code: 401,
      errno: 109,
      error: 'Unauthorized',
      message: 'VAPID public key mismatch',
      more_info: 'http://autopush.readthedocs.io/en/latest/http.html#error-codes',
    })
    expect(JSON.parse(serviceResponse('mozilla', 'badJwt').body)).toMatchObject({
      code: 401,
      errno: 109,
    })
    expect(JSON.parse(serviceResponse('mozilla', 'payloadTooLarge').body)).toMatchObject({
      code: 413,
      errno: 104,
    })
    const gone = serviceResponse('mozilla', 'gone')
    expect(gone.status).toBe(410)
    expect(gone.headers['cache-control']).toBe('max-age=86400')
    expect(JSON.parse(gone.body)).toMatchObject({ code: 410, errno: 106, error: 'Gone' })
    expect(JSON.parse(serviceResponse('mozilla', 'missingTtl').body)).toMatchObject({
      code: 400,
      errno: 111,
    })
    expect(serviceResponse('mozilla', 'serverError').headers['retry-after']).toBe('120')
  })

  it('FCM: text/plain bodies', () => {
    const mismatch = serviceResponse('fcm', 'vapidKeyMismatch')
    expect(mismatch.status).toBe(403)
    expect(mismatch.headers['content-type']).toBe('text/plain; charset=utf-8')
    expect(mismatch.body).toBe(
      'the key in the authorization header does not correspond to the sender ID used to subscribe this user. Please ensure you are using the correct sender ID and server Key from the Firebase console.\n',
    )
    expect(serviceResponse('fcm', 'vapidKeyMismatch', { variant: 'current' })).toMatchObject({
      status: 403,
      body: 'the VAPID credentials in the authorization header do not correspond to the credentials used to create the subscriptions.\n',
    })
    expect(serviceResponse('fcm', 'badJwt')).toMatchObject({
      status: 403,
      body: 'permission denied: invalid JWT provided\n',
    })
    expect(serviceResponse('fcm', 'missingAuthorization')).toMatchObject({
      status: 401,
      body: 'authorization header must be specified.\n',
    })
    expect(serviceResponse('fcm', 'gone')).toMatchObject({
      status: 410,
      body: 'push subscription has unsubscribed or expired.\n',
    })
    expect(serviceResponse('fcm', 'payloadTooLarge').status).toBe(413)
    expect(serviceResponse('fcm', 'rateLimited', { retryAfter: 7 }).headers['retry-after']).toBe(
      '7',
    )
  })

  it('Apple: JSON { reason }', () => {
    const cases: [PushRejectionReason, number, string][] = [
      ['vapidKeyMismatch', 400, 'VapidPkHashMismatch'],
      ['badJwt', 403, 'BadJwtToken'],
      ['expiredJwt', 403, 'ExpiredJwtToken'],
      ['payloadTooLarge', 413, 'PayloadTooLarge'],
      ['gone', 410, 'Unregistered'],
      ['rateLimited', 429, 'TooManyRequests'],
    ]
    for (const [reason, status, appleReason] of cases) {
      const answer = serviceResponse('apple', reason)
      expect(answer.status).toBe(status)
      expect(JSON.parse(answer.body).reason).toBe(appleReason)
      expect(answer.headers['apns-id']).toMatch(/^[0-9A-F-]{36}$/)
    }
  })

  it('WNS: empty bodies and X-WNS-* headers; throttling is 406', () => {
    const throttled = serviceResponse('wns', 'rateLimited')
    expect(throttled.status).toBe(406)
    expect(throttled.headers['x-wns-status']).toBe('channelthrottled')
    expect(throttled.body).toBe('')
    const expired = serviceResponse('wns', 'gone')
    expect(expired.status).toBe(410)
    expect(expired.headers['x-wns-error-description']).toBe('The channel expired.')
    expect(expired.headers['x-wns-msg-id']).toMatch(/^[0-9A-F]{16}$/)
    expect(serviceResponse('wns', 'vapidKeyMismatch').status).toBe(403)
    expect(serviceResponse('wns', 'payloadTooLarge').status).toBe(413)
  })

  it('every service answers every reason with a 4xx/5xx', () => {
    for (const service of services) {
      for (const reason of reasons) {
        const answer = serviceResponse(service, reason)
        expect(answer.status, `${service} ${reason}`).toBeGreaterThanOrEqual(400)
        expect(answer.status).toBeLessThan(600)
      }
    }
  })

  it('honours status for gone (404) and serverError', () => {
    for (const service of services) {
      expect(serviceResponse(service, 'gone', { status: 404 }).status).toBe(404)
      expect(serviceResponse(service, 'serverError', { status: 500 }).status).toBe(500)
    }
  })
})

describe('serviceSuccessResponse', () => {
  it("answers 201 with each service's headers", () => {
    const options = { origin: 'https://push.example', messageId: 'abcdefghijklmnopqrstu', ttl: 60 }
    expect(serviceSuccessResponse('mozilla', options).headers).toMatchObject({
      location: 'https://push.example/m/abcdefghijklmnopqrstu',
      ttl: '60',
    })
    expect(serviceSuccessResponse('fcm', options).headers.location).toBe(
      'https://push.example/0:abcdefghijklmnopqrstu',
    )
    expect(serviceSuccessResponse('apple', options).headers['apns-id']).toBeDefined()
    expect(serviceSuccessResponse('wns', options).headers['x-wns-status']).toBe('received')
    for (const service of services)
      expect(serviceSuccessResponse(service, options).status).toBe(201)
  })
})
