/**
 * The database schema as Kysely types: one definition for SQLite and PostgreSQL. Timestamps are
 * epoch milliseconds (`bigint`, parsed to numbers), booleans are 0/1 integers, so both dialects
 * return the same JavaScript values.
 *
 * @module
 */

import type { Generated } from 'kysely'

/**
 * A stored push subscription (the browser's `PushSubscription`, RFC 8030 §4, plus bookkeeping).
 *
 * @example
 *
 * ```ts
 * import type { SubscriptionsTable } from './schema.js'
 * type Endpoint = SubscriptionsTable['endpoint']
 * ```
 */
export interface SubscriptionsTable {
  id: Generated<number>
  /** The push resource URL; unique. */
  endpoint: string
  /** The user agent's P-256 public key, base64url (RFC 8291 §3.2 `p256dh`). */
  p256dh: string
  /** The 16-byte authentication secret, base64url (RFC 8291 §3.2 `auth`). */
  auth: string
  /** The content coding the browser supports (`aes128gcm`, RFC 8291, or legacy `aesgcm`). */
  encoding: string
  user_agent: string | null
  expiration_time: number | null
  created_at: number
  updated_at: number
  last_success_at: number | null
  last_failure_at: number | null
  /** Consecutive failed sends since the last success. */
  failure_count: number
  /** The id of the VAPID key the browser subscribed with. */
  vapid_key_id: string | null
  /** 1 when the push service reported a VAPID key mismatch: the browser must subscribe again. */
  needs_resubscribe: number
  /**
   * The push service of the endpoint's host (`fcm`, `mozilla`, `apple`, `wns`, `other`): queue
   * mode sends each service's subscriptions through that service's queue.
   */
  service: Generated<string>
}

/**
 * Optional user/topic tags of a subscription (`user:42`, `news`), used by broadcast filters.
 *
 * @example
 *
 * ```ts
 * import type { SubscriptionTagsTable } from './schema.js'
 * type Tag = SubscriptionTagsTable['tag']
 * ```
 */
export interface SubscriptionTagsTable {
  subscription_id: number
  tag: string
}

/**
 * A broadcast: one message to many subscriptions, sent in the background.
 *
 * @example
 *
 * ```ts
 * import type { BroadcastsTable } from './schema.js'
 * type Status = BroadcastsTable['status']
 * ```
 */
export interface BroadcastsTable {
  id: string
  /** `queued` → `running` → `completed` | `failed`; `interrupted` when the process stopped. */
  status: string
  /** The notification (JSON). */
  message: string
  /** TTL, urgency, topic (JSON). */
  options: string
  /** The tag filter (JSON array) or null for every subscription. */
  tags: string | null
  total: number
  delivered: number
  failed: number
  removed: number
  resubscribe: number
  retried: number
  error: string | null
  created_at: number
  started_at: number | null
  finished_at: number | null
  updated_at: number
}

/**
 * The outcome of one send of a broadcast; only the most recent ones per broadcast are kept.
 *
 * @example
 *
 * ```ts
 * import type { SendOutcomesTable } from './schema.js'
 * type Outcome = SendOutcomesTable['outcome']
 * ```
 */
export interface SendOutcomesTable {
  id: Generated<number>
  broadcast_id: string
  /** 1, 2, 3, … within the broadcast. */
  seq: number
  subscription_id: number | null
  /** `fcm`, `mozilla`, `apple`, `wns` or `other`. */
  service: string
  /** `delivered`, `gone`, `resubscribe`, `failed`, `blocked`. */
  outcome: string
  status_code: number | null
  detail: string | null
  created_at: number
}

/**
 * Queue mode: one chunk of a broadcast, the subscriptions of one push service with ids from
 * `first_id` to `last_id`, sent by one job. Planned once per broadcast, in one transaction, so a
 * re-run of the planning job finds the same chunks.
 *
 * @example
 *
 * ```ts
 * import type { BroadcastChunksTable } from './schema.js'
 * type Status = BroadcastChunksTable['status']
 * ```
 */
export interface BroadcastChunksTable {
  broadcast_id: string
  service: string
  first_id: number
  last_id: number
  /** `pending` → `done`, or `failed` when its job ran out of attempts. */
  status: string
  updated_at: number
}

/**
 * Queue mode: the outcome of one subscription in one broadcast, written in the same transaction
 * as its effects and counters, so a chunk re-run after a worker died skips what was already sent
 * and counts nothing twice. Deleted when the broadcast ends.
 *
 * @example
 *
 * ```ts
 * import type { BroadcastDeliveriesTable } from './schema.js'
 * type Outcome = BroadcastDeliveriesTable['outcome']
 * ```
 */
export interface BroadcastDeliveriesTable {
  broadcast_id: string
  subscription_id: number
  /** `delivered`, `gone`, `resubscribe`, `failed`, `blocked`. */
  outcome: string
}

/**
 * The whole database, for `Kysely<Database>`.
 *
 * @example
 *
 * ```ts
 * import type { Kysely } from 'kysely'
 * import type { Database } from './schema.js'
 * type Db = Kysely<Database>
 * ```
 */
export interface Database {
  subscriptions: SubscriptionsTable
  subscription_tags: SubscriptionTagsTable
  broadcasts: BroadcastsTable
  send_outcomes: SendOutcomesTable
  broadcast_chunks: BroadcastChunksTable
  broadcast_deliveries: BroadcastDeliveriesTable
}
