/**
 * The store side of queue mode, on SQLite and PostgreSQL (one Kysely code path): each
 * subscription's push service, planning a broadcast once into per-service chunks, recording
 * outcomes exactly once (a re-run chunk counts nothing twice), and ending the broadcast when its
 * last chunk finishes.
 */
import SQLite from 'better-sqlite3'
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely'
import { Migrator } from 'kysely/migration'
import { Pool } from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { createMigrationProvider } from '../src/store/migrations.js'
import { openStore, type ChunkRef, type Store } from '../src/store/store.js'
import { createTestDatabase, DIALECTS, type TestDatabase } from './helpers/databases.js'

const HOSTS = {
  fcm: 'https://fcm.googleapis.com/fcm/send/',
  apple: 'https://web.push.apple.com/',
  mozilla: 'https://updates.push.services.mozilla.com/wpush/v2/',
} as const

const sub = (service: keyof typeof HOSTS, n: number) => ({
  endpoint: `${HOSTS[service]}endpoint-${n}`,
  p256dh: `p256dh-${n}`,
  auth: `auth-${n}`,
  encoding: 'aes128gcm' as const,
  vapidKeyId: 'key-1',
})

describe.each(DIALECTS)('queue store on %s', (dialect) => {
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

  it('stores each subscription with its push service (bulk and upsert)', async () => {
    const inserted = await store.addSubscriptions([
      ...Array.from({ length: 5 }, (_, i) => sub('fcm', i)),
      ...Array.from({ length: 3 }, (_, i) => sub('apple', i)),
    ])
    expect(inserted).toBe(8)
    // Endpoints already stored are left alone.
    expect(await store.addSubscriptions([sub('fcm', 0)])).toBe(0)
    await store.upsertSubscription(sub('mozilla', 0))
    const rows = await store.db
      .selectFrom('subscriptions')
      .select(['service', (eb) => eb.fn.countAll<number | string>().as('n')])
      .groupBy('service')
      .orderBy('service')
      .execute()
    expect(rows.map((r) => [r.service, Number(r.n)])).toEqual([
      ['apple', 3],
      ['fcm', 5],
      ['mozilla', 1],
    ])
  })

  it('plans a broadcast once into per-service chunks of id ranges', async () => {
    const broadcast = await store.createBroadcast({
      id: 'b-plan',
      message: { title: 'x' },
      options: {},
      tags: null,
      total: 0,
    })
    const first = await store.planBroadcast(broadcast.id, { chunkSize: 2 }, 5000)
    expect(first).toEqual({ planned: true, total: 9 })
    const chunks = await store.listPendingChunks(broadcast.id)
    // fcm 5 → 2+2+1, apple 3 → 2+1, mozilla 1 → 1.
    expect(chunks.map((c) => c.service)).toEqual(['apple', 'apple', 'fcm', 'fcm', 'fcm', 'mozilla'])
    for (const c of chunks) expect(c.firstId).toBeLessThanOrEqual(c.lastId)
    expect(await store.getBroadcast(broadcast.id)).toMatchObject({
      status: 'running',
      total: 9,
      startedAt: 5000,
    })
    // A second planning (the job re-run after its worker died) plans nothing new.
    expect(await store.planBroadcast(broadcast.id, { chunkSize: 2 })).toEqual({
      planned: false,
      total: 0,
    })
    expect(await store.listPendingChunks(broadcast.id)).toEqual(chunks)
  })

  it('records outcomes exactly once: a re-run chunk skips what was sent and counts nothing twice', async () => {
    const broadcastId = 'b-plan'
    const chunks = await store.listPendingChunks(broadcastId)
    const fcm = chunks.find((c) => c.service === 'fcm') as ChunkRef
    const targets = async (): Promise<number[]> => {
      const ids: number[] = []
      for await (const page of store.iterateTargets({
        service: fcm.service,
        fromId: fcm.firstId,
        toId: fcm.lastId,
        skipRecordedFor: broadcastId,
      })) {
        ids.push(...page.map((t) => t.id))
      }
      return ids
    }
    const [a, b] = await targets()
    if (a === undefined || b === undefined) throw new Error('expected two targets')
    const batch = { delivered: [a], failed: [], gone: [b], resubscribe: [], since: Date.now() }
    expect(await store.applyBroadcastResults(broadcastId, { ...batch, retried: 1 })).toEqual([b])
    // The same results again (the chunk re-sent after a crash): no effect, no count.
    expect(await store.applyBroadcastResults(broadcastId, batch)).toEqual([])
    expect(await store.getBroadcast(broadcastId)).toMatchObject({
      delivered: 1,
      removed: 1,
      failed: 0,
      retried: 1,
    })
    expect(await targets()).toEqual([])
    expect(await store.countSubscriptions()).toBe(8)
  })

  it('ends the broadcast when its last chunk finishes, once, and drops the records', async () => {
    const broadcastId = 'b-plan'
    const chunks = await store.listPendingChunks(broadcastId)
    const [last, ...others] = chunks
    if (last === undefined) throw new Error('no chunks')
    for (const chunk of others) expect(await store.finishChunk(chunk, 'done')).toBe(true)
    expect(await store.finishBroadcastIfDone(broadcastId)).toBeUndefined()
    expect(await store.getChunkStatus(last)).toBe('pending')
    expect(await store.finishChunk(last, 'failed', 9000)).toBe(true)
    expect(await store.finishChunk(last, 'done')).toBe(false) // already finished
    const ended = await store.finishBroadcastIfDone(broadcastId, 9000)
    expect(ended).toMatchObject({
      status: 'failed',
      total: 2,
      delivered: 1,
      removed: 1,
      finishedAt: 9000,
      error: '1 chunk(s) failed; see the worker log',
    })
    expect(await store.finishBroadcastIfDone(broadcastId)).toBeUndefined()
    expect(await store.listUnfinishedBroadcasts()).toEqual([])
    const records = await store.db
      .selectFrom('broadcast_deliveries')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow()
    expect(Number(records.n)).toBe(0)
  })

  it('a broadcast with no targets plans no chunk and ends completed', async () => {
    await store.createBroadcast({
      id: 'b-empty',
      message: { title: 'x' },
      options: {},
      tags: ['nobody'],
      total: 0,
    })
    expect(await store.listUnfinishedBroadcasts()).toEqual(['b-empty'])
    expect(await store.planBroadcast('b-empty', { chunkSize: 10 })).toEqual({
      planned: true,
      total: 0,
    })
    expect(await store.finishBroadcastIfDone('b-empty')).toMatchObject({
      status: 'completed',
      total: 0,
    })
  })
})

describe.each(DIALECTS)('migration 0002 on %s', (dialect) => {
  it('fills in the push service of subscriptions stored before it', async () => {
    const database = await createTestDatabase(dialect)
    const config = database.config
    const db = new Kysely<unknown>({
      dialect:
        config.kind === 'sqlite'
          ? new SqliteDialect({ database: new SQLite(config.filename) })
          : new PostgresDialect({ pool: new Pool({ connectionString: config.url }) }),
    })
    try {
      const migrator = new Migrator({ db, provider: createMigrationProvider(config.kind) })
      expect((await migrator.migrateTo('0001_initial')).error).toBeUndefined()
      const rows = [sub('fcm', 1), sub('apple', 1), sub('fcm', 2)].map((s) => ({
        endpoint: s.endpoint,
        p256dh: s.p256dh,
        auth: s.auth,
        encoding: s.encoding,
        created_at: 1,
        updated_at: 1,
      }))
      await (db as Kysely<{ subscriptions: (typeof rows)[number] }>)
        .insertInto('subscriptions')
        .values([...rows, { ...rows[0]!, endpoint: 'https://push.example.net/x' }])
        .execute()
    } finally {
      await db.destroy()
    }
    const store = await openStore(config)
    try {
      const services = await store.db
        .selectFrom('subscriptions')
        .select('service')
        .orderBy('id')
        .execute()
      expect(services.map((r) => r.service)).toEqual(['fcm', 'apple', 'fcm', 'other'])
    } finally {
      await store.close()
      await database.drop()
    }
  })
})
