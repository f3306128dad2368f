/**
 * Queue mode's shared definitions: the BullMQ queues (one planning queue, one send queue per push
 * service so that one service's throttling never slows another), the job payloads and ids, the
 * Redis pub/sub channel that carries progress to the API processes, and the Redis connections.
 *
 * Job ids are deterministic (`plan.<broadcast>`, `<broadcast>.<service>.<first id>`): BullMQ adds a
 * job whose id already exists only once, so planning may run twice without doubling any chunk.
 *
 * @module
 */

import { topicFromKey, type PushServiceId } from '@pushcraft/webpush'
import type { ConnectionOptions, JobsOptions } from 'bullmq'
import { Redis } from 'ioredis'

import type { QueueConfig } from '../config.js'
import { StartupError } from '../errors.js'
import type { ChunkRef } from '../store/store.js'

/**
 * The push services, each with its own send queue (`send-<service>`).
 *
 * @example
 *
 * ```ts
 * import { PUSH_SERVICES } from './queues.js'
 * console.log(PUSH_SERVICES.join(', ')) // fcm, mozilla, apple, wns, other
 * ```
 */
export const PUSH_SERVICES: readonly PushServiceId[] = ['fcm', 'mozilla', 'apple', 'wns', 'other']

/**
 * The queue of planning jobs: one per broadcast, it cuts the broadcast into chunks.
 *
 * @example
 *
 * ```ts
 * import { PLAN_QUEUE } from './queues.js'
 * console.log(PLAN_QUEUE) // 'broadcast-plan'
 * ```
 */
export const PLAN_QUEUE = 'broadcast-plan'

/**
 * The payload of a planning job.
 *
 * @example
 *
 * ```ts
 * import type { PlanJobData } from './queues.js'
 * const data: PlanJobData = { broadcastId: '8d0c…' }
 * ```
 */
export interface PlanJobData {
  readonly broadcastId: string
}

/**
 * The payload of a send job: one chunk, plus how often the chunk was throttled already.
 *
 * @example
 *
 * ```ts
 * import type { ChunkJobData } from './queues.js'
 * const data: ChunkJobData = { broadcastId: 'b', service: 'fcm', firstId: 1, lastId: 250 }
 * ```
 */
export interface ChunkJobData extends ChunkRef {
  /** Attempts of this chunk that a push service throttled (429 / 503 + `Retry-After`). */
  readonly throttled?: number
}

/**
 * The name of a push service's send queue.
 *
 * @param service - The push service.
 * @returns `send-<service>`.
 * @example
 *
 * ```ts
 * import { sendQueueName } from './queues.js'
 * sendQueueName('fcm') // 'send-fcm'
 * ```
 */
export function sendQueueName(service: string): string {
  return `send-${service}`
}

/**
 * The job id of a chunk: the same chunk always gets the same id.
 *
 * @param chunk - The chunk.
 * @returns `<broadcast>.<service>.<first id>` (BullMQ ids must not contain `:`).
 * @example
 *
 * ```ts
 * import { chunkJobId } from './queues.js'
 * chunkJobId({ broadcastId: 'b', service: 'fcm', firstId: 1, lastId: 250 }) // 'b.fcm.1'
 * ```
 */
export function chunkJobId(chunk: ChunkRef): string {
  return `${chunk.broadcastId}.${chunk.service}.${String(chunk.firstId)}`
}

/**
 * The job id of a broadcast's planning job.
 *
 * @param broadcastId - The broadcast.
 * @param attempt - A suffix for a re-planning (a worker resuming unfinished broadcasts).
 * @returns `plan.<broadcast>` (and `.<attempt>`).
 * @example
 *
 * ```ts
 * import { planJobId } from './queues.js'
 * planJobId('b') // 'plan.b'
 * ```
 */
export function planJobId(broadcastId: string, attempt?: string): string {
  return attempt === undefined ? `plan.${broadcastId}` : `plan.${broadcastId}.${attempt}`
}

/**
 * The Redis pub/sub channel on which workers announce that a broadcast's counters changed.
 *
 * @param prefix - `QUEUE_PREFIX`.
 * @returns `<prefix>:broadcast-progress`.
 * @example
 *
 * ```ts
 * import { progressChannel } from './queues.js'
 * progressChannel('pushcraft') // 'pushcraft:broadcast-progress'
 * ```
 */
export function progressChannel(prefix: string): string {
  return `${prefix}:broadcast-progress`
}

/**
 * The `Topic` header (RFC 8030 §5.4) of a broadcast's messages when the admin gave none: derived
 * from the broadcast id, so a message sent twice (a chunk re-run after its worker died) replaces
 * its undelivered copy at push services that support topics.
 *
 * @param broadcastId - The broadcast.
 * @returns A 32-character base64url topic.
 * @example
 *
 * ```ts
 * import { broadcastTopic } from './queues.js'
 * const topic = await broadcastTopic('8d0c…')
 * ```
 */
export function broadcastTopic(broadcastId: string): Promise<string> {
  return topicFromKey(`pushcraft:broadcast:${broadcastId}`)
}

/**
 * BullMQ's connection options for `REDIS_URL` (BullMQ opens and closes its own connections).
 *
 * @param config - The queue configuration.
 * @returns The connection options.
 * @example
 *
 * ```ts
 * import { bullConnection } from './queues.js'
 * declare const config: import('../config.js').QueueConfig
 * const connection = bullConnection(config)
 * ```
 */
export function bullConnection(config: QueueConfig): ConnectionOptions {
  return { url: config.redisUrl }
}

/**
 * The options of every send job: retries with backoff for errors (the database is down), and
 * bounded history in Redis.
 *
 * @param config - The queue configuration.
 * @returns BullMQ job options.
 * @example
 *
 * ```ts
 * import { jobOptions } from './queues.js'
 * declare const config: import('../config.js').QueueConfig
 * const options = jobOptions(config)
 * ```
 */
export function jobOptions(config: QueueConfig): JobsOptions {
  return {
    attempts: config.attempts,
    backoff: { type: 'exponential', delay: 1000 },
    removeOnComplete: { age: 3600, count: 10_000 },
    removeOnFail: { age: 7 * 86_400 },
  }
}

/**
 * Names a Redis server for messages without its password: `redis://host:port/db`.
 *
 * @param url - `REDIS_URL`.
 * @returns The printable name.
 * @example
 *
 * ```ts
 * import { redactedRedisName } from './queues.js'
 * redactedRedisName('redis://:secret@cache:6379/2') // 'redis://cache:6379/2'
 * ```
 */
export function redactedRedisName(url: string): string {
  try {
    const parsed = new URL(url)
    return `${parsed.protocol}//${parsed.hostname}${parsed.port === '' ? '' : `:${parsed.port}`}${parsed.pathname === '/' ? '' : parsed.pathname}`
  } catch {
    return 'redis://(unparsable)'
  }
}

/**
 * Opens a Redis connection of our own (pub/sub), reporting errors to `onError` instead of
 * crashing; it reconnects by itself.
 *
 * @param url - `REDIS_URL`.
 * @param onError - Receives connection errors.
 * @returns The client (connecting).
 * @example
 *
 * ```ts
 * import { openRedis } from './queues.js'
 * const redis = openRedis('redis://127.0.0.1:6379', () => undefined)
 * await redis.quit()
 * ```
 */
export function openRedis(url: string, onError: (error: Error) => void): Redis {
  const client = new Redis(url, { maxRetriesPerRequest: null })
  client.on('error', onError)
  return client
}

/**
 * Checks at start-up that Redis answers, failing fast with a precise message.
 *
 * @param url - `REDIS_URL`.
 * @param timeoutMs - How long to try (default 5000).
 * @throws {@link StartupError} `ERR_REDIS_UNAVAILABLE` (the message names the host, never the
 *   password).
 * @example
 *
 * ```ts
 * import { checkRedis } from './queues.js'
 * await checkRedis('redis://127.0.0.1:6379')
 * ```
 */
export async function checkRedis(url: string, timeoutMs = 5000): Promise<void> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  })
  let lastError: unknown
  client.on('error', (error: unknown) => {
    lastError = error
  })
  try {
    await client.connect()
    await client.ping()
  } catch (cause) {
    const reason = lastError ?? cause
    throw new StartupError(
      'ERR_REDIS_UNAVAILABLE',
      `REDIS_URL: cannot reach ${redactedRedisName(url)}: ${reason instanceof Error ? reason.message : 'no answer'}`,
      { cause },
    )
  } finally {
    client.disconnect()
  }
}
