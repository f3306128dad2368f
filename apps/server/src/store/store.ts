/**
 * The repository the routes and the sender use: subscriptions (idempotent upsert by endpoint,
 * keyset iteration for broadcasts, batched result updates), broadcasts with batched counter
 * updates, and a bounded log of per-send outcomes. One implementation over Kysely for SQLite
 * (better-sqlite3) and PostgreSQL (pg).
 *
 * @module
 */

import { identifyPushService } from '@pushcraft/webpush'
import SQLite from 'better-sqlite3'
import {
  Kysely,
  PostgresDialect,
  SqliteDialect,
  sql,
  type Insertable,
  type SqliteDatabase,
  type Transaction,
} from 'kysely'
import { Migrator } from 'kysely/migration'
import { Pool, TypeOverrides } from 'pg'

import type { DatabaseConfig } from '../config.js'
import { StartupError } from '../errors.js'
import { createMigrationProvider, type Dialect } from './migrations.js'
import type { Database, SubscriptionsTable } from './schema.js'

/** Rows per `IN (…)` list and per multi-row insert: far below SQLite's and PostgreSQL's limits. */
const CHUNK = 500

/**
 * A subscription to store (validated by the route).
 *
 * @example
 *
 * ```ts
 * import type { NewSubscription } from './store.js'
 * const s: NewSubscription = {
 *   endpoint: 'https://fcm.googleapis.com/fcm/send/x',
 *   p256dh: 'BN…',
 *   auth: 'q1…',
 *   encoding: 'aes128gcm',
 *   vapidKeyId: 'k1',
 * }
 * ```
 */
export interface NewSubscription {
  readonly endpoint: string
  readonly p256dh: string
  readonly auth: string
  readonly encoding: 'aes128gcm' | 'aesgcm'
  readonly vapidKeyId: string
  readonly userAgent?: string | null
  readonly expirationTime?: number | null
  /** Replaces the subscription's tags when given. */
  readonly tags?: readonly string[]
}

/**
 * A stored subscription as the admin listing shows it (no key material).
 *
 * @example
 *
 * ```ts
 * import type { SubscriptionSummary } from './store.js'
 * const f = (s: SubscriptionSummary): number => s.failureCount
 * ```
 */
export interface SubscriptionSummary {
  readonly id: number
  readonly endpoint: string
  readonly encoding: string
  readonly userAgent: string | null
  readonly createdAt: number
  readonly updatedAt: number
  readonly lastSuccessAt: number | null
  readonly lastFailureAt: number | null
  readonly failureCount: number
  readonly vapidKeyId: string | null
  readonly needsResubscribe: boolean
  readonly tags: readonly string[]
}

/**
 * What a send needs of a stored subscription: the row in the `PushSubscriptionJSON` shape the
 * library takes (built once per row read, then passed through as it is), plus its id and coding.
 *
 * @example
 *
 * ```ts
 * import type { SendTarget } from './store.js'
 * const f = (t: SendTarget): string => `${t.endpoint} ${t.keys.p256dh}`
 * ```
 */
export interface SendTarget {
  readonly id: number
  readonly endpoint: string
  readonly keys: { readonly p256dh: string; readonly auth: string }
  /** `aes128gcm` or `aesgcm`. */
  readonly encoding: string
}

interface TargetRow {
  readonly id: number
  readonly endpoint: string
  readonly p256dh: string
  readonly auth: string
  readonly encoding: string
}

function toTarget(row: TargetRow): SendTarget {
  return {
    id: row.id,
    endpoint: row.endpoint,
    keys: { p256dh: row.p256dh, auth: row.auth },
    encoding: row.encoding,
  }
}

/** Prepared statements kept per SQLite connection (least recently used dropped first). */
const STATEMENT_CACHE_SIZE = 200

/**
 * Wraps a better-sqlite3 connection so that Kysely's SQLite driver, which prepares every query it
 * runs, reuses the prepared statement of an SQL text it ran before. Safe because better-sqlite3
 * runs a statement to completion synchronously (`all`/`run`); a statement still iterating (busy)
 * is never handed out twice. SQLite re-prepares a cached statement itself after a schema change.
 */
function withStatementCache(database: SQLite.Database): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>()
  return {
    close() {
      cache.clear()
      database.close()
    },
    prepare(text) {
      const cached = cache.get(text)
      if (cached !== undefined) {
        cache.delete(text)
        if (!cached.busy) {
          cache.set(text, cached)
          return cached
        }
      }
      const statement = database.prepare(text)
      cache.set(text, statement)
      if (cache.size > STATEMENT_CACHE_SIZE) {
        const oldest = cache.keys().next().value
        if (oldest !== undefined) cache.delete(oldest)
      }
      return statement
    },
  }
}

/**
 * The result of a batch of sends, applied in one transaction.
 *
 * @example
 *
 * ```ts
 * import type { ResultBatch } from './store.js'
 * const batch: ResultBatch = { delivered: [1], failed: [], gone: [2], resubscribe: [], since: Date.now() }
 * ```
 */
export interface ResultBatch {
  /** Accepted by the push service: `last_success_at` set, `failure_count` reset. */
  readonly delivered: readonly number[]
  /** Transient or unexplained failures: kept, `failure_count` incremented. */
  readonly failed: readonly number[]
  /** 404/410 (RFC 8030 §7.3): deleted. */
  readonly gone: readonly number[]
  /** VAPID key mismatch: kept, marked `needs_resubscribe`. */
  readonly resubscribe: readonly number[]
  /**
   * When the sends started: a subscription updated after it (the browser subscribed again) is
   * neither deleted nor marked by this batch.
   */
  readonly since: number
  /** Refused by the SSRF guard at send time: kept, nothing to update (recorded in queue mode). */
  readonly blocked?: readonly number[]
  /** Rate-limited attempts since the previous batch (added to the broadcast's `retried`). */
  readonly retried?: number
}

/**
 * Queue mode: one chunk of a broadcast (the subscriptions of one push service with ids from
 * `firstId` to `lastId`), the unit of one job.
 *
 * @example
 *
 * ```ts
 * import type { ChunkRef } from './store.js'
 * const chunk: ChunkRef = { broadcastId: 'b', service: 'fcm', firstId: 1, lastId: 250 }
 * ```
 */
export interface ChunkRef {
  readonly broadcastId: string
  readonly service: string
  readonly firstId: number
  readonly lastId: number
}

/**
 * The status of a broadcast.
 *
 * @example
 *
 * ```ts
 * import type { BroadcastStatus } from './store.js'
 * const s: BroadcastStatus = 'running'
 * ```
 */
export type BroadcastStatus = 'queued' | 'running' | 'completed' | 'failed' | 'interrupted'

/**
 * The counters of a broadcast.
 *
 * @example
 *
 * ```ts
 * import type { BroadcastCounts } from './store.js'
 * const c: BroadcastCounts = { total: 3, delivered: 1, failed: 1, removed: 1, resubscribe: 0, retried: 0 }
 * ```
 */
export interface BroadcastCounts {
  readonly total: number
  readonly delivered: number
  readonly failed: number
  readonly removed: number
  readonly resubscribe: number
  readonly retried: number
}

/**
 * A stored broadcast.
 *
 * @example
 *
 * ```ts
 * import type { BroadcastRecord } from './store.js'
 * const done = (b: BroadcastRecord): boolean => b.status === 'completed'
 * ```
 */
export interface BroadcastRecord extends BroadcastCounts {
  readonly id: string
  readonly status: BroadcastStatus
  readonly message: unknown
  readonly options: unknown
  readonly tags: readonly string[] | null
  readonly error: string | null
  readonly createdAt: number
  readonly startedAt: number | null
  readonly finishedAt: number | null
  readonly updatedAt: number
}

/**
 * One send outcome of a broadcast.
 *
 * @example
 *
 * ```ts
 * import type { SendOutcome } from './store.js'
 * const o: SendOutcome = { seq: 1, subscriptionId: 7, service: 'fcm', outcome: 'gone', statusCode: 410, detail: null, createdAt: 0 }
 * ```
 */
export interface SendOutcome {
  readonly seq: number
  readonly subscriptionId: number | null
  readonly service: string
  readonly outcome: string
  readonly statusCode: number | null
  readonly detail: string | null
  readonly createdAt: number
}

/** The row of a newly stored subscription (`addSubscription`'s upsert and `addSubscriptions`). */
function newSubscriptionRow(input: NewSubscription, now: number): Insertable<SubscriptionsTable> {
  return {
    endpoint: input.endpoint,
    p256dh: input.p256dh,
    auth: input.auth,
    encoding: input.encoding,
    user_agent: input.userAgent ?? null,
    expiration_time: input.expirationTime ?? null,
    created_at: now,
    updated_at: now,
    failure_count: 0,
    vapid_key_id: input.vapidKeyId,
    needs_resubscribe: 0,
    service: identifyPushService(input.endpoint),
  }
}

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

/** Applies the cleanup rules of a batch inside a transaction; returns the ids deleted. */
async function applyIn(
  trx: Transaction<Database>,
  batch: ResultBatch,
  now: number,
): Promise<number[]> {
  for (const ids of chunks(batch.delivered)) {
    await trx
      .updateTable('subscriptions')
      .set({ last_success_at: now, failure_count: 0 })
      .where('id', 'in', ids)
      .execute()
  }
  for (const ids of chunks(batch.failed)) {
    await trx
      .updateTable('subscriptions')
      .set((eb) => ({ last_failure_at: now, failure_count: eb('failure_count', '+', 1) }))
      .where('id', 'in', ids)
      .execute()
  }
  for (const ids of chunks(batch.resubscribe)) {
    await trx
      .updateTable('subscriptions')
      .set((eb) => ({
        last_failure_at: now,
        needs_resubscribe: 1,
        failure_count: eb('failure_count', '+', 1),
      }))
      .where('id', 'in', ids)
      .where('updated_at', '<=', batch.since)
      .execute()
  }
  const removed: number[] = []
  for (const ids of chunks(batch.gone)) {
    // A subscription the browser renewed after the send started is not gone.
    const doomed = await trx
      .selectFrom('subscriptions')
      .select('id')
      .where('id', 'in', ids)
      .where('updated_at', '<=', batch.since)
      .execute()
    const doomedIds = doomed.map((r) => r.id)
    if (doomedIds.length === 0) continue
    await trx.deleteFrom('subscription_tags').where('subscription_id', 'in', doomedIds).execute()
    await trx.deleteFrom('subscriptions').where('id', 'in', doomedIds).execute()
    removed.push(...doomedIds)
  }
  return removed
}

type BroadcastRow = Database['broadcasts']

function toBroadcast(row: BroadcastRow): BroadcastRecord {
  return {
    id: row.id,
    status: row.status as BroadcastStatus,
    message: JSON.parse(row.message) as unknown,
    options: JSON.parse(row.options) as unknown,
    tags: row.tags === null ? null : (JSON.parse(row.tags) as string[]),
    total: row.total,
    delivered: row.delivered,
    failed: row.failed,
    removed: row.removed,
    resubscribe: row.resubscribe,
    retried: row.retried,
    error: row.error,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    updatedAt: row.updated_at,
  }
}

/**
 * The repository. Create it with {@link openStore}.
 *
 * @example
 *
 * ```ts
 * import { openStore } from './store.js'
 * const store = await openStore({ kind: 'sqlite', filename: ':memory:' })
 * console.log(await store.countSubscriptions())
 * await store.close()
 * ```
 */
export class Store {
  /** The Kysely instance (for tests and ad-hoc queries). */
  readonly db: Kysely<Database>
  /** Which database this is. */
  readonly dialect: Dialect

  /**
   * @param db - An open Kysely instance with the schema migrated.
   * @param dialect - Its dialect.
   */
  constructor(db: Kysely<Database>, dialect: Dialect) {
    this.db = db
    this.dialect = dialect
  }

  /**
   * Checks the database answers (for `/readyz`).
   *
   * @returns Resolves when a trivial query succeeds.
   */
  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db)
  }

  /** Closes the connection(s). */
  async close(): Promise<void> {
    await this.db.destroy()
  }

  // -------------------------------------------------------------------------------------------
  // Subscriptions

  /**
   * Stores a subscription, or updates the one with the same endpoint (idempotent): new keys, user
   * agent and VAPID key id replace the old ones, `needs_resubscribe` and `failure_count` reset.
   *
   * @param input - The validated subscription.
   * @param now - The current time (ms).
   * @returns The row id and whether it was created.
   */
  async upsertSubscription(
    input: NewSubscription,
    now: number = Date.now(),
  ): Promise<{ id: number; created: boolean }> {
    return this.db.transaction().execute(async (trx) => {
      const existing = await trx
        .selectFrom('subscriptions')
        .select('id')
        .where('endpoint', '=', input.endpoint)
        .executeTakeFirst()
      const row = await trx
        .insertInto('subscriptions')
        .values(newSubscriptionRow(input, now))
        .onConflict((oc) =>
          oc.column('endpoint').doUpdateSet((eb) => ({
            p256dh: eb.ref('excluded.p256dh'),
            auth: eb.ref('excluded.auth'),
            encoding: eb.ref('excluded.encoding'),
            user_agent: eb.ref('excluded.user_agent'),
            expiration_time: eb.ref('excluded.expiration_time'),
            updated_at: eb.ref('excluded.updated_at'),
            vapid_key_id: eb.ref('excluded.vapid_key_id'),
            failure_count: 0,
            needs_resubscribe: 0,
          })),
        )
        .returning('id')
        .executeTakeFirstOrThrow()
      if (input.tags !== undefined) await this.#replaceTags(trx, row.id, input.tags)
      return { id: row.id, created: existing === undefined }
    })
  }

  /**
   * Stores many subscriptions at once (an import, a benchmark's seed): multi-row inserts of up to
   * 500 rows; endpoints already stored are left as they are. Tags are not set.
   *
   * @param inputs - The validated subscriptions.
   * @param now - The current time (ms).
   * @returns How many were inserted.
   */
  async addSubscriptions(
    inputs: readonly NewSubscription[],
    now: number = Date.now(),
  ): Promise<number> {
    let inserted = 0
    for (const part of chunks(inputs)) {
      const rows = await this.db
        .insertInto('subscriptions')
        .values(part.map((input) => newSubscriptionRow(input, now)))
        .onConflict((oc) => oc.column('endpoint').doNothing())
        .returning('id')
        .execute()
      inserted += rows.length
    }
    return inserted
  }

  async #replaceTags(
    trx: Transaction<Database>,
    id: number,
    tags: readonly string[],
  ): Promise<void> {
    await trx.deleteFrom('subscription_tags').where('subscription_id', '=', id).execute()
    const unique = [...new Set(tags)]
    if (unique.length > 0) {
      await trx
        .insertInto('subscription_tags')
        .values(unique.map((tag) => ({ subscription_id: id, tag })))
        .execute()
    }
  }

  /**
   * Replaces the tags of the subscription with this endpoint.
   *
   * @param endpoint - The push resource URL.
   * @param tags - The new tags.
   * @returns Whether the subscription exists.
   */
  async setTags(endpoint: string, tags: readonly string[]): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('subscriptions')
        .select('id')
        .where('endpoint', '=', endpoint)
        .executeTakeFirst()
      if (row === undefined) return false
      await this.#replaceTags(trx, row.id, tags)
      return true
    })
  }

  /**
   * Deletes the subscription with this endpoint.
   *
   * @param endpoint - The push resource URL.
   * @returns Whether one was deleted.
   */
  async deleteSubscription(endpoint: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('subscriptions')
        .select('id')
        .where('endpoint', '=', endpoint)
        .executeTakeFirst()
      if (row === undefined) return false
      await trx.deleteFrom('subscription_tags').where('subscription_id', '=', row.id).execute()
      await trx.deleteFrom('subscriptions').where('id', '=', row.id).execute()
      return true
    })
  }

  /**
   * Finds a subscription by endpoint (with its keys, for a self-test send).
   *
   * @param endpoint - The push resource URL.
   * @returns The send target, or `undefined`.
   */
  async findSubscription(endpoint: string): Promise<SendTarget | undefined> {
    const row = await this.db
      .selectFrom('subscriptions')
      .select(['id', 'endpoint', 'p256dh', 'auth', 'encoding'])
      .where('endpoint', '=', endpoint)
      .executeTakeFirst()
    return row === undefined ? undefined : toTarget(row)
  }

  /**
   * Counts stored subscriptions.
   *
   * @returns The count (all, including those needing resubscription).
   */
  async countSubscriptions(): Promise<number> {
    const row = await this.db
      .selectFrom('subscriptions')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow()
    return Number(row.n)
  }

  /**
   * Counts the subscriptions a broadcast with this filter would reach.
   *
   * @param tags - Any-of tag filter, or `null` for all.
   * @returns The count (subscriptions needing resubscription excluded).
   */
  async countTargets(tags: readonly string[] | null): Promise<number> {
    let query = this.db
      .selectFrom('subscriptions as s')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('s.needs_resubscribe', '=', 0)
    if (tags !== null) {
      query = query.where((eb) =>
        eb.exists(
          eb
            .selectFrom('subscription_tags as t')
            .select('t.subscription_id')
            .whereRef('t.subscription_id', '=', 's.id')
            .where('t.tag', 'in', [...tags]),
        ),
      )
    }
    const row = await query.executeTakeFirstOrThrow()
    return Number(row.n)
  }

  /**
   * Pages through the subscriptions a send reaches, in id order (keyset pagination: constant
   * memory and no skipped or repeated rows while rows are deleted behind the cursor).
   *
   * @param options - Any-of tag filter, page size, whether to include subscriptions marked for
   *   resubscription, and (queue mode) one chunk: a push service, an id range, and the broadcast
   *   whose recorded outcomes are skipped.
   * @returns An async iterable of pages.
   */
  async *iterateTargets(options: {
    tags?: readonly string[] | null
    pageSize?: number
    includeResubscribe?: boolean
    service?: string
    fromId?: number
    toId?: number
    skipRecordedFor?: string
  }): AsyncGenerator<SendTarget[], void, undefined> {
    const pageSize = options.pageSize ?? 1000
    let after = (options.fromId ?? 1) - 1
    for (;;) {
      let query = this.db
        .selectFrom('subscriptions as s')
        .select(['s.id', 's.endpoint', 's.p256dh', 's.auth', 's.encoding'])
        .where('s.id', '>', after)
      if (options.includeResubscribe !== true) query = query.where('s.needs_resubscribe', '=', 0)
      if (options.service !== undefined) query = query.where('s.service', '=', options.service)
      if (options.toId !== undefined) query = query.where('s.id', '<=', options.toId)
      const recordedFor = options.skipRecordedFor
      if (recordedFor !== undefined) {
        query = query.where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('broadcast_deliveries as d')
                .select('d.subscription_id')
                .whereRef('d.subscription_id', '=', 's.id')
                .where('d.broadcast_id', '=', recordedFor),
            ),
          ),
        )
      }
      const tags = options.tags
      if (tags !== undefined && tags !== null) {
        query = query.where((eb) =>
          eb.exists(
            eb
              .selectFrom('subscription_tags as t')
              .select('t.subscription_id')
              .whereRef('t.subscription_id', '=', 's.id')
              .where('t.tag', 'in', [...tags]),
          ),
        )
      }
      const rows = await query.orderBy('s.id').limit(pageSize).execute()
      if (rows.length === 0) return
      after = rows[rows.length - 1]?.id ?? after
      const full = rows.length === pageSize
      // One object per row, handed to the sender as it is; the page is dropped once sent.
      yield rows.map(toTarget)
      if (!full) return
    }
  }

  /**
   * Lists subscriptions for admins, newest id last, `limit` after the `after` cursor.
   *
   * @param options - Page size and the cursor (the last id of the previous page).
   * @returns The page, the next cursor (or `null`), and the total count.
   */
  async listSubscriptions(options: {
    limit: number
    after?: number
  }): Promise<{ items: SubscriptionSummary[]; next: number | null; total: number }> {
    const rows = await this.db
      .selectFrom('subscriptions')
      .selectAll()
      .where('id', '>', options.after ?? 0)
      .orderBy('id')
      .limit(options.limit + 1)
      .execute()
    const page = rows.slice(0, options.limit)
    const ids = page.map((r) => r.id)
    const tagRows =
      ids.length === 0
        ? []
        : await this.db
            .selectFrom('subscription_tags')
            .selectAll()
            .where('subscription_id', 'in', ids)
            .execute()
    const tags = new Map<number, string[]>()
    for (const t of tagRows)
      tags.set(t.subscription_id, [...(tags.get(t.subscription_id) ?? []), t.tag])
    const items = page.map((r) => ({
      id: r.id,
      endpoint: r.endpoint,
      encoding: r.encoding,
      userAgent: r.user_agent,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      lastSuccessAt: r.last_success_at,
      lastFailureAt: r.last_failure_at,
      failureCount: r.failure_count,
      vapidKeyId: r.vapid_key_id,
      needsResubscribe: r.needs_resubscribe === 1,
      tags: (tags.get(r.id) ?? []).sort(),
    }))
    const last = page[page.length - 1]
    return {
      items,
      next: rows.length > options.limit && last !== undefined ? last.id : null,
      total: await this.countSubscriptions(),
    }
  }

  /**
   * Applies the results of a batch of sends in one transaction: a few statements per batch
   * instead of one per send.
   *
   * @param batch - Subscription ids by outcome.
   * @param now - The current time (ms).
   * @returns The ids actually deleted (a subscription renewed meanwhile is kept).
   */
  async applyResults(batch: ResultBatch, now: number = Date.now()): Promise<number[]> {
    const total =
      batch.delivered.length + batch.failed.length + batch.gone.length + batch.resubscribe.length
    if (total === 0) return []
    return this.db.transaction().execute((trx) => applyIn(trx, batch, now))
  }

  /**
   * Queue mode: applies a batch of one broadcast's results exactly once. In one transaction, the
   * outcomes are recorded per (broadcast, subscription); only the subscriptions not recorded
   * before (a chunk re-run after its worker died re-sends what was sent but not yet recorded) are
   * updated, and the broadcast's counters grow by their number: a few statements per batch.
   *
   * @param broadcastId - The broadcast.
   * @param batch - Subscription ids by outcome.
   * @param now - The current time (ms).
   * @returns The ids deleted (gone, and not renewed since the broadcast started).
   */
  async applyBroadcastResults(
    broadcastId: string,
    batch: ResultBatch,
    now: number = Date.now(),
  ): Promise<number[]> {
    const outcomes: [number, string][] = [
      ...batch.delivered.map((id): [number, string] => [id, 'delivered']),
      ...batch.failed.map((id): [number, string] => [id, 'failed']),
      ...batch.gone.map((id): [number, string] => [id, 'gone']),
      ...batch.resubscribe.map((id): [number, string] => [id, 'resubscribe']),
      ...(batch.blocked ?? []).map((id): [number, string] => [id, 'blocked']),
    ]
    const retried = batch.retried ?? 0
    if (outcomes.length === 0 && retried === 0) return []
    return this.db.transaction().execute(async (trx) => {
      const fresh = new Map<string, number[]>()
      for (const part of chunks(outcomes)) {
        const rows = await trx
          .insertInto('broadcast_deliveries')
          .values(
            part.map(([id, outcome]) => ({
              broadcast_id: broadcastId,
              subscription_id: id,
              outcome,
            })),
          )
          .onConflict((oc) => oc.columns(['broadcast_id', 'subscription_id']).doNothing())
          .returning(['subscription_id', 'outcome'])
          .execute()
        for (const row of rows) {
          fresh.set(row.outcome, [...(fresh.get(row.outcome) ?? []), row.subscription_id])
        }
      }
      const ids = (outcome: string): number[] => fresh.get(outcome) ?? []
      const removed = await applyIn(
        trx,
        {
          delivered: ids('delivered'),
          failed: ids('failed'),
          gone: ids('gone'),
          resubscribe: ids('resubscribe'),
          since: batch.since,
        },
        now,
      )
      // Gone but renewed meanwhile: kept, counted as failed (as in-process sends count them).
      const failed =
        ids('failed').length + ids('blocked').length + ids('gone').length - removed.length
      await trx
        .updateTable('broadcasts')
        .set((eb) => ({
          delivered: eb('delivered', '+', ids('delivered').length),
          failed: eb('failed', '+', failed),
          removed: eb('removed', '+', removed.length),
          resubscribe: eb('resubscribe', '+', ids('resubscribe').length),
          retried: eb('retried', '+', retried),
          updated_at: now,
        }))
        .where('id', '=', broadcastId)
        .execute()
      return removed
    })
  }

  // -------------------------------------------------------------------------------------------
  // Broadcasts

  /**
   * Stores a new broadcast in status `queued`.
   *
   * @param input - Id, message, options, tag filter and the number of targets.
   * @param now - The current time (ms).
   * @returns The stored broadcast.
   */
  async createBroadcast(
    input: {
      id: string
      message: unknown
      options: unknown
      tags: readonly string[] | null
      total: number
    },
    now: number = Date.now(),
  ): Promise<BroadcastRecord> {
    const row: BroadcastRow = {
      id: input.id,
      status: 'queued',
      message: JSON.stringify(input.message),
      options: JSON.stringify(input.options),
      tags: input.tags === null ? null : JSON.stringify(input.tags),
      total: input.total,
      delivered: 0,
      failed: 0,
      removed: 0,
      resubscribe: 0,
      retried: 0,
      error: null,
      created_at: now,
      started_at: null,
      finished_at: null,
      updated_at: now,
    }
    await this.db.insertInto('broadcasts').values(row).execute()
    return toBroadcast(row)
  }

  /**
   * Reads a broadcast.
   *
   * @param id - The broadcast id.
   * @returns The broadcast, or `undefined`.
   */
  async getBroadcast(id: string): Promise<BroadcastRecord | undefined> {
    const row = await this.db
      .selectFrom('broadcasts')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst()
    return row === undefined ? undefined : toBroadcast(row)
  }

  /**
   * Writes a broadcast's status and counters (absolute values: the runner owns the counts).
   *
   * @param id - The broadcast id.
   * @param update - New status, counters, timestamps or error.
   * @param now - The current time (ms).
   */
  async updateBroadcast(
    id: string,
    update: Partial<BroadcastCounts> & {
      status?: BroadcastStatus
      startedAt?: number
      finishedAt?: number
      error?: string | null
    },
    now: number = Date.now(),
  ): Promise<void> {
    await this.db
      .updateTable('broadcasts')
      .set({
        ...(update.status === undefined ? {} : { status: update.status }),
        ...(update.total === undefined ? {} : { total: update.total }),
        ...(update.delivered === undefined ? {} : { delivered: update.delivered }),
        ...(update.failed === undefined ? {} : { failed: update.failed }),
        ...(update.removed === undefined ? {} : { removed: update.removed }),
        ...(update.resubscribe === undefined ? {} : { resubscribe: update.resubscribe }),
        ...(update.retried === undefined ? {} : { retried: update.retried }),
        ...(update.startedAt === undefined ? {} : { started_at: update.startedAt }),
        ...(update.finishedAt === undefined ? {} : { finished_at: update.finishedAt }),
        ...(update.error === undefined ? {} : { error: update.error }),
        updated_at: now,
      })
      .where('id', '=', id)
      .execute()
  }

  /**
   * Marks broadcasts left `queued`/`running` by a previous process as `interrupted` (called at
   * start-up: their progress is not resumed).
   *
   * @param now - The current time (ms).
   * @returns How many were marked.
   */
  async markInterrupted(now: number = Date.now()): Promise<number> {
    const result = await this.db
      .updateTable('broadcasts')
      .set({ status: 'interrupted', finished_at: now, updated_at: now })
      .where('status', 'in', ['queued', 'running'])
      .executeTakeFirst()
    return Number(result.numUpdatedRows)
  }

  /**
   * Appends send outcomes and drops all but the most recent `keep` of the broadcast.
   *
   * @param broadcastId - The broadcast.
   * @param outcomes - New outcomes, `seq` increasing.
   * @param keep - How many to keep per broadcast.
   */
  async appendOutcomes(
    broadcastId: string,
    outcomes: readonly SendOutcome[],
    keep: number,
  ): Promise<void> {
    if (keep === 0 || outcomes.length === 0) return
    const tail = outcomes.slice(-keep)
    const maxSeq = tail[tail.length - 1]?.seq ?? 0
    await this.db.transaction().execute(async (trx) => {
      for (const part of chunks(tail, 200)) {
        await trx
          .insertInto('send_outcomes')
          .values(
            part.map((o) => ({
              broadcast_id: broadcastId,
              seq: o.seq,
              subscription_id: o.subscriptionId,
              service: o.service,
              outcome: o.outcome,
              status_code: o.statusCode,
              detail: o.detail,
              created_at: o.createdAt,
            })),
          )
          .execute()
      }
      await trx
        .deleteFrom('send_outcomes')
        .where('broadcast_id', '=', broadcastId)
        .where('seq', '<=', maxSeq - keep)
        .execute()
    })
  }

  /**
   * Reads the kept outcomes of a broadcast, most recent first.
   *
   * @param broadcastId - The broadcast.
   * @param limit - At most this many.
   * @returns The outcomes.
   */
  async listOutcomes(broadcastId: string, limit: number): Promise<SendOutcome[]> {
    const rows = await this.db
      .selectFrom('send_outcomes')
      .selectAll()
      .where('broadcast_id', '=', broadcastId)
      .orderBy('seq', 'desc')
      .limit(limit)
      .execute()
    return rows.map((r) => ({
      seq: r.seq,
      subscriptionId: r.subscription_id,
      service: r.service,
      outcome: r.outcome,
      statusCode: r.status_code,
      detail: r.detail,
      createdAt: r.created_at,
    }))
  }

  // -------------------------------------------------------------------------------------------
  // Queue mode: chunks of broadcasts

  /**
   * Plans a `queued` broadcast, once: in one transaction, the broadcast turns `running` and its
   * targets are cut into chunks per push service (keyset pages of ids, `chunkSize` each), stored as
   * `pending`. A second call (the planning job re-run after its worker died) plans nothing: the
   * chunks committed by the first are the plan.
   *
   * @param broadcastId - The broadcast.
   * @param options - Subscriptions per chunk.
   * @param now - The current time (ms): the broadcast's `started_at`.
   * @returns Whether this call planned it, and the number of targets it planned.
   */
  async planBroadcast(
    broadcastId: string,
    options: { chunkSize: number },
    now: number = Date.now(),
  ): Promise<{ planned: boolean; total: number }> {
    return this.db.transaction().execute(async (trx) => {
      // The row lock of this update serializes concurrent planners of one broadcast.
      const claimed = await trx
        .updateTable('broadcasts')
        .set({ status: 'running', started_at: now, updated_at: now })
        .where('id', '=', broadcastId)
        .where('status', '=', 'queued')
        .returning(['tags'])
        .executeTakeFirst()
      if (claimed === undefined) return { planned: false, total: 0 }
      const tags = claimed.tags === null ? null : (JSON.parse(claimed.tags) as string[])
      let total = 0
      for (const service of ['fcm', 'mozilla', 'apple', 'wns', 'other']) {
        let after = 0
        let pending: number[] = []
        const rows: Database['broadcast_chunks'][] = []
        const cut = (ids: readonly number[]): void => {
          const first = ids[0]
          const last = ids[ids.length - 1]
          if (first === undefined || last === undefined) return
          rows.push({
            broadcast_id: broadcastId,
            service,
            first_id: first,
            last_id: last,
            status: 'pending',
            updated_at: now,
          })
        }
        for (;;) {
          let query = trx
            .selectFrom('subscriptions as s')
            .select('s.id')
            .where('s.service', '=', service)
            .where('s.id', '>', after)
            .where('s.needs_resubscribe', '=', 0)
          if (tags !== null) {
            query = query.where((eb) =>
              eb.exists(
                eb
                  .selectFrom('subscription_tags as t')
                  .select('t.subscription_id')
                  .whereRef('t.subscription_id', '=', 's.id')
                  .where('t.tag', 'in', tags),
              ),
            )
          }
          const page = await query.orderBy('s.id').limit(10_000).execute()
          for (const row of page) {
            pending.push(row.id)
            if (pending.length === options.chunkSize) {
              cut(pending)
              pending = []
            }
          }
          total += page.length
          const last = page[page.length - 1]
          if (page.length < 10_000 || last === undefined) break
          after = last.id
        }
        cut(pending)
        for (const part of chunks(rows)) {
          await trx.insertInto('broadcast_chunks').values(part).execute()
        }
      }
      await trx.updateTable('broadcasts').set({ total }).where('id', '=', broadcastId).execute()
      return { planned: true, total }
    })
  }

  /**
   * Lists the chunks of a broadcast that are still `pending`.
   *
   * @param broadcastId - The broadcast.
   * @returns The chunks, by service and first id.
   */
  async listPendingChunks(broadcastId: string): Promise<ChunkRef[]> {
    const rows = await this.db
      .selectFrom('broadcast_chunks')
      .select(['service', 'first_id', 'last_id'])
      .where('broadcast_id', '=', broadcastId)
      .where('status', '=', 'pending')
      .orderBy('service')
      .orderBy('first_id')
      .execute()
    return rows.map((r) => ({
      broadcastId,
      service: r.service,
      firstId: r.first_id,
      lastId: r.last_id,
    }))
  }

  /**
   * Reads the status of one chunk.
   *
   * @param chunk - The chunk.
   * @returns `pending`, `done`, `failed`, or `undefined` when there is no such chunk.
   */
  async getChunkStatus(chunk: ChunkRef): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('broadcast_chunks')
      .select('status')
      .where('broadcast_id', '=', chunk.broadcastId)
      .where('service', '=', chunk.service)
      .where('first_id', '=', chunk.firstId)
      .executeTakeFirst()
    return row?.status
  }

  /**
   * Marks a `pending` chunk `done` (or `failed`), in its own transaction, so that whichever chunk
   * finishes last sees every other one finished in {@link Store.finishBroadcastIfDone}.
   *
   * @param chunk - The chunk.
   * @param status - The new status.
   * @param now - The current time (ms).
   * @returns Whether it was pending.
   */
  async finishChunk(
    chunk: ChunkRef,
    status: 'done' | 'failed',
    now: number = Date.now(),
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('broadcast_chunks')
      .set({ status, updated_at: now })
      .where('broadcast_id', '=', chunk.broadcastId)
      .where('service', '=', chunk.service)
      .where('first_id', '=', chunk.firstId)
      .where('status', '=', 'pending')
      .executeTakeFirst()
    return Number(result.numUpdatedRows) > 0
  }

  /**
   * Ends a `running` broadcast whose chunks are all finished: `completed` (or `failed` when a
   * chunk failed), `total` set to the outcomes counted, its per-subscription records dropped. Only
   * one caller ends it.
   *
   * @param broadcastId - The broadcast.
   * @param now - The current time (ms).
   * @returns The ended broadcast, or `undefined` (chunks pending, or already ended).
   */
  async finishBroadcastIfDone(
    broadcastId: string,
    now: number = Date.now(),
  ): Promise<BroadcastRecord | undefined> {
    const counts = await this.db
      .selectFrom('broadcast_chunks')
      .select(['status', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('broadcast_id', '=', broadcastId)
      .where('status', 'in', ['pending', 'failed'])
      .groupBy('status')
      .execute()
    const count = (status: string): number =>
      Number(counts.find((c) => c.status === status)?.n ?? 0)
    if (count('pending') > 0) return undefined
    const failedChunks = count('failed')
    const row = await this.db
      .updateTable('broadcasts')
      .set((eb) => ({
        status: failedChunks > 0 ? 'failed' : 'completed',
        total: eb(
          eb(eb('delivered', '+', eb.ref('failed')), '+', eb.ref('removed')),
          '+',
          eb.ref('resubscribe'),
        ),
        error: failedChunks > 0 ? `${failedChunks} chunk(s) failed; see the worker log` : null,
        finished_at: now,
        updated_at: now,
      }))
      .where('id', '=', broadcastId)
      .where('status', '=', 'running')
      .returningAll()
      .executeTakeFirst()
    if (row === undefined) return undefined
    await this.db
      .deleteFrom('broadcast_deliveries')
      .where('broadcast_id', '=', broadcastId)
      .execute()
    return toBroadcast(row)
  }

  /**
   * Lists the broadcasts not yet ended (`queued` or `running`), oldest first: a worker starting up
   * re-enqueues their planning, which re-enqueues their pending chunks.
   *
   * @returns Their ids.
   */
  async listUnfinishedBroadcasts(): Promise<string[]> {
    const rows = await this.db
      .selectFrom('broadcasts')
      .select('id')
      .where('status', 'in', ['queued', 'running'])
      .orderBy('created_at')
      .execute()
    return rows.map((r) => r.id)
  }
}

/**
 * Names a database for messages without its password: `sqlite:<file>` or
 * `postgres://host:port/db`.
 *
 * @param config - The database configuration.
 * @returns The printable name.
 * @example
 *
 * ```ts
 * import { redactedDatabaseName } from './store.js'
 * redactedDatabaseName({ kind: 'postgres', url: 'postgres://u:secret@db:5432/push' }) // 'postgres://db:5432/push'
 * ```
 */
export function redactedDatabaseName(config: DatabaseConfig): string {
  if (config.kind === 'sqlite') return `sqlite:${config.filename}`
  try {
    const url = new URL(config.url)
    return `postgres://${url.hostname}${url.port === '' ? '' : `:${url.port}`}${url.pathname}`
  } catch {
    return 'postgres://(unparsable)'
  }
}

/**
 * Opens the database, checks it answers, and migrates it to the latest schema.
 *
 * @param config - From `DATABASE_URL`.
 * @returns The store.
 * @throws {@link StartupError} `ERR_DATABASE_UNAVAILABLE` (cannot open/reach; the message names the
 *   host and database, never the password) or `ERR_DATABASE_MIGRATION`.
 * @example
 *
 * ```ts
 * import { openStore } from './store.js'
 * const store = await openStore({ kind: 'sqlite', filename: 'data/pushcraft.sqlite' })
 * ```
 */
export async function openStore(config: DatabaseConfig): Promise<Store> {
  let db: Kysely<Database>
  const name = redactedDatabaseName(config)
  if (config.kind === 'sqlite') {
    let database: SQLite.Database
    try {
      database = new SQLite(config.filename)
      database.pragma('journal_mode = WAL')
      database.pragma('synchronous = NORMAL')
      database.pragma('foreign_keys = ON')
      database.pragma('busy_timeout = 5000')
    } catch (cause) {
      throw new StartupError(
        'ERR_DATABASE_UNAVAILABLE',
        `cannot open ${name}: ${(cause as Error).message}`,
        {
          cause,
        },
      )
    }
    db = new Kysely<Database>({
      dialect: new SqliteDialect({ database: withStatementCache(database) }),
    })
  } else {
    // int8 (counts, epoch-ms timestamps) as numbers, for this pool only (no global pg.types edit).
    const types = new TypeOverrides()
    types.setTypeParser(20, (value: string) => Number(value))
    const pool = new Pool({
      connectionString: config.url,
      types,
      max: 10,
      connectionTimeoutMillis: 10_000,
    })
    // An idle client's error (server restart) must not crash the process; the next query reconnects.
    pool.on('error', () => undefined)
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  }
  const store = new Store(db, config.kind)
  try {
    await store.ping()
  } catch (cause) {
    await db.destroy().catch(() => undefined)
    const reason = cause instanceof Error ? cause.message : String(cause)
    throw new StartupError('ERR_DATABASE_UNAVAILABLE', `cannot reach ${name}: ${reason}`, { cause })
  }
  const migrator = new Migrator({ db, provider: createMigrationProvider(config.kind) })
  const { error } = await migrator.migrateToLatest()
  if (error !== undefined) {
    await db.destroy().catch(() => undefined)
    throw new StartupError(
      'ERR_DATABASE_MIGRATION',
      `migrating ${name} failed: ${error instanceof Error ? error.message : 'unknown error'}`,
      {
        cause: error,
      },
    )
  }
  return store
}
