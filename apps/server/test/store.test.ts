import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { openStore, type Store } from '../src/store/store.js'
import { createTestDatabase, DIALECTS, type TestDatabase } from './helpers/databases.js'

const sub = (n: number, tags?: string[]) => ({
  endpoint: `https://fcm.googleapis.com/fcm/send/endpoint-${n}`,
  p256dh: `p256dh-${n}`,
  auth: `auth-${n}`,
  encoding: 'aes128gcm' as const,
  vapidKeyId: 'key-1',
  userAgent: 'test',
  ...(tags === undefined ? {} : { tags }),
})

describe.each(DIALECTS)('store on %s', (dialect) => {
  let database: TestDatabase
  let store: Store

  beforeAll(async () => {
    database = await createTestDatabase(dialect)
    store = await openStore(database.config)
  })
  afterAll(async () => {
    await store?.close()
    await database?.drop()
  })

  it('migrates idempotently (a second open keeps the data)', async () => {
    await store.upsertSubscription(sub(0))
    const again = await openStore(database.config)
    expect(await again.countSubscriptions()).toBe(1)
    await again.close()
    expect(await store.deleteSubscription(sub(0).endpoint)).toBe(true)
  })

  it('upserts by endpoint: same id, new keys, flags reset', async () => {
    const first = await store.upsertSubscription(sub(1, ['news']), 1000)
    expect(first.created).toBe(true)
    await store.applyResults(
      { delivered: [], failed: [], gone: [], resubscribe: [first.id], since: 2000 },
      2000,
    )
    const second = await store.upsertSubscription(
      { ...sub(1), p256dh: 'new', tags: ['news', 'user:1'] },
      3000,
    )
    expect(second).toEqual({ id: first.id, created: false })
    const { items } = await store.listSubscriptions({ limit: 10 })
    const row = items.find((i) => i.id === first.id)!
    expect(row.needsResubscribe).toBe(false)
    expect(row.failureCount).toBe(0)
    expect(row.tags).toEqual(['news', 'user:1'])
    expect(row.createdAt).toBe(1000)
    expect(row.updatedAt).toBe(3000)
    expect((await store.findSubscription(sub(1).endpoint))?.keys.p256dh).toBe('new')
  })

  it('iterates targets in pages with a tag filter, skipping those needing resubscription', async () => {
    for (let i = 2; i < 12; i++)
      await store.upsertSubscription(sub(i, i % 2 === 0 ? ['even'] : []), 1000)
    const seen: number[] = []
    for await (const page of store.iterateTargets({ pageSize: 3 })) {
      expect(page.length).toBeLessThanOrEqual(3)
      seen.push(...page.map((t) => t.id))
    }
    expect(seen).toEqual([...seen].sort((a, b) => a - b))
    expect(seen.length).toBe(11)
    const even: number[] = []
    for await (const page of store.iterateTargets({ tags: ['even'], pageSize: 2 }))
      even.push(...page.map((t) => t.id))
    expect(even.length).toBe(5)
    expect(await store.countTargets(['even'])).toBe(5)
    expect(await store.countTargets(null)).toBe(11)
  })

  it('applies a result batch: delete gone, mark mismatch, count failures, reset on success', async () => {
    const ids: number[] = []
    for await (const page of store.iterateTargets({})) ids.push(...page.map((t) => t.id))
    const [a, b, c, d] = ids as [number, number, number, number]
    const removed = await store.applyResults(
      { delivered: [a], failed: [b], gone: [c], resubscribe: [d], since: 5000 },
      5000,
    )
    expect(removed).toEqual([c])
    const { items, total } = await store.listSubscriptions({ limit: 100 })
    expect(total).toBe(10)
    const byId = new Map(items.map((i) => [i.id, i]))
    expect(byId.get(a)?.lastSuccessAt).toBe(5000)
    expect(byId.get(b)?.failureCount).toBe(1)
    expect(byId.has(c)).toBe(false)
    expect(byId.get(d)?.needsResubscribe).toBe(true)
    expect(await store.countTargets(null)).toBe(9)
  })

  it('does not delete a subscription renewed after the send started', async () => {
    const { id } = await store.upsertSubscription(sub(50), 9000)
    const removed = await store.applyResults({
      delivered: [],
      failed: [],
      gone: [id],
      resubscribe: [],
      since: 8000,
    })
    expect(removed).toEqual([])
    expect(await store.findSubscription(sub(50).endpoint)).toBeDefined()
  })

  it('paginates the admin listing with a cursor', async () => {
    const first = await store.listSubscriptions({ limit: 4 })
    expect(first.items.length).toBe(4)
    expect(first.next).not.toBeNull()
    const second = await store.listSubscriptions({ limit: 100, after: first.next! })
    expect(second.next).toBeNull()
    expect(first.items.length + second.items.length).toBe(first.total)
  })

  it('stores broadcasts and keeps only the last N outcomes', async () => {
    const b = await store.createBroadcast(
      { id: 'b1', message: { title: 't' }, options: { ttl: 60 }, tags: ['x'], total: 5 },
      100,
    )
    expect(b.status).toBe('queued')
    await store.updateBroadcast(
      'b1',
      { status: 'running', delivered: 3, failed: 1, startedAt: 200 },
      200,
    )
    const read = await store.getBroadcast('b1')
    expect(read).toMatchObject({
      status: 'running',
      delivered: 3,
      failed: 1,
      total: 5,
      tags: ['x'],
      message: { title: 't' },
    })
    const outcome = (seq: number) => ({
      seq,
      subscriptionId: seq,
      service: 'fcm',
      outcome: 'delivered',
      statusCode: 201,
      detail: null,
      createdAt: seq,
    })
    await store.appendOutcomes('b1', [1, 2, 3, 4, 5].map(outcome), 3)
    await store.appendOutcomes('b1', [6, 7].map(outcome), 3)
    expect((await store.listOutcomes('b1', 10)).map((o) => o.seq)).toEqual([7, 6, 5])
    expect(await store.markInterrupted(300)).toBe(1)
    expect((await store.getBroadcast('b1'))?.status).toBe('interrupted')
    expect(await store.getBroadcast('nope')).toBeUndefined()
  })

  it('deletes every gone subscription and counts every failure of batches larger than one statement', async () => {
    const bulk = (n: number) => ({
      ...sub(n),
      endpoint: `https://fcm.googleapis.com/fcm/send/bulk-${n}`,
    })
    expect(
      await store.addSubscriptions(
        Array.from({ length: 1234 }, (_, i) => bulk(i)),
        1000,
      ),
    ).toBe(1234)
    const rows = await store.db
      .selectFrom('subscriptions')
      .select(['id', 'endpoint'])
      .where('endpoint', 'like', '%/bulk-%')
      .orderBy('id')
      .execute()
    const ids = rows.map((r) => r.id)
    // Tagged ones lose their tags with them.
    for (const row of rows.slice(0, 3)) await store.setTags(row.endpoint, ['bulk'])
    // 700 gone (two statements of 500 and 200), one of them renewed after the send started.
    const gone = ids.slice(0, 700)
    const failed = ids.slice(700)
    const renewed = rows[650]!
    await store.upsertSubscription({ ...bulk(650), endpoint: renewed.endpoint }, 3000)
    const removed = await store.applyResults(
      { delivered: [], failed, gone, resubscribe: [], since: 2000 },
      2500,
    )
    expect(removed.length).toBe(699)
    expect(new Set(removed)).toEqual(new Set(gone.filter((id) => id !== renewed.id)))
    const left = await store.db
      .selectFrom('subscriptions')
      .select(['id', 'failure_count', 'last_failure_at'])
      .where('endpoint', 'like', '%/bulk-%')
      .orderBy('id')
      .execute()
    expect(left.map((r) => r.id)).toEqual([renewed.id, ...failed])
    // 534 failures (two statements), each counted once.
    expect(left.slice(1).every((r) => r.failure_count === 1 && r.last_failure_at === 2500)).toBe(
      true,
    )
    const tags = await store.db
      .selectFrom('subscription_tags')
      .select('subscription_id')
      .where('tag', '=', 'bulk')
      .execute()
    expect(tags).toEqual([])
  })

  it('pages through many targets with every row once, in the send shape', async () => {
    const seen: number[] = []
    let pages = 0
    for await (const page of store.iterateTargets({ pageSize: 250 })) {
      pages += 1
      expect(page.length).toBeLessThanOrEqual(250)
      for (const target of page) {
        expect(target).toEqual({
          id: expect.any(Number),
          endpoint: expect.any(String),
          keys: { p256dh: expect.any(String), auth: expect.any(String) },
          encoding: 'aes128gcm',
        })
        seen.push(target.id)
      }
    }
    expect(pages).toBeGreaterThan(2)
    expect(new Set(seen).size).toBe(seen.length)
    expect(seen).toEqual([...seen].sort((a, b) => a - b))
    expect(seen.length).toBe(await store.countTargets(null))
  })
})

describe('the SQLite statement cache', () => {
  it('answers from the current data and schema when a cached statement runs again', async () => {
    const database = await createTestDatabase('sqlite')
    const store = await openStore(database.config)
    try {
      for (let n = 0; n < 5; n++) await store.upsertSubscription(sub(n))
      const ids = async () =>
        (await store.db.selectFrom('subscriptions').select('id').orderBy('id').execute()).length
      expect(await ids()).toBe(5)
      await store.deleteSubscription(sub(0).endpoint)
      expect(await ids()).toBe(4)
      // The same SQL text after the table behind it changed shape.
      const read = () => sql<Record<string, unknown>>`select * from cache_probe`.execute(store.db)
      await sql`create table cache_probe (a integer)`.execute(store.db)
      await sql`insert into cache_probe values (1)`.execute(store.db)
      expect((await read()).rows).toEqual([{ a: 1 }])
      await sql`drop table cache_probe`.execute(store.db)
      await sql`create table cache_probe (a integer, b text)`.execute(store.db)
      await sql`insert into cache_probe values (2, 'x')`.execute(store.db)
      expect((await read()).rows).toEqual([{ a: 2, b: 'x' }])
    } finally {
      await store.close()
      await database.drop()
    }
  })
})
