/**
 * Queue mode, worker side: consumes the planning queue and one send queue per push service with
 * BullMQ, and sends each chunk with the same {@link Sender} as the in-process mode.
 *
 * - Planning (`broadcast-plan`): {@link Store.planBroadcast} cuts the broadcast into chunks once;
 *   the pending chunks are enqueued with deterministic job ids (a re-run adds nothing twice).
 * - Sending (`send-<service>`): a chunk's subscriptions, minus those already recorded for the
 *   broadcast, are sent; results, cleanup and counters are applied per batch in one transaction
 *   ({@link Store.applyBroadcastResults}), exactly once per subscription.
 * - Throttling: a 429 (or 503 with `Retry-After`, RFC 9110 §10.2.3) pauses that service's queue
 *   for every worker (`Queue#rateLimit`) for the time asked; this process's other jobs of the
 *   service stop starting sends, and each unfinished chunk goes back to its queue
 *   (`RateLimitError`, no attempt used) and resumes after the pause with what is still unsent.
 *   Other services' queues keep flowing. A chunk throttled more than `MAX_RETRIES` times counts
 *   its throttled sends as failed, as the in-process mode does.
 * - Crash safety: a job's lock expires when its worker dies (SIGKILL); BullMQ's stalled-job check
 *   hands it to another worker, which skips what was recorded. Duplicates are bounded by the
 *   results of the chunks in flight not yet recorded (at most one batch interval), and carry a
 *   `Topic` derived from the broadcast id so that push services supporting topics replace them.
 * - Shutdown: {@link QueueWorker.close} stops taking jobs and waits for the active ones
 *   (`Worker#close`); after the timeout their sends are aborted and the jobs left to other workers.
 *
 * @module
 */

import type { PushServiceId, Urgency } from '@pushcraft/webpush'
import { Queue, RateLimitError, Worker, type Job } from 'bullmq'
import type { FastifyBaseLogger } from 'fastify'
import type { Redis } from 'ioredis'

import type { QueueConfig, ServerConfig } from '../config.js'
import { StartupError } from '../errors.js'
import { createMetrics, type Metrics } from '../metrics.js'
import { Sender } from '../sender.js'
import type { ChunkRef, Store } from '../store/store.js'
import {
  PLAN_QUEUE,
  PUSH_SERVICES,
  broadcastTopic,
  bullConnection,
  checkRedis,
  chunkJobId,
  jobOptions,
  openRedis,
  planJobId,
  progressChannel,
  sendQueueName,
  type ChunkJobData,
  type PlanJobData,
} from './queues.js'

/** A throttling answer without `Retry-After` pauses the queue this long (ms). */
const DEFAULT_PAUSE = 1000
/** The longest pause honoured (ms); longer `Retry-After` values are cut to it. */
const MAX_PAUSE = 15 * 60_000
/** Progress announcements per broadcast, at most this often (ms) per process. */
const ANNOUNCE_INTERVAL = 200
/** Chunks enqueued per Redis round trip. */
const ENQUEUE_BATCH = 500
/** Failed jobs looked at per queue and reconciliation. */
const RECONCILE_BATCH = 200

/**
 * Options of {@link startWorker}.
 *
 * @example
 *
 * ```ts
 * import type { StartWorkerOptions } from './worker.js'
 * declare const options: StartWorkerOptions
 * ```
 */
export interface StartWorkerOptions {
  /** The configuration; `queue` must be set (`REDIS_URL`). */
  readonly config: ServerConfig
  /** An open, migrated PostgreSQL store. The worker does not close it. */
  readonly store: Store
  readonly log: FastifyBaseLogger
  /** Metrics (default: a private registry). */
  readonly metrics?: Metrics
  /** Test-only TLS trust for push service connections (a local mock push service's CA). */
  readonly pushConnect?: { readonly ca?: string }
  /** The send queues to consume (default: `WORKER_SERVICES`, every push service's). */
  readonly services?: readonly PushServiceId[]
}

/**
 * Counters of one worker process.
 *
 * @example
 *
 * ```ts
 * import type { WorkerStats } from './worker.js'
 * const busy = (s: WorkerStats): boolean => s.active > 0
 * ```
 */
export interface WorkerStats {
  /** Chunks finished by this process. */
  readonly chunks: number
  /** Sends finished by this process (all outcomes). */
  readonly sends: number
  /** Chunks sent back to their queue because their push service throttled. */
  readonly throttled: number
  /** Jobs running now. */
  readonly active: number
}

/**
 * A running worker.
 *
 * @example
 *
 * ```ts
 * import { startWorker } from './worker.js'
 * declare const options: import('./worker.js').StartWorkerOptions
 * const worker = await startWorker(options)
 * await worker.close({ timeoutMs: 10_000 })
 * ```
 */
export interface QueueWorker {
  /** This process's counters. */
  readonly stats: WorkerStats
  /**
   * Stops taking jobs and waits for the active ones; after `timeoutMs` (default
   * `SHUTDOWN_TIMEOUT_MS`) aborts their sends, leaving the jobs to other workers.
   */
  close(options?: { timeoutMs?: number }): Promise<void>
}

interface BroadcastPlan {
  readonly payload: string
  readonly ttl?: number
  readonly urgency?: Urgency
  readonly topic: string
  readonly tags: readonly string[] | null
  readonly since: number
}

function chunkOf(data: ChunkJobData): ChunkRef {
  return {
    broadcastId: data.broadcastId,
    service: data.service,
    firstId: data.firstId,
    lastId: data.lastId,
  }
}

function clampPause(ms: number | undefined): number {
  if (ms === undefined || !Number.isFinite(ms)) return DEFAULT_PAUSE
  return Math.min(MAX_PAUSE, Math.max(100, Math.round(ms)))
}

/**
 * Starts consuming the queues.
 *
 * @param options - Configuration, store, logger.
 * @returns The running worker.
 * @throws {@link StartupError} `ERR_CONFIG_INVALID` without `REDIS_URL`, `ERR_REDIS_UNAVAILABLE`,
 *   or `ERR_VAPID_KEY` when the subscriptions were made with another VAPID key than this process
 *   has (every process must share `VAPID_PRIVATE`).
 * @example
 *
 * ```ts
 * import { startWorker } from './worker.js'
 * declare const options: import('./worker.js').StartWorkerOptions
 * const worker = await startWorker(options)
 * ```
 */
export async function startWorker(options: StartWorkerOptions): Promise<QueueWorker> {
  const { config, store } = options
  const queueConfig = config.queue
  if (queueConfig === undefined) {
    throw new StartupError(
      'ERR_CONFIG_INVALID',
      'invalid configuration:\n  REDIS_URL: the worker needs REDIS_URL (queue mode)',
      {
        issues: [{ variable: 'REDIS_URL', message: 'the worker needs REDIS_URL (queue mode)' }],
      },
    )
  }
  if (store.dialect !== 'postgres') {
    throw new StartupError(
      'ERR_CONFIG_INVALID',
      'invalid configuration:\n  DATABASE_URL: queue mode (REDIS_URL) needs PostgreSQL',
      {
        issues: [{ variable: 'DATABASE_URL', message: 'queue mode (REDIS_URL) needs PostgreSQL' }],
      },
    )
  }
  await checkVapidKey(store, config)
  await checkRedis(queueConfig.redisUrl)
  const worker = new QueueWorkerImpl(options, queueConfig)
  try {
    await worker.start(options.services ?? queueConfig.services)
  } catch (error) {
    await worker.close({ timeoutMs: 0 })
    throw error
  }
  return worker
}

/**
 * A worker with another VAPID key than the one the browsers subscribed with would have every
 * message refused (and mark every subscription for resubscription): refuse to start instead.
 */
async function checkVapidKey(store: Store, config: ServerConfig): Promise<void> {
  const rows = await store.db
    .selectFrom('subscriptions')
    .select('vapid_key_id')
    .distinct()
    .where('vapid_key_id', 'is not', null)
    .limit(20)
    .execute()
  if (rows.length === 0) return
  if (rows.some((r) => r.vapid_key_id === config.vapid.keys.id)) return
  throw new StartupError(
    'ERR_VAPID_KEY',
    `this worker's VAPID key (id ${config.vapid.keys.id}) is not the key the stored subscriptions were made with: give every API and worker process the same VAPID_PRIVATE`,
  )
}

class QueueWorkerImpl implements QueueWorker {
  readonly #config: ServerConfig
  readonly #queue: QueueConfig
  readonly #store: Store
  readonly #log: FastifyBaseLogger
  readonly #sender: Sender
  readonly #workers: Worker[] = []
  readonly #queues = new Map<string, Queue>()
  readonly #publisher: Redis
  /** Per push service: paused until (ms), and the soft stops of this process's running chunks. */
  readonly #pausedUntil = new Map<string, number>()
  readonly #running = new Map<string, Set<AbortController>>()
  readonly #plans = new Map<string, BroadcastPlan>()
  readonly #announced = new Map<string, { last: number; timer?: NodeJS.Timeout | undefined }>()
  readonly #abort = new AbortController()
  #stats = { chunks: 0, sends: 0, throttled: 0, active: 0 }
  #closing: Promise<void> | undefined
  /** Failed jobs already reconciled (their ids), and the reconciliation timer. */
  readonly #reconciled = new Set<string>()
  #reconciler: NodeJS.Timeout | undefined

  constructor(options: StartWorkerOptions, queue: QueueConfig) {
    this.#config = options.config
    this.#queue = queue
    this.#store = options.store
    this.#log = options.log
    this.#sender = new Sender({
      config: options.config,
      store: options.store,
      metrics:
        options.metrics ??
        createMetrics({
          countSubscriptions: () => options.store.countSubscriptions(),
          defaults: false,
        }),
      log: options.log,
      ...(options.pushConnect === undefined ? {} : { connect: options.pushConnect }),
    })
    this.#publisher = openRedis(queue.redisUrl, (error) => {
      this.#log.warn({ err: error }, 'progress publisher: redis error')
    })
  }

  get stats(): WorkerStats {
    return { ...this.#stats }
  }

  async start(services: readonly PushServiceId[]): Promise<void> {
    const connection = bullConnection(this.#queue)
    const onError = (error: Error): void => {
      this.#log.warn({ err: error }, 'queue connection error')
    }
    for (const name of [PLAN_QUEUE, ...PUSH_SERVICES.map(sendQueueName)]) {
      const queue = new Queue(name, {
        connection,
        prefix: this.#queue.prefix,
        defaultJobOptions: jobOptions(this.#queue),
      })
      queue.on('error', onError)
      this.#queues.set(name, queue)
    }
    const common = {
      connection,
      prefix: this.#queue.prefix,
      lockDuration: this.#queue.lockDurationMs,
      stalledInterval: this.#queue.stalledIntervalMs,
      maxStalledCount: this.#queue.maxStalledCount,
    }
    const plan = new Worker<PlanJobData>(PLAN_QUEUE, (job) => this.#plan(job), {
      ...common,
      concurrency: 1,
    })
    this.#watch(plan, (job) => this.#planFailed(job as Job<PlanJobData>))
    for (const service of services) {
      const worker = new Worker<ChunkJobData>(sendQueueName(service), (job) => this.#send(job), {
        ...common,
        concurrency: this.#queue.workerConcurrency,
        // A limiter must be set for Queue#rateLimit to hold jobs back; this one never binds.
        limiter: { max: 1_000_000_000, duration: 1000 },
      })
      this.#watch(worker, (job) => this.#chunkFailed(job as Job<ChunkJobData>))
    }
    await Promise.all(this.#workers.map((w) => w.waitUntilReady()))
    await this.#resume()
    await this.#reconcile()
    const every = Math.max(5000, this.#queue.stalledIntervalMs)
    this.#reconciler = setInterval(() => {
      this.#reconcile().catch((error: unknown) => {
        this.#log.warn({ err: error }, 'reconciling failed jobs failed')
      })
    }, every)
    this.#reconciler.unref()
  }

  /**
   * Records the jobs BullMQ failed for good: a chunk whose job ran out of attempts, or that
   * stalled more than `WORKER_MAX_STALLED` times (BullMQ fails those without a worker event), is
   * marked `failed` so that its broadcast ends instead of waiting for it forever.
   */
  async #reconcile(): Promise<void> {
    for (const [name, queue] of this.#queues) {
      const failed = await queue.getJobs(['failed'], 0, RECONCILE_BATCH - 1)
      for (const job of failed) {
        if (job.id === undefined || this.#reconciled.has(`${name}/${job.id}`)) continue
        this.#reconciled.add(`${name}/${job.id}`)
        if (name === PLAN_QUEUE) await this.#planFailed(job as Job<PlanJobData>)
        else await this.#chunkFailed(job as Job<ChunkJobData>)
      }
    }
    if (this.#reconciled.size > 100_000) this.#reconciled.clear()
  }

  #watch(worker: Worker, onFinalFailure: (job: Job) => Promise<void>): void {
    this.#workers.push(worker)
    worker.on('error', (error) => {
      this.#log.warn({ err: error, queue: worker.name }, 'queue worker error')
    })
    worker.on('stalled', (jobId) => {
      this.#log.warn({ job: jobId, queue: worker.name }, 'recovered a job of a dead worker')
    })
    worker.on('failed', (job, error) => {
      if (job === undefined) return
      const final = job.attemptsMade >= (job.opts.attempts ?? 1)
      this.#log.error(
        { err: error, job: job.id, queue: worker.name, attempt: job.attemptsMade, final },
        'job failed',
      )
      if (final) {
        onFinalFailure(job).catch((failure: unknown) => {
          this.#log.error({ err: failure, job: job.id }, 'recording a failed job failed')
        })
      }
    })
  }

  /** Re-plans unfinished broadcasts: re-enqueues what Redis may have lost (a no-op otherwise). */
  async #resume(): Promise<void> {
    const ids = await this.#store.listUnfinishedBroadcasts()
    if (ids.length === 0) return
    const attempt = `resume-${Date.now().toString(36)}`
    await this.#queueOf(PLAN_QUEUE).addBulk(
      ids.map((broadcastId) => ({
        name: 'plan',
        data: { broadcastId },
        opts: { jobId: planJobId(broadcastId, attempt) },
      })),
    )
    this.#log.info({ broadcasts: ids.length }, 'resuming unfinished broadcasts')
  }

  #queueOf(name: string): Queue {
    const queue = this.#queues.get(name)
    if (queue === undefined) throw new RangeError(`unknown queue "${name}"`)
    return queue
  }

  async #plan(job: Job<PlanJobData>): Promise<{ planned: boolean; chunks: number }> {
    const { broadcastId } = job.data
    const { planned, total } = await this.#store.planBroadcast(broadcastId, {
      chunkSize: this.#queue.chunkSize,
    })
    if (planned) this.#log.info({ broadcast: broadcastId, total }, 'broadcast planned')
    const chunks = await this.#store.listPendingChunks(broadcastId)
    const byService = new Map<string, typeof chunks>()
    for (const chunk of chunks) {
      byService.set(chunk.service, [...(byService.get(chunk.service) ?? []), chunk])
    }
    for (const [service, list] of byService) {
      const queue = this.#queueOf(sendQueueName(service))
      for (let i = 0; i < list.length; i += ENQUEUE_BATCH) {
        await queue.addBulk(
          list.slice(i, i + ENQUEUE_BATCH).map((chunk) => ({
            name: 'chunk',
            data: { ...chunk },
            opts: { jobId: chunkJobId(chunk) },
          })),
        )
      }
    }
    if (chunks.length === 0) await this.#finish(broadcastId)
    this.#announce(broadcastId, true)
    return { planned, chunks: chunks.length }
  }

  async #planFailed(job: Job<PlanJobData>): Promise<void> {
    const broadcast = await this.#store.getBroadcast(job.data.broadcastId)
    if (broadcast?.status !== 'queued') return
    await this.#store.updateBroadcast(broadcast.id, {
      status: 'failed',
      finishedAt: Date.now(),
      error: 'planning failed; see the worker log',
    })
    this.#announce(broadcast.id, true)
  }

  async #chunkFailed(job: Job<ChunkJobData>): Promise<void> {
    const chunk = chunkOf(job.data)
    if (!(await this.#store.finishChunk(chunk, 'failed'))) return
    this.#log.error({ job: job.id, reason: job.failedReason }, 'a chunk failed for good')
    await this.#finish(chunk.broadcastId)
    this.#announce(chunk.broadcastId, true)
  }

  async #finish(broadcastId: string): Promise<void> {
    const ended = await this.#store.finishBroadcastIfDone(broadcastId)
    if (ended === undefined) return
    this.#plans.delete(broadcastId)
    this.#log.info(
      {
        broadcast: broadcastId,
        status: ended.status,
        total: ended.total,
        delivered: ended.delivered,
        failed: ended.failed,
        removed: ended.removed,
        resubscribe: ended.resubscribe,
        ms: (ended.finishedAt ?? Date.now()) - (ended.startedAt ?? ended.createdAt),
      },
      'broadcast finished',
    )
  }

  async #loadPlan(broadcastId: string): Promise<BroadcastPlan | undefined> {
    const cached = this.#plans.get(broadcastId)
    if (cached !== undefined) return cached
    const broadcast = await this.#store.getBroadcast(broadcastId)
    if (broadcast?.status !== 'running') return undefined
    const options = (broadcast.options ?? {}) as {
      ttl?: number | null
      urgency?: Urgency | null
      topic?: string | null
    }
    const plan: BroadcastPlan = {
      payload: JSON.stringify(broadcast.message),
      ...(options.ttl === undefined || options.ttl === null ? {} : { ttl: options.ttl }),
      ...(options.urgency === undefined || options.urgency === null
        ? {}
        : { urgency: options.urgency }),
      topic: options.topic ?? (await broadcastTopic(broadcastId)),
      tags: broadcast.tags,
      since: broadcast.startedAt ?? broadcast.createdAt,
    }
    if (this.#plans.size >= 100) {
      const oldest = this.#plans.keys().next().value
      if (oldest !== undefined) this.#plans.delete(oldest)
    }
    this.#plans.set(broadcastId, plan)
    return plan
  }

  /** Pauses a push service's queue for every worker, and this process's chunks of it. */
  #pause(service: string, retryAfter: number | undefined): number {
    const ms = clampPause(retryAfter)
    const until = Date.now() + ms
    if (until > (this.#pausedUntil.get(service) ?? 0)) {
      this.#pausedUntil.set(service, until)
      this.#log.warn({ service, ms }, 'push service throttles: pausing its queue')
      this.#queueOf(sendQueueName(service))
        .rateLimit(ms)
        .catch((error: unknown) => {
          this.#log.warn({ err: error, service }, 'pausing the queue failed')
        })
    }
    for (const stop of this.#running.get(service) ?? []) stop.abort()
    return ms
  }

  async #send(job: Job<ChunkJobData>): Promise<{ sent: number; skipped?: boolean }> {
    const chunk = chunkOf(job.data)
    const throttled = job.data.throttled ?? 0
    const queue = this.#queueOf(sendQueueName(chunk.service))
    const pausedFor = (this.#pausedUntil.get(chunk.service) ?? 0) - Date.now()
    if (pausedFor > 0) {
      // Fetched just before the pause reached Redis: back to the queue.
      await queue.rateLimit(pausedFor)
      throw new RateLimitError()
    }
    if ((await this.#store.getChunkStatus(chunk)) !== 'pending') return { sent: 0, skipped: true }
    const plan = await this.#loadPlan(chunk.broadcastId)
    if (plan === undefined) return { sent: 0, skipped: true }

    const stop = new AbortController()
    const running = this.#running.get(chunk.service) ?? new Set()
    this.#running.set(chunk.service, running)
    running.add(stop)
    this.#stats.active += 1
    // Set from the sender's callback.
    const state = { throttled: false }
    // After MAX_RETRIES throttled attempts, a throttled send is failed like in-process sends.
    const defer = throttled <= this.#config.maxRetries
    try {
      const report = await this.#sender.deliver(
        this.#store.iterateTargets({
          service: chunk.service,
          fromId: chunk.firstId,
          toId: chunk.lastId,
          tags: plan.tags,
          skipRecordedFor: chunk.broadcastId,
          pageSize: Math.min(1000, this.#queue.chunkSize),
        }),
        {
          payload: plan.payload,
          ...(plan.ttl === undefined ? {} : { ttl: plan.ttl }),
          ...(plan.urgency === undefined ? {} : { urgency: plan.urgency }),
          topic: plan.topic,
          since: plan.since,
          signal: this.#abort.signal,
          stop: stop.signal,
          apply: (batch) => this.#store.applyBroadcastResults(chunk.broadcastId, batch),
          ...(defer
            ? {
                onThrottled: (retryAfter: number | undefined) => {
                  state.throttled = true
                  this.#pause(chunk.service, retryAfter)
                },
              }
            : {}),
          onProgress: (counts) => {
            void job.updateProgress({ sent: counts.completed }).catch(() => undefined)
            this.#announce(chunk.broadcastId, false)
          },
        },
      )
      this.#stats.sends += report.completed
      if (report.aborted) throw new Error('shutting down: the chunk is left to another worker')
      if (report.stopped || report.deferred > 0) {
        // Unsent subscriptions remain: back to the queue until the service's pause ends.
        if (state.throttled) await job.updateData({ ...chunk, throttled: throttled + 1 })
        const wait = Math.max(1, (this.#pausedUntil.get(chunk.service) ?? 0) - Date.now())
        await queue.rateLimit(wait)
        this.#stats.throttled += 1
        throw new RateLimitError()
      }
      await this.#store.finishChunk(chunk, 'done')
      this.#stats.chunks += 1
      await this.#finish(chunk.broadcastId)
      this.#announce(chunk.broadcastId, true)
      return { sent: report.completed }
    } finally {
      running.delete(stop)
      this.#stats.active -= 1
    }
  }

  /** Tells API processes that a broadcast's counters changed (at most every 200 ms). */
  #announce(broadcastId: string, now: boolean): void {
    const state = this.#announced.get(broadcastId) ?? { last: 0 }
    this.#announced.set(broadcastId, state)
    const publish = (): void => {
      state.timer = undefined
      state.last = Date.now()
      this.#publisher
        .publish(progressChannel(this.#queue.prefix), broadcastId)
        .catch((error: unknown) => {
          this.#log.warn({ err: error }, 'announcing progress failed')
        })
      if (this.#announced.size > 1000) {
        for (const [id, s] of this.#announced) if (s.timer === undefined) this.#announced.delete(id)
      }
    }
    if (now) {
      clearTimeout(state.timer)
      publish()
      return
    }
    if (state.timer !== undefined) return
    state.timer = setTimeout(publish, Math.max(0, state.last + ANNOUNCE_INTERVAL - Date.now()))
  }

  close(options: { timeoutMs?: number } = {}): Promise<void> {
    this.#closing ??= this.#close(options.timeoutMs ?? this.#config.shutdownTimeoutMs)
    return this.#closing
  }

  async #close(timeoutMs: number): Promise<void> {
    clearInterval(this.#reconciler)
    let timer: NodeJS.Timeout | undefined
    const graceful = Promise.all(this.#workers.map((w) => w.close()))
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => {
        resolve('timeout')
      }, timeoutMs)
    })
    const result = await Promise.race([graceful, timeout])
    clearTimeout(timer)
    if (result === 'timeout') {
      this.#log.warn({ active: this.#stats.active }, 'shutdown: aborting chunks still in flight')
      this.#abort.abort(new Error('shutting down'))
      await Promise.all(this.#workers.map((w) => w.close(true)))
    }
    for (const state of this.#announced.values()) clearTimeout(state.timer)
    await Promise.allSettled([
      ...[...this.#queues.values()].map((q) => q.close()),
      this.#publisher.quit(),
      this.#sender.close(),
    ])
  }
}
