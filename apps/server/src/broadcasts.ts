/**
 * Broadcasts: stored with status `queued`, answered with their id at once, sent in the background
 * by {@link Sender.deliver}, with counters written in batches and progress pushed to listeners
 * (the Server-Sent-Events route). On shutdown, broadcasts in flight are drained up to a timeout,
 * then aborted and marked `interrupted`.
 *
 * @module
 */

import { randomUUID } from 'node:crypto'

import type { Urgency } from '@pushcraft/webpush'
import type { FastifyBaseLogger } from 'fastify'

import type { Metrics } from './metrics.js'
import { OutcomeLog } from './outcome-log.js'
import type { DeliveryCounts, Sender } from './sender.js'
import type { BroadcastRecord, Store } from './store/store.js'

/**
 * What a broadcast sends.
 *
 * @example
 *
 * ```ts
 * import type { BroadcastInput } from './broadcasts.js'
 * const input: BroadcastInput = { message: { title: 'Hi' }, ttl: 60, tags: null }
 * ```
 */
export interface BroadcastInput {
  /** The notification object, sent as JSON. */
  readonly message: unknown
  readonly ttl?: number
  readonly urgency?: Urgency
  readonly topic?: string
  /** Any-of tag filter, or `null` for every subscription. */
  readonly tags: readonly string[] | null
}

/**
 * A progress listener: receives the broadcast after each batch and once more when it ended.
 *
 * @example
 *
 * ```ts
 * import type { ProgressListener } from './broadcasts.js'
 * const listener: ProgressListener = (b, done) => console.log(b.delivered, done)
 * ```
 */
export type ProgressListener = (broadcast: BroadcastRecord, done: boolean) => void

/**
 * What the routes need of a broadcast runner: in-process ({@link BroadcastManager}) or queue mode
 * (`QueueBroadcasts`, where worker processes send).
 *
 * @example
 *
 * ```ts
 * import type { BroadcastRunner } from './broadcasts.js'
 * const start = (runner: BroadcastRunner) => runner.start({ message: { title: 'Hi' }, tags: null })
 * ```
 */
export interface BroadcastRunner {
  /** Broadcasts this process is sending now. */
  readonly inFlight: number
  /** Stores a broadcast and has it sent in the background; answers with it at once. */
  start(input: BroadcastInput): Promise<BroadcastRecord>
  /** Subscribes to a broadcast's progress; returns the unsubscribe function. */
  listen(id: string, listener: ProgressListener): () => void
  /** Whether this process is sending the broadcast now. */
  isRunning(id: string): boolean
  /** Stops starting broadcasts and lets those in flight end, up to `timeoutMs`. */
  drain(timeoutMs: number): Promise<void>
}

/**
 * Stores a new broadcast (`queued`, with the number of subscriptions its tag filter matches now):
 * the first step of both runners.
 *
 * @example
 *
 * ```ts
 * import { storeBroadcast } from './broadcasts.js'
 * declare const store: Parameters<typeof storeBroadcast>[0]
 * const broadcast = await storeBroadcast(store, { message: { title: 'Hi' }, tags: null })
 * ```
 */
export async function storeBroadcast(
  store: Store,
  input: BroadcastInput,
): Promise<BroadcastRecord> {
  const total = await store.countTargets(input.tags)
  return store.createBroadcast({
    id: randomUUID(),
    message: input.message,
    options: {
      ttl: input.ttl ?? null,
      urgency: input.urgency ?? null,
      topic: input.topic ?? null,
    },
    tags: input.tags,
    total,
  })
}

/** Progress events are pushed at most this often (ms), plus the final one. */
const PROGRESS_INTERVAL = 200
/**
 * The outcomes recorded since the last write (at most `OUTCOMES_PER_BROADCAST`, from the in-memory
 * ring) are written at most this often (ms), riding on the progress cadence, plus at the end: a
 * large broadcast writes a few thousand rows, not one per send, and the progress API still shows
 * recent outcomes while it runs.
 */
const OUTCOME_WRITE_INTERVAL = 5000

interface Running {
  readonly promise: Promise<void>
  readonly controller: AbortController
}

/**
 * Runs broadcasts in the background and tells listeners how they progress.
 *
 * @example
 *
 * ```ts
 * import { BroadcastManager } from './broadcasts.js'
 * declare const options: ConstructorParameters<typeof BroadcastManager>[0]
 * const manager = new BroadcastManager(options)
 * const broadcast = await manager.start({ message: { title: 'Hi' }, tags: null })
 * ```
 */
export class BroadcastManager implements BroadcastRunner {
  readonly #store: Store
  readonly #sender: Sender
  readonly #metrics: Metrics
  readonly #log: FastifyBaseLogger
  readonly #outcomesPerBroadcast: number
  readonly #running = new Map<string, Running>()
  readonly #listeners = new Map<string, Set<ProgressListener>>()
  #closed = false

  /** @param options - Store, sender, metrics, logger and the outcome log bound. */
  constructor(options: {
    store: Store
    sender: Sender
    metrics: Metrics
    log: FastifyBaseLogger
    outcomesPerBroadcast: number
  }) {
    this.#store = options.store
    this.#sender = options.sender
    this.#metrics = options.metrics
    this.#log = options.log
    this.#outcomesPerBroadcast = options.outcomesPerBroadcast
  }

  /** The number of broadcasts being sent now. */
  get inFlight(): number {
    return this.#running.size
  }

  /**
   * Stores a broadcast and starts sending it in the background.
   *
   * @param input - The message, headers and tag filter.
   * @returns The stored broadcast (status `queued`).
   * @throws `Error` when the manager is shutting down.
   */
  async start(input: BroadcastInput): Promise<BroadcastRecord> {
    if (this.#closed) throw new Error('shutting down')
    const broadcast = await storeBroadcast(this.#store, input)
    const controller = new AbortController()
    const promise = this.#run(broadcast, input, controller.signal)
    this.#running.set(broadcast.id, { promise, controller })
    this.#metrics.broadcastsInFlight.set(this.#running.size)
    void promise.finally(() => {
      this.#running.delete(broadcast.id)
      this.#metrics.broadcastsInFlight.set(this.#running.size)
    })
    return broadcast
  }

  /**
   * Subscribes to a broadcast's progress.
   *
   * @param id - The broadcast id.
   * @param listener - Called after each batch and at the end.
   * @returns A function that unsubscribes.
   */
  listen(id: string, listener: ProgressListener): () => void {
    const set = this.#listeners.get(id) ?? new Set()
    set.add(listener)
    this.#listeners.set(id, set)
    return () => {
      set.delete(listener)
      if (set.size === 0) this.#listeners.delete(id)
    }
  }

  /**
   * Whether a broadcast is being sent by this process.
   *
   * @param id - The broadcast id.
   * @returns `true` while it runs.
   */
  isRunning(id: string): boolean {
    return this.#running.has(id)
  }

  /**
   * Waits for every broadcast in flight; after `timeoutMs`, aborts them (they are marked
   * `interrupted` with the results so far applied). No new broadcast starts afterwards.
   *
   * @param timeoutMs - How long to let them finish.
   */
  async drain(timeoutMs: number): Promise<void> {
    this.#closed = true
    const all = [...this.#running.values()]
    if (all.length === 0) return
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => {
        resolve('timeout')
      }, timeoutMs)
    })
    const result = await Promise.race([Promise.allSettled(all.map((r) => r.promise)), timeout])
    clearTimeout(timer)
    if (result === 'timeout') {
      this.#log.warn({ broadcasts: all.length }, 'shutdown: aborting broadcasts still in flight')
      for (const r of all) r.controller.abort(new Error('shutting down'))
      await Promise.allSettled(all.map((r) => r.promise))
    }
  }

  #emit(broadcast: BroadcastRecord, done: boolean): void {
    for (const listener of this.#listeners.get(broadcast.id) ?? []) {
      try {
        listener(broadcast, done)
      } catch (error) {
        this.#log.warn({ err: error }, 'progress listener failed')
      }
    }
  }

  async #run(
    broadcast: BroadcastRecord,
    input: BroadcastInput,
    signal: AbortSignal,
  ): Promise<void> {
    // Let the route answer 202 before the first send.
    await new Promise((resolve) => setImmediate(resolve))
    const startedAt = Date.now()
    let lastEmit = 0
    const keep = this.#outcomesPerBroadcast
    const log = keep > 0 ? new OutcomeLog(keep) : undefined
    let lastOutcomeWrite = Date.now()
    const writeOutcomes = async (): Promise<void> => {
      lastOutcomeWrite = Date.now()
      const fresh = log?.takeUnwritten() ?? []
      if (fresh.length > 0) await this.#store.appendOutcomes(broadcast.id, fresh, keep)
    }
    // Counter writes are chained so an older one never lands after a newer one.
    let writing: Promise<void> = Promise.resolve()
    let current: BroadcastRecord = { ...broadcast, status: 'running', startedAt }
    const update = (counts: DeliveryCounts): void => {
      current = {
        ...current,
        delivered: counts.delivered,
        failed: counts.failed,
        removed: counts.removed,
        resubscribe: counts.resubscribe,
        retried: counts.retried,
      }
    }
    try {
      await this.#store.updateBroadcast(broadcast.id, { status: 'running', startedAt })
      this.#emit(current, false)
      const report = await this.#sender.deliver(this.#store.iterateTargets({ tags: input.tags }), {
        payload: JSON.stringify(input.message),
        ...(input.ttl === undefined ? {} : { ttl: input.ttl }),
        ...(input.urgency === undefined ? {} : { urgency: input.urgency }),
        ...(input.topic === undefined ? {} : { topic: input.topic }),
        since: startedAt,
        signal,
        ...(log === undefined ? {} : { outcomes: log }),
        onProgress: (counts) => {
          update(counts)
          const now = Date.now()
          if (now - lastEmit < PROGRESS_INTERVAL) return
          lastEmit = now
          // Counter writes ride on the batch cadence; a failed write is retried by the next one.
          const snapshot = countsOf(current)
          const outcomesDue = now - lastOutcomeWrite >= OUTCOME_WRITE_INTERVAL
          writing = writing
            .then(() => this.#store.updateBroadcast(broadcast.id, snapshot))
            .catch((error: unknown) => {
              this.#log.warn({ err: error }, 'updating broadcast counters failed')
            })
          if (outcomesDue) {
            lastOutcomeWrite = now
            writing = writing.then(writeOutcomes).catch((error: unknown) => {
              this.#log.warn({ err: error }, 'recording send outcomes failed')
            })
          }
          this.#emit(current, false)
        },
      })
      update(report)
      await writing
      await writeOutcomes().catch((error: unknown) => {
        this.#log.warn({ err: error }, 'recording send outcomes failed')
      })
      const finishedAt = Date.now()
      // The target count was taken at creation; subscriptions added or removed meanwhile change it.
      const total = report.delivered + report.failed + report.removed + report.resubscribe
      current = {
        ...current,
        total,
        status: report.aborted ? 'interrupted' : 'completed',
        finishedAt,
        error: report.aborted ? 'shutting down' : null,
      }
      await this.#store.updateBroadcast(broadcast.id, {
        ...countsOf(current),
        status: current.status,
        finishedAt,
        error: current.error,
      })
      this.#log.info(
        {
          broadcast: broadcast.id,
          total,
          delivered: report.delivered,
          failed: report.failed,
          removed: report.removed,
          resubscribe: report.resubscribe,
          ms: finishedAt - startedAt,
        },
        'broadcast finished',
      )
    } catch (error) {
      this.#log.error({ err: error, broadcast: broadcast.id }, 'broadcast failed')
      current = {
        ...current,
        status: 'failed',
        finishedAt: Date.now(),
        error: 'internal error (see the server log)',
      }
      await this.#store
        .updateBroadcast(broadcast.id, {
          ...countsOf(current),
          status: 'failed',
          finishedAt: current.finishedAt ?? Date.now(),
          error: current.error,
        })
        .catch(() => undefined)
    } finally {
      this.#emit(current, true)
    }
  }
}

function countsOf(b: BroadcastRecord): {
  total: number
  delivered: number
  failed: number
  removed: number
  resubscribe: number
  retried: number
} {
  return {
    total: b.total,
    delivered: b.delivered,
    failed: b.failed,
    removed: b.removed,
    resubscribe: b.resubscribe,
    retried: b.retried,
  }
}
