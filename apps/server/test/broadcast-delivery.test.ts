/**
 * A broadcast's lean send path, end to end on the mock push service: the outcome log is a ring in
 * memory whose kept tail (the last OUTCOMES_PER_BROADCAST) reaches the database, and the send
 * timeout (shared timers) still fails a request that outlives SEND_TIMEOUT_MS, keeping the
 * subscription and recording why.
 */
import {
  createMockPushService,
  delay,
  gone,
  type MockPushService,
  type PushSubscriptionJSON,
} from '@pushcraft/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { admin, createTestServer, waitFor, type TestServer } from './helpers/server.js'

const json = { 'content-type': 'application/json' }

describe('broadcast delivery', () => {
  let mock: MockPushService
  let server: TestServer

  const subscribe = async (subscription: PushSubscriptionJSON) => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/push/subscriptions',
      headers: json,
      payload: subscription,
    })
    expect(response.statusCode).toBe(201)
  }
  const broadcast = async (): Promise<Record<string, any>> => {
    const started = await server.app.inject({
      method: 'POST',
      url: '/api/push/broadcasts',
      headers: { ...admin, ...json },
      payload: { title: 'hello' },
    })
    expect(started.statusCode).toBe(202)
    const id = started.json().id as string
    return waitFor(async () => {
      const url = `/api/push/broadcasts/${id}?outcomes=100`
      const b = (await server.app.inject({ method: 'GET', url, headers: admin })).json()
      return b.status === 'completed' ? b : undefined
    })
  }
  const clear = async () => {
    await server.store.db.deleteFrom('subscriptions').execute()
    mock.reset()
  }

  beforeAll(async () => {
    mock = await createMockPushService({ tls: true })
    server = await createTestServer({
      dialect: 'sqlite',
      mock,
      env: { OUTCOMES_PER_BROADCAST: '5', SEND_TIMEOUT_MS: '1500' },
    })
  })
  afterAll(async () => {
    await server?.close()
    await mock?.close()
  })

  it('keeps the last N outcomes of the ring and writes only those', async () => {
    await clear()
    const vapidPublicKey = server.config.vapid.keys.applicationServerKey
    const subscriptions = await mock.createSubscriptions(12, { vapidPublicKey })
    for (const s of subscriptions) await subscribe(s)
    mock.behave(subscriptions[0]!, gone(410))
    mock.behave(subscriptions[11]!, gone(404))

    const done = await broadcast()
    expect(done).toMatchObject({ total: 12, delivered: 10, removed: 2, failed: 0 })
    // Numbered in completion order; only the 5 most recent are kept, newest first.
    expect(done.outcomes.map((o: { seq: number }) => o.seq)).toEqual([12, 11, 10, 9, 8])
    const ids = new Set(done.outcomes.map((o: { subscriptionId: number }) => o.subscriptionId))
    expect(ids.size).toBe(5)
    for (const o of done.outcomes) {
      expect(['delivered', 'gone']).toContain(o.outcome)
      expect([404, 410, 201]).toContain(o.statusCode)
      expect(o.statusCode === 201).toBe(o.outcome === 'delivered')
    }
    const rows = await server.store.db
      .selectFrom('send_outcomes')
      .select('seq')
      .where('broadcast_id', '=', done.id)
      .execute()
    expect(rows.length).toBe(5)
    expect(await server.store.countSubscriptions()).toBe(10)
  })

  it('fails a request that outlives SEND_TIMEOUT_MS and keeps the subscription', async () => {
    await clear()
    const vapidPublicKey = server.config.vapid.keys.applicationServerKey
    const [slow, fast] = await mock.createSubscriptions(2, { vapidPublicKey })
    await subscribe(slow!)
    await subscribe(fast!)
    mock.behave(slow!, delay(5000))

    const done = await broadcast()
    expect(done).toMatchObject({ total: 2, delivered: 1, failed: 1, removed: 0 })
    const failed = done.outcomes.find((o: { outcome: string }) => o.outcome === 'failed')
    expect(failed).toMatchObject({
      statusCode: null,
      detail: 'ERR_WEBPUSH_REQUEST_FAILED (timeout)',
    })
    const row = await server.store.db
      .selectFrom('subscriptions')
      .select('failure_count')
      .where('endpoint', '=', slow!.endpoint)
      .executeTakeFirst()
    expect(row).toEqual({ failure_count: 1 })
  })
})
