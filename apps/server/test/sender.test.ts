/**
 * The sender's verdicts, and the SSRF guard at connection time: a name that passes the allow-list
 * but resolves to a private address is never connected to, and the subscription is kept.
 */
import { PushServiceError, WebPushError } from '@pushcraft/webpush'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { classifySendError } from '../src/sender.js'
import { EndpointRejectedError } from '../src/ssrf.js'
import { admin, createTestServer, waitFor, type TestServer } from './helpers/server.js'

const response = (statusCode: number, body = '', headers: Record<string, string> = {}) =>
  new PushServiceError({
    endpoint: 'https://fcm.googleapis.com/fcm/send/x',
    statusCode,
    headers,
    body,
  })

describe('classifySendError', () => {
  it.each([
    [404, 'gone'],
    [410, 'gone'],
    [429, 'failed'],
    [500, 'failed'],
    [503, 'failed'],
    [413, 'failed'],
    [400, 'failed'],
  ])('%i → %s', (status, verdict) => {
    expect(classifySendError(response(status)).verdict).toBe(verdict)
    expect(classifySendError(response(status)).statusCode).toBe(status)
  })

  it('a VAPID key mismatch asks for a new subscription', () => {
    const mismatch = response(
      403,
      'the key in the authorization header does not correspond to the sender ID used to subscribe this user',
    )
    expect(classifySendError(mismatch).verdict).toBe('resubscribe')
  })

  it('our own failures never count as gone', () => {
    expect(
      classifySendError(new WebPushError('ERR_WEBPUSH_REQUEST_FAILED', 'connect ECONNREFUSED'))
        .verdict,
    ).toBe('failed')
    expect(
      classifySendError(new WebPushError('ERR_WEBPUSH_INVALID_SUBSCRIPTION', 'bad key')).verdict,
    ).toBe('failed')
    expect(classifySendError(new Error('boom')).verdict).toBe('failed')
    expect(classifySendError(response(401, 'JWT expired')).verdict).toBe('failed')
  })

  it('finds the SSRF guard in a cause chain (including AggregateError from happy eyeballs)', () => {
    const rejection = new EndpointRejectedError('address', 'private')
    const wrapped = new WebPushError('ERR_WEBPUSH_REQUEST_FAILED', 'failed', {
      cause: new AggregateError([new Error('x'), rejection]),
    })
    expect(classifySendError(wrapped).verdict).toBe('blocked')
  })
})

describe('the SSRF guard at connection time', () => {
  let server: TestServer
  beforeAll(async () => {
    // "localhost" is on the allow-list (as a hostile DNS answer would make a real push host look),
    // but it resolves to 127.0.0.1: the guarded lookup refuses to connect.
    server = await createTestServer({
      dialect: 'sqlite',
      env: { PUSH_ALLOWED_HOSTS: 'localhost', SEND_TIMEOUT_MS: '5000' },
    })
    await server.store.upsertSubscription({
      endpoint: 'https://localhost/push/1',
      p256dh:
        'BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4',
      auth: 'BTBZMqHH6r4Tts7J_aSIgg',
      encoding: 'aes128gcm',
      vapidKeyId: 'k',
    })
  })
  afterAll(async () => {
    await server?.close()
  })

  it('does not connect, keeps the subscription and counts it as blocked', async () => {
    const result = await server.app.inject({
      method: 'POST',
      url: '/api/push/send-test',
      headers: admin,
    })
    expect(result.json()).toMatchObject({ sent: true, removed: [], delivered: 0, failed: 1 })
    expect(await server.store.countSubscriptions()).toBe(1)
    const rows = await server.store.db.selectFrom('subscriptions').selectAll().execute()
    // Blocked sends leave the row untouched: it was not the subscription's fault.
    expect(rows[0]).toMatchObject({ failure_count: 0, needs_resubscribe: 0 })
    // The recorded outcome names the rule that fired.
    const started = await server.app.inject({
      method: 'POST',
      url: '/api/push/broadcasts',
      headers: admin,
      payload: { title: 'x' },
    })
    const done = await waitFor(async () => {
      const url = `/api/push/broadcasts/${started.json().id}`
      const b = (await server.app.inject({ method: 'GET', url, headers: admin })).json()
      return b.status === 'completed' ? b : undefined
    })
    expect(done.outcomes).toEqual([
      expect.objectContaining({ outcome: 'blocked', statusCode: null }),
    ])
    expect(done.outcomes[0].detail).toContain('non-public address')
    const metrics = (await server.app.inject({ method: 'GET', url: '/metrics', headers: admin }))
      .body
    expect(metrics).toMatch(/pushcraft_push_sends_total\{service="other",outcome="failed"\} 2/)
  })
})
