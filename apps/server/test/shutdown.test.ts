/**
 * Graceful shutdown: `app.close()` (what SIGTERM calls) turns readiness off, lets broadcasts in
 * flight finish within SHUTDOWN_TIMEOUT_MS, and otherwise aborts them as `interrupted` with every
 * result so far applied and no subscription lost.
 */
import { createMockPushService, delay, type MockPushService } from '@pushcraft/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { openStore } from '../src/store/store.js'
import { createTestDatabase, type TestDatabase } from './helpers/databases.js'
import { admin, createTestServer } from './helpers/server.js'

let mock: MockPushService
beforeAll(async () => {
  mock = await createMockPushService({ tls: true })
})
afterAll(async () => {
  await mock?.close()
})

async function seeded(env: Record<string, string>, count: number) {
  const database: TestDatabase = await createTestDatabase('sqlite')
  const server = await createTestServer({ dialect: 'sqlite', mock, database, env })
  const subscriptions = await mock.createSubscriptions(count, {
    vapidPublicKey: server.config.vapid.keys.applicationServerKey,
  })
  for (const s of subscriptions) {
    await server.store.upsertSubscription({
      endpoint: s.endpoint,
      p256dh: s.keys.p256dh,
      auth: s.keys.auth,
      encoding: 'aes128gcm',
      vapidKeyId: server.config.vapid.keys.id,
    })
  }
  return { server, database }
}

describe('graceful shutdown', () => {
  it('drains a broadcast in flight before closing', async () => {
    mock.reset()
    const slow = mock.behave(() => true, delay(40))
    const { server, database } = await seeded(
      { SEND_CONCURRENCY: '4', PUSH_CONNECTIONS: '4', SHUTDOWN_TIMEOUT_MS: '20000' },
      24,
    )
    try {
      const started = await server.app.inject({
        method: 'POST',
        url: '/api/push/broadcasts',
        headers: admin,
        payload: { title: 'drain' },
      })
      const { id } = started.json()
      await server.close()
      const store = await openStore(database.config)
      const broadcast = await store.getBroadcast(id)
      expect(broadcast).toMatchObject({ status: 'completed', delivered: 24, total: 24 })
      expect(await store.countSubscriptions()).toBe(24)
      await store.close()
      expect(mock.stats.received).toBeGreaterThanOrEqual(24)
    } finally {
      slow.remove()
      await database.drop()
    }
  })

  it('aborts what does not finish in time: interrupted, results applied, nothing deleted', async () => {
    mock.reset()
    const slow = mock.behave(() => true, delay(300))
    const { server, database } = await seeded(
      { SEND_CONCURRENCY: '2', PUSH_CONNECTIONS: '2', SHUTDOWN_TIMEOUT_MS: '400' },
      20,
    )
    try {
      const started = await server.app.inject({
        method: 'POST',
        url: '/api/push/broadcasts',
        headers: admin,
        payload: { title: 'abort' },
      })
      const { id } = started.json()
      const ready = await server.app.inject({ method: 'GET', url: '/readyz' })
      expect(ready.statusCode).toBe(200)
      await server.close()
      const store = await openStore(database.config)
      const broadcast = await store.getBroadcast(id)
      expect(broadcast?.status).toBe('interrupted')
      expect(broadcast?.delivered).toBeLessThan(20)
      expect(broadcast?.removed).toBe(0)
      expect(await store.countSubscriptions()).toBe(20)
      await store.close()
    } finally {
      slow.remove()
      await database.drop()
    }
  })
})
