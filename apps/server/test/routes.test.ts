/**
 * The route suite, run once on SQLite and once on PostgreSQL: every route through `inject()`,
 * sends to a local mock push service (TLS, VAPID verified, payloads decrypted) that answers a mix
 * of 201/404/410/429/500 and VAPID key mismatches, and the resulting store checked row by row.
 */
import {
  createMockPushService,
  gone,
  rateLimited,
  serverError,
  type MockPushService,
  type PushSubscriptionJSON,
} from '@pushcraft/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { DIALECTS } from './helpers/databases.js'
import { admin, createTestServer, waitFor, type TestServer } from './helpers/server.js'

const json = { 'content-type': 'application/json' }

describe.each(DIALECTS)('routes on %s', (dialect) => {
  let mock: MockPushService
  let server: TestServer
  let vapidKey: string

  const subscribe = async (
    subscription: PushSubscriptionJSON,
    extra: Record<string, unknown> = {},
  ) =>
    server.app.inject({
      method: 'POST',
      url: '/api/push/subscriptions',
      headers: { ...json, 'user-agent': 'vitest' },
      payload: { ...subscription, ...extra },
    })
  const newSubscription = () => mock.createSubscription({ vapidPublicKey: vapidKey })
  const count = () => server.store.countSubscriptions()
  const row = async (endpoint: string) =>
    server.store.db
      .selectFrom('subscriptions')
      .selectAll()
      .where('endpoint', '=', endpoint)
      .executeTakeFirst()
  const clear = async () => {
    await server.store.db.deleteFrom('subscription_tags').execute()
    await server.store.db.deleteFrom('subscriptions').execute()
    mock.reset()
  }

  beforeAll(async () => {
    mock = await createMockPushService({ tls: true })
    server = await createTestServer({ dialect, mock, env: { MAX_RETRIES: '2' } })
    vapidKey = server.config.vapid.keys.applicationServerKey
  })
  afterAll(async () => {
    await server?.close()
    await mock?.close()
  })

  describe('public routes', () => {
    it('GET /api/push/vapid-public-key answers the application server key', async () => {
      const response = await server.app.inject({ method: 'GET', url: '/api/push/vapid-public-key' })
      expect(response.statusCode).toBe(200)
      const body = response.json()
      expect(body.publicKey).toBe(vapidKey)
      expect(body.publicKey).toMatch(/^B[A-Za-z0-9_-]{86}$/)
      expect(body.appName).toBe('pushcraft test')
    })

    it('POST /api/push/subscriptions stores once and is idempotent by endpoint', async () => {
      await clear()
      const subscription = await newSubscription()
      const first = await subscribe(subscription, { tags: ['news'] })
      expect(first.statusCode).toBe(201)
      expect(first.json()).toEqual({ created: true })
      const second = await subscribe(subscription)
      expect(second.statusCode).toBe(200)
      expect(second.json()).toEqual({ created: false })
      expect(await count()).toBe(1)
      const stored = await row(subscription.endpoint)
      expect(stored).toMatchObject({
        p256dh: subscription.keys.p256dh,
        auth: subscription.keys.auth,
        encoding: 'aes128gcm',
        user_agent: 'vitest',
        vapid_key_id: server.config.vapid.keys.id,
        needs_resubscribe: 0,
        failure_count: 0,
      })
    })

    it('refuses malformed JSON, a wrong content type and an oversized body without touching the store', async () => {
      const before = await count()
      const malformed = await server.app.inject({
        method: 'POST',
        url: '/api/push/subscriptions',
        headers: json,
        payload: '{"endpoint": "https://127.0.0.1/x", "keys": {',
      })
      expect(malformed.statusCode).toBe(400)
      expect(malformed.json()).toMatchObject({ code: 'ERR_INVALID_JSON', statusCode: 400 })
      const text = await server.app.inject({
        method: 'POST',
        url: '/api/push/subscriptions',
        headers: { 'content-type': 'text/plain' },
        payload: 'hello',
      })
      expect(text.statusCode).toBe(415)
      expect(text.json().code).toBe('ERR_UNSUPPORTED_MEDIA_TYPE')
      const large = await server.app.inject({
        method: 'POST',
        url: '/api/push/subscriptions',
        headers: json,
        payload: JSON.stringify({ endpoint: 'x'.repeat(40_000), keys: { p256dh: 'a', auth: 'b' } }),
      })
      expect(large.statusCode).toBe(413)
      expect(large.json().code).toBe('ERR_BODY_TOO_LARGE')
      const missing = await server.app.inject({
        method: 'POST',
        url: '/api/push/subscriptions',
        headers: json,
        payload: { endpoint: 'https://127.0.0.1/x' },
      })
      expect(missing.statusCode).toBe(400)
      expect(missing.json().code).toBe('ERR_VALIDATION')
      expect(await count()).toBe(before)
    })

    it('refuses a 64-byte p256dh and a short auth secret (RFC 8291 §3) with the field named', async () => {
      const subscription = await newSubscription()
      const before = await count()
      const p256dh64 = Buffer.from(subscription.keys.p256dh, 'base64url')
        .subarray(1)
        .toString('base64url')
      const bad = await subscribe({
        ...subscription,
        keys: { ...subscription.keys, p256dh: p256dh64 },
      })
      expect(bad.statusCode).toBe(400)
      expect(bad.json()).toMatchObject({
        code: 'ERR_INVALID_SUBSCRIPTION',
        field: 'keys.p256dh',
        reason: 'length',
      })
      const shortAuth = await subscribe({
        ...subscription,
        keys: { ...subscription.keys, auth: 'AAAA' },
      })
      expect(shortAuth.statusCode).toBe(400)
      expect(shortAuth.json()).toMatchObject({
        code: 'ERR_INVALID_SUBSCRIPTION',
        field: 'keys.auth',
      })
      expect(await count()).toBe(before)
    })

    it('refuses a subscription made with another VAPID key', async () => {
      const subscription = await newSubscription()
      const response = await subscribe(subscription, {
        applicationServerKey: subscription.keys.p256dh,
      })
      expect(response.statusCode).toBe(409)
      expect(response.json().code).toBe('ERR_VAPID_KEY_MISMATCH')
      expect(await row(subscription.endpoint)).toBeUndefined()
    })

    it('DELETE /api/push/subscriptions removes by endpoint, idempotently', async () => {
      const subscription = await newSubscription()
      await subscribe(subscription)
      const first = await server.app.inject({
        method: 'DELETE',
        url: '/api/push/subscriptions',
        headers: json,
        payload: { endpoint: subscription.endpoint },
      })
      expect(first.json()).toEqual({ removed: true })
      const second = await server.app.inject({
        method: 'DELETE',
        url: '/api/push/subscriptions',
        headers: json,
        payload: { endpoint: subscription.endpoint },
      })
      expect(second.statusCode).toBe(200)
      expect(second.json()).toEqual({ removed: false })
    })

    it('POST /api/push/self-test sends to the owner only (auth secret as proof)', async () => {
      await clear()
      const subscription = await newSubscription()
      await subscribe(subscription)
      const wrong = await server.app.inject({
        method: 'POST',
        url: '/api/push/self-test',
        headers: json,
        payload: { endpoint: subscription.endpoint, auth: 'AAAAAAAAAAAAAAAAAAAAAA' },
      })
      expect(wrong.statusCode).toBe(404)
      expect(wrong.json().code).toBe('ERR_NOT_FOUND')
      const right = await server.app.inject({
        method: 'POST',
        url: '/api/push/self-test',
        headers: json,
        payload: { endpoint: subscription.endpoint, auth: subscription.keys.auth },
      })
      expect(right.json()).toEqual({ sent: true, outcome: 'delivered' })
      const message = await mock.nextMessage({ timeout: 5000 })
      expect(message.endpoint).toBe(subscription.endpoint)
      expect(message.vapid?.claims.sub).toBe('mailto:admin@example.com')
      expect(JSON.parse(message.text())).toEqual({
        title: 'pushcraft test',
        body: 'Test notification',
        data: { url: '/app/' },
      })
    })

    it('answers an unknown route with 404 ERR_NOT_FOUND', async () => {
      const response = await server.app.inject({ method: 'GET', url: '/api/push/nope?x=1' })
      expect(response.statusCode).toBe(404)
      expect(response.json()).toMatchObject({
        code: 'ERR_NOT_FOUND',
        message: 'route GET /api/push/nope not found',
      })
    })
  })

  describe('admin routes', () => {
    it.each([
      ['POST', '/api/push/send-test'],
      ['POST', '/api/push/broadcasts'],
      ['GET', '/api/push/subscriptions'],
      ['GET', '/api/push/broadcasts/00000000-0000-0000-0000-000000000000'],
      ['GET', '/metrics'],
    ] as const)('%s %s needs the admin token', async (method, url) => {
      const missing = await server.app.inject({ method, url })
      expect(missing.statusCode).toBe(401)
      expect(missing.json().code).toBe('ERR_UNAUTHORIZED')
      expect(missing.headers['www-authenticate']).toContain('Bearer')
      const wrong = await server.app.inject({
        method,
        url,
        headers: { authorization: 'Bearer not-the-token' },
      })
      expect(wrong.statusCode).toBe(401)
    })

    it('send-test without subscribers answers 400 "No subscribers yet"', async () => {
      await clear()
      const response = await server.app.inject({
        method: 'POST',
        url: '/api/push/send-test',
        headers: admin,
      })
      expect(response.statusCode).toBe(400)
      expect(response.json()).toMatchObject({
        detail: 'No subscribers yet',
        message: 'No subscribers yet',
        code: 'ERR_NO_SUBSCRIBERS',
      })
    })

    it('send-test sends the reference payload to everyone and cleans up by answer', async () => {
      await clear()
      const ok = await newSubscription()
      const gone410 = await newSubscription()
      const gone404 = await newSubscription()
      const broken = await newSubscription()
      const limited = await newSubscription()
      // Bound to another application server key: a real VAPID key mismatch.
      const otherKey = (await mock.createSubscription()).keys.p256dh
      const mismatched = await mock.createSubscription({ vapidPublicKey: otherKey })
      for (const s of [ok, gone410, gone404, broken, limited, mismatched])
        expect((await subscribe(s)).statusCode).toBe(201)
      mock.behave(gone410, gone(410))
      mock.behave(gone404, gone(404))
      mock.behave(broken, serverError(500))
      mock.behave(limited, rateLimited({ retryAfter: 0 }))

      const response = await server.app.inject({
        method: 'POST',
        url: '/api/push/send-test',
        headers: admin,
      })
      expect(response.statusCode).toBe(200)
      const body = response.json()
      expect(body.sent).toBe(true)
      expect([...body.removed].sort()).toEqual([gone410.endpoint, gone404.endpoint].sort())
      expect(body).toMatchObject({ delivered: 1, failed: 2, resubscribe: 1, total: 6 })

      expect(mock.messages.length).toBe(1)
      expect(mock.messages[0]?.text()).toBe(
        '{"title":"pushcraft test","body":"Test notification","data":{"url":"/app/"}}',
      )

      expect(await row(gone410.endpoint)).toBeUndefined()
      expect(await row(gone404.endpoint)).toBeUndefined()
      expect(await row(ok.endpoint)).toMatchObject({ failure_count: 0 })
      expect((await row(ok.endpoint))?.last_success_at).toEqual(expect.any(Number))
      expect(await row(broken.endpoint)).toMatchObject({ failure_count: 1, needs_resubscribe: 0 })
      expect(await row(limited.endpoint)).toMatchObject({ failure_count: 1, needs_resubscribe: 0 })
      expect(await row(mismatched.endpoint)).toMatchObject({ needs_resubscribe: 1 })
      // 429 was retried (MAX_RETRIES=2): three attempts reached the service.
      expect(mock.rejections.filter((r) => r.endpoint === limited.endpoint).length).toBe(3)

      // The marked subscription comes back when the browser subscribes again.
      expect((await subscribe(mismatched)).statusCode).toBe(200)
      expect(await row(mismatched.endpoint)).toMatchObject({
        needs_resubscribe: 0,
        failure_count: 0,
      })
    })

    it('broadcasts: 202 at once, background sendMany, retries 429 after Retry-After, store and counts agree', async () => {
      await clear()
      const healthy = await mock.createSubscriptions(40, { vapidPublicKey: vapidKey })
      const recovering = await newSubscription()
      const goneOne = await newSubscription()
      const failing = await newSubscription()
      for (const s of [...healthy, recovering, goneOne, failing]) await subscribe(s)
      mock.behave(recovering, rateLimited({ retryAfter: 0 }), { times: 1 })
      mock.behave(goneOne, gone(410))
      mock.behave(failing, serverError(503))

      const started = await server.app.inject({
        method: 'POST',
        url: '/api/push/broadcasts',
        headers: { ...admin, ...json },
        payload: {
          title: 'Release',
          body: 'It is out',
          url: '/app/news',
          ttl: 600,
          urgency: 'high',
          topic: 'release',
        },
      })
      expect(started.statusCode).toBe(202)
      const broadcast = started.json()
      expect(broadcast).toMatchObject({ status: 'queued', total: 43, delivered: 0 })
      expect(broadcast.id).toMatch(/^[0-9a-f-]{36}$/)
      expect(started.headers.location).toBe(`/api/push/broadcasts/${broadcast.id}`)

      const done = await waitFor(async () => {
        const r = await server.app.inject({
          method: 'GET',
          url: `/api/push/broadcasts/${broadcast.id}?outcomes=100`,
          headers: admin,
        })
        const b = r.json()
        return b.status === 'completed' ? b : undefined
      })
      expect(done).toMatchObject({
        total: 43,
        delivered: 41,
        failed: 1,
        removed: 1,
        resubscribe: 0,
        retried: 1,
        pending: 0,
      })
      expect(done.outcomes.length).toBe(43)
      expect(done.outcomes.filter((o: { outcome: string }) => o.outcome === 'gone')).toEqual([
        expect.objectContaining({ statusCode: 410, service: 'other' }),
      ])

      const messages = mock.messages
      expect(messages.length).toBe(41)
      expect(JSON.parse(messages[0]!.text())).toEqual({
        title: 'Release',
        body: 'It is out',
        data: { url: '/app/news' },
      })
      expect(messages[0]).toMatchObject({ ttl: 600, urgency: 'high', topic: 'release' })
      expect(await row(goneOne.endpoint)).toBeUndefined()
      expect(await row(failing.endpoint)).toMatchObject({ failure_count: 1 })
      expect(await row(recovering.endpoint)).toMatchObject({ failure_count: 0 })
      expect(await count()).toBe(42)

      // The SSE stream of a finished broadcast: one progress event, then done, then the end.
      const events = await server.app.inject({
        method: 'GET',
        url: `/api/push/broadcasts/${broadcast.id}/events`,
        headers: admin,
      })
      expect(events.statusCode).toBe(200)
      expect(events.headers['content-type']).toContain('text/event-stream')
      const names = [...events.body.matchAll(/^event: (\w+)$/gm)].map((m) => m[1])
      expect(names).toEqual(['progress', 'done'])
      const last = JSON.parse(events.body.trim().split('\n').at(-1)!.slice('data: '.length))
      expect(last).toMatchObject({ status: 'completed', delivered: 41 })
    })

    it('streams live progress over SSE until done', async () => {
      await clear()
      const subscriptions = await mock.createSubscriptions(30, { vapidPublicKey: vapidKey })
      for (const s of subscriptions) await subscribe(s)
      // Slow answers so the stream sees the broadcast running.
      const { delay } = await import('@pushcraft/testing')
      const slow = mock.behave(() => true, delay(30))
      await server.app.listen({ port: 0, host: '127.0.0.1' })
      try {
        const address = server.app.server.address()
        const origin = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`
        const started = await fetch(`${origin}/api/push/broadcasts`, {
          method: 'POST',
          headers: { ...admin, ...json },
          body: JSON.stringify({ title: 'Live' }),
        })
        const { id } = (await started.json()) as { id: string }
        const stream = await fetch(`${origin}/api/push/broadcasts/${id}/events`, { headers: admin })
        const text = await stream.text()
        const events = [...text.matchAll(/^event: (\w+)\ndata: (.*)$/gm)].map((m) => ({
          name: m[1],
          data: JSON.parse(m[2]!),
        }))
        expect(events.at(-1)).toMatchObject({
          name: 'done',
          data: { status: 'completed', delivered: 30 },
        })
        expect(events.filter((e) => e.name === 'progress').length).toBeGreaterThanOrEqual(2)
        const delivered = events.map((e) => e.data.delivered as number)
        expect(delivered).toEqual([...delivered].sort((a, b) => a - b))
      } finally {
        slow.remove()
      }
    })

    it('broadcasts to a tag filter only, and in the Declarative Web Push shape', async () => {
      await clear()
      const tagged = await newSubscription()
      const untagged = await newSubscription()
      await subscribe(tagged, { tags: ['news'] })
      await subscribe(untagged)
      const started = await server.app.inject({
        method: 'POST',
        url: '/api/push/broadcasts',
        headers: { ...admin, ...json },
        payload: { title: 'News', url: '/app/news', tags: ['news'], declarative: true },
      })
      expect(started.json().total).toBe(1)
      const message = await mock.nextMessage({ timeout: 5000 })
      expect(message.endpoint).toBe(tagged.endpoint)
      expect(JSON.parse(message.text())).toEqual({
        web_push: 8030,
        notification: { title: 'News', navigate: 'http://localhost/app/news' },
      })
      const done = await waitFor(async () => {
        const b = (
          await server.app.inject({
            method: 'GET',
            url: `/api/push/broadcasts/${started.json().id}`,
            headers: admin,
          })
        ).json()
        return b.status === 'completed' ? b : undefined
      })
      expect(done).toMatchObject({ total: 1, delivered: 1 })
      expect(mock.messages.length).toBe(1)
    })

    it('admin tags a subscription (user:42) and lists subscriptions with a cursor', async () => {
      await clear()
      const subs = await mock.createSubscriptions(5, { vapidPublicKey: vapidKey })
      for (const s of subs) await subscribe(s)
      const tagged = await server.app.inject({
        method: 'PUT',
        url: '/api/push/subscriptions/tags',
        headers: { ...admin, ...json },
        payload: { endpoint: subs[0]!.endpoint, tags: ['user:42'] },
      })
      expect(tagged.json()).toEqual({ tags: ['user:42'] })
      const page1 = (
        await server.app.inject({
          method: 'GET',
          url: '/api/push/subscriptions?limit=3',
          headers: admin,
        })
      ).json()
      expect(page1.items.length).toBe(3)
      expect(page1.total).toBe(5)
      expect(page1.items[0]).toMatchObject({
        endpoint: subs[0]!.endpoint,
        tags: ['user:42'],
        needsResubscribe: false,
      })
      expect(page1.items[0]).not.toHaveProperty('p256dh')
      const page2 = (
        await server.app.inject({
          method: 'GET',
          url: `/api/push/subscriptions?limit=3&after=${page1.next}`,
          headers: admin,
        })
      ).json()
      expect(page2.items.length).toBe(2)
      expect(page2.next).toBeNull()
      const bad = await server.app.inject({
        method: 'GET',
        url: '/api/push/subscriptions?limit=0',
        headers: admin,
      })
      expect(bad.statusCode).toBe(400)
      expect(bad.json().code).toBe('ERR_VALIDATION')
    })

    it('refuses a broadcast that cannot fit one push message, and bad options', async () => {
      const tooBig = await server.app.inject({
        method: 'POST',
        url: '/api/push/broadcasts',
        headers: { ...admin, ...json },
        payload: {
          title: 't',
          body: 'x'.repeat(1000),
          url: `/${'y'.repeat(2040)}`,
          icon: `/${'z'.repeat(2040)}`,
        },
      })
      expect(tooBig.statusCode).toBe(413)
      expect(tooBig.json().code).toBe('ERR_PAYLOAD_TOO_LARGE')
      for (const payload of [
        { body: 'no title' },
        { title: 't', ttl: -1 },
        { title: 't', urgency: 'asap' },
        { title: 't', url: 'javascript:alert(1)' },
        { title: 't', topic: 'has space' },
      ]) {
        const r = await server.app.inject({
          method: 'POST',
          url: '/api/push/broadcasts',
          headers: { ...admin, ...json },
          payload,
        })
        expect(r.statusCode).toBe(400)
        expect(r.json().code).toBe('ERR_VALIDATION')
      }
      const unknown = await server.app.inject({
        method: 'GET',
        url: '/api/push/broadcasts/00000000-0000-0000-0000-000000000000',
        headers: admin,
      })
      expect(unknown.statusCode).toBe(404)
    })

    it('re-checks endpoints at send time: a host no longer allowed is skipped and kept', async () => {
      await clear()
      await server.store.upsertSubscription({
        endpoint: 'https://push.evil.example/x',
        p256dh:
          'BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4',
        auth: 'BTBZMqHH6r4Tts7J_aSIgg',
        encoding: 'aes128gcm',
        vapidKeyId: 'x',
      })
      const response = await server.app.inject({
        method: 'POST',
        url: '/api/push/send-test',
        headers: admin,
      })
      expect(response.json()).toMatchObject({ delivered: 0, failed: 1, removed: [] })
      expect(await count()).toBe(1)
      expect(mock.messages.length).toBe(0)
    })
  })

  describe('operations', () => {
    it('/healthz and /readyz answer', async () => {
      expect((await server.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({
        status: 'ok',
      })
      expect((await server.app.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({
        status: 'ok',
      })
    })

    it('/metrics exposes sends by service and outcome, latency, subscriptions, broadcasts in flight', async () => {
      const response = await server.app.inject({ method: 'GET', url: '/metrics', headers: admin })
      expect(response.statusCode).toBe(200)
      expect(response.headers['content-type']).toContain('text/plain')
      const text = response.body
      expect(text).toMatch(/pushcraft_push_sends_total\{service="other",outcome="delivered"\} \d+/)
      expect(text).toMatch(/pushcraft_push_sends_total\{service="other",outcome="gone"\} \d+/)
      expect(text).toMatch(
        /pushcraft_push_sends_total\{service="other",outcome="rate_limited"\} \d+/,
      )
      expect(text).toMatch(/pushcraft_push_sends_total\{service="other",outcome="blocked"\} \d+/)
      expect(text).toContain('pushcraft_push_send_duration_seconds_bucket')
      expect(text).toMatch(/^pushcraft_subscriptions \d+$/m)
      expect(text).toMatch(/^pushcraft_broadcasts_in_flight \d+$/m)
      // Every broadcast of this suite has ended by now (the last one may still be unwinding).
      await expect
        .poll(
          async () =>
            (await server.app.inject({ method: 'GET', url: '/metrics', headers: admin })).body,
        )
        .toMatch(/^pushcraft_broadcasts_in_flight 0$/m)
    })

    it('serves the OpenAPI document and the interactive docs', async () => {
      const doc = (await server.app.inject({ method: 'GET', url: '/api/openapi.json' })).json()
      expect(doc.openapi).toBe('3.1.0')
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining([
          '/api/push/vapid-public-key',
          '/api/push/subscriptions',
          '/api/push/send-test',
          '/api/push/broadcasts',
          '/api/push/broadcasts/{id}',
          '/api/push/broadcasts/{id}/events',
          '/healthz',
          '/readyz',
          '/metrics',
        ]),
      )
      expect(doc.paths['/app/']).toBeUndefined()
      expect(doc.paths['/api/push/send-test'].post.security).toEqual([{ bearerAuth: [] }])
      const docs = await server.app.inject({ method: 'GET', url: '/api/docs/' })
      expect(docs.statusCode).toBe(200)
      expect(docs.headers['content-type']).toContain('text/html')
    })

    it('serves the page with strict security headers', async () => {
      const page = await server.app.inject({ method: 'GET', url: '/app/' })
      expect(page.statusCode).toBe(200)
      expect(page.headers['content-type']).toContain('text/html')
      expect(page.headers['content-security-policy']).toContain("script-src 'self'")
      expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'")
      expect(page.headers['content-security-policy']).not.toContain('unsafe-inline')
      expect(page.headers['x-content-type-options']).toBe('nosniff')
      expect(page.headers['x-frame-options']).toBe('DENY')
      const sw = await server.app.inject({ method: 'GET', url: '/app/sw.js' })
      expect(sw.headers['content-type']).toContain('javascript')
      expect(sw.headers['cache-control']).toBe('no-cache')
      const again = await server.app.inject({
        method: 'GET',
        url: '/app/sw.js',
        headers: { 'if-none-match': sw.headers.etag as string },
      })
      expect(again.statusCode).toBe(304)
      const root = await server.app.inject({ method: 'GET', url: '/' })
      expect(root.statusCode).toBe(302)
      expect(root.headers.location).toBe('/app/')
      const traversal = await server.app.inject({ method: 'GET', url: '/app/../src/config.ts' })
      expect(traversal.statusCode).toBe(404)
    })
  })
})

describe('rate limits on public routes', () => {
  it('answers 429 ERR_RATE_LIMITED with Retry-After once the budget is spent', async () => {
    const server = await createTestServer({ dialect: 'sqlite', env: { RATE_LIMIT_MAX: '2' } })
    try {
      const hit = () => server.app.inject({ method: 'GET', url: '/api/push/vapid-public-key' })
      expect((await hit()).statusCode).toBe(200)
      expect((await hit()).statusCode).toBe(200)
      const limited = await hit()
      expect(limited.statusCode).toBe(429)
      expect(limited.json().code).toBe('ERR_RATE_LIMITED')
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0)
    } finally {
      await server.close()
    }
  })
})

describe('SSRF guard on subscribe (production policy)', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await createTestServer({
      dialect: 'sqlite',
      env: { PUSH_ALLOWED_HOSTS: 'fcm.googleapis.com,localhost' },
    })
  })
  afterAll(async () => {
    await server?.close()
  })

  const keys = {
    p256dh:
      'BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4',
    auth: 'BTBZMqHH6r4Tts7J_aSIgg',
  }
  it.each([
    ['http://fcm.googleapis.com/fcm/send/x', 'ERR_INVALID_SUBSCRIPTION'],
    ['https://10.0.0.1/fcm/send/x', 'ERR_ENDPOINT_NOT_ALLOWED'],
    ['https://169.254.169.254/latest/meta-data', 'ERR_ENDPOINT_NOT_ALLOWED'],
    ['https://[::ffff:127.0.0.1]/x', 'ERR_ENDPOINT_NOT_ALLOWED'],
    ['https://localhost/x', 'ERR_ENDPOINT_NOT_ALLOWED'],
    ['https://push.attacker.example/x', 'ERR_ENDPOINT_NOT_ALLOWED'],
  ])('refuses %s', async (endpoint, code) => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/push/subscriptions',
      headers: json,
      payload: { endpoint, keys },
    })
    expect(response.statusCode).toBe(400)
    expect(response.json().code).toBe(code)
    expect(await server.store.countSubscriptions()).toBe(0)
  })

  it('names the rule: localhost resolves to a loopback address', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/push/subscriptions',
      headers: json,
      payload: { endpoint: 'https://localhost/x', keys },
    })
    expect(response.json()).toMatchObject({ reason: 'address', field: 'endpoint' })
  })
})

describe('CORS and readiness', () => {
  it('answers CORS preflights only for configured origins', async () => {
    const server = await createTestServer({
      dialect: 'sqlite',
      env: { CORS_ORIGINS: 'https://app.example' },
    })
    try {
      const preflight = (origin: string) =>
        server.app.inject({
          method: 'OPTIONS',
          url: '/api/push/subscriptions',
          headers: { origin, 'access-control-request-method': 'POST' },
        })
      const allowed = await preflight('https://app.example')
      expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example')
      const other = await preflight('https://evil.example')
      expect(other.headers['access-control-allow-origin']).toBeUndefined()
    } finally {
      await server.close()
    }
  })

  it('sends no CORS headers by default', async () => {
    const server = await createTestServer({ dialect: 'sqlite' })
    try {
      const response = await server.app.inject({
        method: 'GET',
        url: '/api/push/vapid-public-key',
        headers: { origin: 'https://app.example' },
      })
      expect(response.headers['access-control-allow-origin']).toBeUndefined()
    } finally {
      await server.close()
    }
  })

  it('/readyz answers 503 when the database does not answer, /healthz stays 200', async () => {
    const server = await createTestServer({ dialect: 'sqlite' })
    try {
      await server.store.close()
      const ready = await server.app.inject({ method: 'GET', url: '/readyz' })
      expect(ready.statusCode).toBe(503)
      expect(ready.json()).toEqual({ status: 'unavailable', reason: 'database unavailable' })
      expect((await server.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200)
    } finally {
      await server.close()
    }
  })
})
