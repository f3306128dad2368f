/**
 * Queue mode, API side: a broadcast is stored (`queued`) and one planning job is enqueued; the
 * worker processes do the rest. Progress comes back over Redis pub/sub: a worker announces that a
 * broadcast's counters changed in PostgreSQL, and this process reads them once (coalesced, at most
 * every 200 ms per broadcast) for its Server-Sent-Events listeners. A slow poll covers announcements
 * lost while Redis reconnects.
 *
 * @module
 */

import { Queue } from 'bullmq'
import type { FastifyBaseLogger } from 'fastify'
import type { Redis } from 'ioredis'

import {
  storeBroadcast,
  type BroadcastInput,
  type BroadcastRunner,
  type ProgressListener,
} from '../broadcasts.js'
import type { QueueConfig } from '../config.js'
import type { BroadcastRecord, Store } from '../store/store.js'
import {
  PLAN_QUEUE,
  PUSH_SERVICES,
  bullConnection,
  checkRedis,
  jobOptions,
  openRedis,
  planJobId,
  progressChannel,
  sendQueueName,
} from './queues.js'

/** Reads of one broadcast for listeners happen at most this often (ms). */
const REFRESH_INTERVAL = 200
/** Listened broadcasts are also re-read this often (ms), in case an announcement was lost. */
const POLL_INTERVAL = 2000

/**
 * The job counts of one queue (BullMQ states).
 *
 * @example
 *
 * ```ts
 * import type { QueueJobCounts } from './producer.js'
 * const idle = (c: QueueJobCounts): boolean => c.waiting + c.active + c.delayed === 0
 * ```
 */
export interface QueueJobCounts {
  readonly [state: string]: number
  readonly waiting: number
  readonly active: number
  readonly delayed: number
  readonly prioritized: number
  readonly 'waiting-children': number
  readonly failed: number
  readonly completed: number
}

/**
 * Options of {@link QueueBroadcasts.open}.
 *
 * @example
 *
 * ```ts
 * import type { QueueBroadcastsOptions } from './producer.js'
 * declare const options: QueueBroadcastsOptions
 * ```
 */
export interface QueueBroadcastsOptions {
  readonly queue: QueueConfig
  readonly store: Store
  readonly log: FastifyBaseLogger
}

/**
 * The broadcast runner of an API process in queue mode.
 *
 * @example
 *
 * ```ts
 * import { QueueBroadcasts } from './producer.js'
 * declare const options: import('./producer.js').QueueBroadcastsOptions
 * const runner = await QueueBroadcasts.open(options)
 * const broadcast = await runner.start({ message: { title: 'Hi' }, tags: null })
 * await runner.drain(0)
 * ```
 */
export class QueueBroadcasts implements BroadcastRunner {
  readonly #config: QueueConfig
  readonly #store: Store
  readonly #log: FastifyBaseLogger
  readonly #plan: Queue
  readonly #sendQueues: ReadonlyMap<string, Queue>
  readonly #subscriber: Redis
  readonly #listeners = new Map<string, Set<ProgressListener>>()
  readonly #refreshing = new Map<string, { timer?: NodeJS.Timeout | undefined; last: number }>()
  #poll: NodeJS.Timeout | undefined
  #closed = false

  private constructor(options: QueueBroadcastsOptions, subscriber: Redis) {
    this.#config = options.queue
    this.#store = options.store
    this.#log = options.log
    const connection = bullConnection(this.#config)
    const onError = (error: Error): void => {
      this.#log.warn({ err: error }, 'queue connection error')
    }
    this.#plan = new Queue(PLAN_QUEUE, {
      connection,
      prefix: this.#config.prefix,
      defaultJobOptions: jobOptions(this.#config),
    })
    this.#plan.on('error', onError)
    const sendQueues = new Map<string, Queue>()
    for (const service of PUSH_SERVICES) {
      const queue = new Queue(sendQueueName(service), { connection, prefix: this.#config.prefix })
      queue.on('error', onError)
      sendQueues.set(service, queue)
    }
    this.#sendQueues = sendQueues
    this.#subscriber = subscriber
    subscriber.on('message', (_channel: string, id: string) => {
      if (this.#listeners.has(id)) this.#refresh(id)
    })
  }

  /**
   * Checks that Redis answers, then opens the queues and the progress subscription.
   *
   * @param options - Queue configuration, store, logger.
   * @returns The runner.
   * @throws {@link StartupError} `ERR_REDIS_UNAVAILABLE`.
   */
  static async open(options: QueueBroadcastsOptions): Promise<QueueBroadcasts> {
    await checkRedis(options.queue.redisUrl)
    const subscriber = openRedis(options.queue.redisUrl, (error) => {
      options.log.warn({ err: error }, 'progress subscription: redis error')
    })
    await subscriber.subscribe(progressChannel(options.queue.prefix))
    return new QueueBroadcasts(options, subscriber)
  }

  /** Always 0: worker processes send. */
  get inFlight(): number {
    return 0
  }

  /**
   * Stores the broadcast (`queued`) and enqueues its planning job.
   *
   * @param input - The message, headers and tag filter.
   * @returns The stored broadcast.
   * @throws `Error` when shutting down, or when the job cannot be enqueued (the broadcast is then
   *   marked `failed`).
   */
  async start(input: BroadcastInput): Promise<BroadcastRecord> {
    if (this.#closed) throw new Error('shutting down')
    const broadcast = await storeBroadcast(this.#store, input)
    try {
      await this.#plan.add(
        'plan',
        { broadcastId: broadcast.id },
        { jobId: planJobId(broadcast.id), attempts: this.#config.attempts },
      )
    } catch (error) {
      await this.#store
        .updateBroadcast(broadcast.id, {
          status: 'failed',
          finishedAt: Date.now(),
          error: 'the queue is unavailable',
        })
        .catch(() => undefined)
      throw error
    }
    return broadcast
  }

  /**
   * Subscribes to a broadcast's progress (from any worker).
   *
   * @param id - The broadcast id.
   * @param listener - Called with the broadcast as counters change, and once with `done`.
   * @returns A function that unsubscribes.
   */
  listen(id: string, listener: ProgressListener): () => void {
    const set = this.#listeners.get(id) ?? new Set()
    set.add(listener)
    this.#listeners.set(id, set)
    this.#poll ??= setInterval(() => {
      for (const listened of this.#listeners.keys()) this.#refresh(listened)
    }, POLL_INTERVAL)
    return () => {
      set.delete(listener)
      if (set.size > 0) return
      this.#listeners.delete(id)
      const state = this.#refreshing.get(id)
      clearTimeout(state?.timer)
      this.#refreshing.delete(id)
      if (this.#listeners.size === 0) {
        clearInterval(this.#poll)
        this.#poll = undefined
      }
    }
  }

  /**
   * Always `false`: this process sends nothing (the stored status tells whether it runs).
   *
   * @returns `false`.
   */
  isRunning(): boolean {
    return false
  }

  /**
   * The job counts of the planning queue and of each push service's send queue.
   *
   * @returns Counts by queue name.
   */
  async jobCounts(): Promise<Record<string, QueueJobCounts>> {
    const out: Record<string, QueueJobCounts> = {}
    for (const queue of [this.#plan, ...this.#sendQueues.values()]) {
      const counts = await queue.getJobCounts(
        'waiting',
        'active',
        'delayed',
        'prioritized',
        'waiting-children',
        'failed',
        'completed',
      )
      out[queue.name] = {
        waiting: counts.waiting ?? 0,
        active: counts.active ?? 0,
        delayed: counts.delayed ?? 0,
        prioritized: counts.prioritized ?? 0,
        'waiting-children': counts['waiting-children'] ?? 0,
        failed: counts.failed ?? 0,
        completed: counts.completed ?? 0,
      }
    }
    return out
  }

  /** Closes the queues and the subscription (nothing is in flight in this process). */
  async drain(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    clearInterval(this.#poll)
    for (const state of this.#refreshing.values()) clearTimeout(state.timer)
    this.#refreshing.clear()
    await Promise.allSettled([
      this.#plan.close(),
      ...[...this.#sendQueues.values()].map((q) => q.close()),
      this.#subscriber.quit(),
    ])
  }

  /** Reads the broadcast for its listeners, at most every REFRESH_INTERVAL (trailing). */
  #refresh(id: string): void {
    const state = this.#refreshing.get(id) ?? { last: 0 }
    this.#refreshing.set(id, state)
    if (state.timer !== undefined) return
    const wait = Math.max(0, state.last + REFRESH_INTERVAL - Date.now())
    state.timer = setTimeout(() => {
      state.timer = undefined
      state.last = Date.now()
      this.#store.getBroadcast(id).then(
        (broadcast) => {
          if (broadcast === undefined) return
          const done = broadcast.status !== 'queued' && broadcast.status !== 'running'
          for (const listener of this.#listeners.get(id) ?? []) {
            try {
              listener(broadcast, done)
            } catch (error) {
              this.#log.warn({ err: error }, 'progress listener failed')
            }
          }
        },
        (error: unknown) => {
          this.#log.warn({ err: error }, 'reading broadcast progress failed')
        },
      )
    }, wait)
  }
}
