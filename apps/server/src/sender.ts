/**
 * Delivery: sends one message to a stream of stored subscriptions with `@pushcraft/webpush`'s
 * `sendMany` (bounded concurrency, backpressure), re-checks every endpoint against the SSRF guard
 * at send time (scheme and host allow-list per message, with the verdict computed once per origin
 * and delivery; public addresses per connection through the guarded DNS lookup of the
 * dispatcher), retries rate-limited sends after `Retry-After`, and applies the cleanup rules to
 * the store in batches:
 *
 * - 2xx: delivered (`last_success_at`, `failure_count` reset);
 * - 404/410 (RFC 8030 §7.3): the subscription is gone and deleted;
 * - VAPID key mismatch: kept and marked `needs_resubscribe`;
 * - 429 after the retries, 5xx, network failures, our own misconfiguration: kept, counted;
 * - refused by the SSRF guard: kept, nothing sent.
 *
 * A subscription is never deleted because of our own outage: only the push service's explicit
 * answer deletes.
 *
 * The per-message path is kept lean for large broadcasts: the stored rows go to the library as
 * they are (no copies), the message options are built once per delivery, the send timeout shares
 * timers between sends ({@link SendDeadlines}), metrics use pre-bound label children, and outcomes
 * go to an in-memory ring ({@link OutcomeRecorder}) instead of the database.
 *
 * Queue mode uses the same code per chunk, with three hooks: results are applied through the
 * broadcast's exactly-once recorder (`apply`), a throttling answer (429, or 503 with
 * `Retry-After`) is not waited out inline but reported (`onThrottled`) so the worker pauses that
 * push service's queue, and a soft `stop` lets sends in flight finish while starting no new one.
 *
 * @module
 */

import {
  PushClient,
  PushServiceError,
  WebPushError,
  identifyPushService,
  sendMany,
  type PushClientConnectOptions,
  type PushResult,
  type Urgency,
} from '@pushcraft/webpush'
import type { FastifyBaseLogger } from 'fastify'

import type { ServerConfig } from './config.js'
import { SendDeadlines } from './deadlines.js'
import { SendMetrics, type Metrics, type SendOutcomeLabel } from './metrics.js'
import type { OutcomeRecorder } from './outcome-log.js'
import { EndpointRejectedError, EndpointVerdicts, createGuardedLookup } from './ssrf.js'
import { VapidTokenCache } from './vapid.js'
import type { ResultBatch, SendTarget, Store } from './store/store.js'

/** Results applied to the store per transaction, at most. */
const FLUSH_SIZE = 500
/** …or at least this often (ms) while results arrive. */
const FLUSH_INTERVAL = 250
/** The longest `Retry-After` honoured inside a send; longer ones end the retries. */
const MAX_RETRY_DELAY = 60_000

/**
 * What happened to one send.
 *
 * @example
 *
 * ```ts
 * import type { Verdict } from './sender.js'
 * const v: Verdict = 'gone'
 * ```
 */
export type Verdict = 'delivered' | 'gone' | 'resubscribe' | 'failed' | 'blocked'

/**
 * The counters of a delivery.
 *
 * @example
 *
 * ```ts
 * import type { DeliveryCounts } from './sender.js'
 * const done = (c: DeliveryCounts): number => c.delivered + c.failed + c.removed + c.resubscribe
 * ```
 */
export interface DeliveryCounts {
  /** Sends finished. */
  readonly completed: number
  readonly delivered: number
  /** Kept and counted (includes `blocked`). */
  readonly failed: number
  /** Gone (404/410) and deleted. */
  readonly removed: number
  /** VAPID key mismatch: marked for resubscription. */
  readonly resubscribe: number
  /** Rate-limited attempts that were retried. */
  readonly retried: number
  /** Refused by the SSRF guard at send time. */
  readonly blocked: number
  /** Throttled and left for a later attempt (queue mode, `onThrottled`). */
  readonly deferred: number
}

/**
 * The result of {@link Sender.deliver}.
 *
 * @example
 *
 * ```ts
 * import type { DeliveryReport } from './sender.js'
 * const removed = (r: DeliveryReport): readonly string[] => r.removedEndpoints
 * ```
 */
export interface DeliveryReport extends DeliveryCounts {
  /** Endpoints deleted (only with `collectRemovedEndpoints`). */
  readonly removedEndpoints: readonly string[]
  /** Whether the delivery stopped early (shutdown). */
  readonly aborted: boolean
  /** Whether the `stop` signal ended it before every target was sent. */
  readonly stopped: boolean
}

/**
 * Options of {@link Sender.deliver}.
 *
 * @example
 *
 * ```ts
 * import type { DeliveryOptions } from './sender.js'
 * const options: DeliveryOptions = { payload: '{"title":"hi"}', since: Date.now() }
 * ```
 */
export interface DeliveryOptions {
  /** The message (JSON text). */
  readonly payload: string
  /** RFC 8030 §5.2 TTL in seconds (default 4 weeks, the library's default). */
  readonly ttl?: number
  /** RFC 8030 §5.3. */
  readonly urgency?: Urgency
  /** RFC 8030 §5.4. */
  readonly topic?: string
  /** When the delivery started: subscriptions renewed after it are never deleted by it. */
  readonly since: number
  /** Collect the endpoints deleted (the send-test answer lists them). */
  readonly collectRemovedEndpoints?: boolean
  /** Stops the delivery (shutdown): sends in flight are aborted, results so far are applied. */
  readonly signal?: AbortSignal
  /** Called after each batch is applied, with the running counts. */
  readonly onProgress?: (counts: DeliveryCounts) => void
  /** Receives every send's outcome as it arrives (the broadcast's bounded in-memory log). */
  readonly outcomes?: OutcomeRecorder
  /**
   * Applies a batch of results (default: `Store#applyResults`). Queue mode passes the broadcast's
   * exactly-once recorder. Returns the ids deleted.
   */
  readonly apply?: (batch: ResultBatch) => Promise<number[]>
  /**
   * Queue mode: a throttling answer (429, or 503 with `Retry-After`, RFC 9110 §10.2.3) is not
   * retried inline; the target is left unsent (`deferred`) and this is called with the
   * `Retry-After` in milliseconds, when there was one.
   */
  readonly onThrottled?: (retryAfter: number | undefined) => void
  /** A soft stop: no new send starts once it aborts; sends in flight finish and are applied. */
  readonly stop?: AbortSignal
}

/**
 * Whether an error is a push service asking us to slow down: 429 (and what webpush classifies as
 * rate limiting: WNS 406, Apple `TooManyRequests`), or 503 with `Retry-After` (RFC 9110 §15.6.4).
 *
 * @param error - What a send threw.
 * @returns The `Retry-After` in milliseconds (or `null` when the answer had none), or `undefined`
 *   when the error is not throttling.
 * @example
 *
 * ```ts
 * import { throttleDelay } from './sender.js'
 * throttleDelay(new Error('boom')) // undefined
 * ```
 */
export function throttleDelay(error: unknown): number | null | undefined {
  if (!(error instanceof PushServiceError)) return undefined
  if (error.kind === 'rateLimited') return error.retryAfter ?? null
  if (error.statusCode === 503 && error.retryAfter !== undefined) return error.retryAfter
  return undefined
}

/**
 * Classifies a failed send.
 *
 * @param error - What the send threw.
 * @returns The verdict, the HTTP status when there was one, and a short detail (no secrets, no
 *   endpoint path).
 * @example
 *
 * ```ts
 * import { classifySendError } from './sender.js'
 * classifySendError(new Error('boom')).verdict // 'failed'
 * ```
 */
export function classifySendError(error: unknown): {
  verdict: Exclude<Verdict, 'delivered'>
  statusCode: number | null
  detail: string
} {
  if (findRejection(error) !== undefined) {
    return {
      verdict: 'blocked',
      statusCode: null,
      detail: findRejection(error)?.message ?? 'blocked',
    }
  }
  if (error instanceof PushServiceError) {
    const detail = `${error.kind}${error.reason === undefined ? '' : `: ${error.reason}`}`.slice(
      0,
      300,
    )
    if (error.kind === 'gone') return { verdict: 'gone', statusCode: error.statusCode, detail }
    if (error.kind === 'vapidKeyMismatch')
      return { verdict: 'resubscribe', statusCode: error.statusCode, detail }
    return { verdict: 'failed', statusCode: error.statusCode, detail }
  }
  if (error instanceof WebPushError) {
    return {
      verdict: 'failed',
      statusCode: null,
      detail: `${error.code}${error.reason === undefined ? '' : ` (${error.reason})`}`,
    }
  }
  return {
    verdict: 'failed',
    statusCode: null,
    detail: error instanceof Error ? error.name : 'error',
  }
}

function findRejection(error: unknown): EndpointRejectedError | undefined {
  let current: unknown = error
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth++) {
    if (current instanceof EndpointRejectedError) return current
    if (current instanceof AggregateError) {
      const inner = current.errors.map(findRejection).find((e) => e !== undefined)
      if (inner !== undefined) return inner
    }
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}

const OUTCOME_LABELS: Readonly<Record<string, SendOutcomeLabel>> = {
  success: 'delivered',
  gone: 'gone',
  vapidKeyMismatch: 'resubscribe',
  rateLimited: 'rate_limited',
}

type SendOptions = NonNullable<Parameters<PushClient['send']>[2]>

/** What every send of one delivery shares: built once, not per message. */
class DeliveryContext {
  readonly verdicts: EndpointVerdicts
  readonly retryRateLimited: boolean
  readonly onRetry: () => void
  readonly #timeoutMs: number
  readonly #base: Omit<SendOptions, 'signal' | 'contentEncoding'>
  #deadlines: SendDeadlines | undefined
  #signal: AbortSignal | undefined
  #aes128gcm: SendOptions | undefined
  #aesgcm: SendOptions | undefined

  constructor(options: { config: ServerConfig; delivery: DeliveryOptions; onRetry: () => void }) {
    const { config, delivery } = options
    this.verdicts = new EndpointVerdicts(config.endpointPolicy)
    this.retryRateLimited = delivery.onThrottled === undefined
    this.onRetry = options.onRetry
    this.#timeoutMs = config.sendTimeoutMs
    this.#base = {
      ...(delivery.ttl === undefined ? {} : { ttl: delivery.ttl }),
      ...(delivery.urgency === undefined ? {} : { urgency: delivery.urgency }),
      ...(delivery.topic === undefined ? {} : { topic: delivery.topic }),
    }
  }

  /** The deadlines of sends under this signal (`sendMany` passes one signal for the whole run). */
  deadlines(signal: AbortSignal): SendDeadlines {
    if (this.#deadlines === undefined || this.#signal !== signal) {
      this.#deadlines?.close()
      this.#deadlines = new SendDeadlines({ timeoutMs: this.#timeoutMs, signal })
      this.#signal = signal
    }
    return this.#deadlines
  }

  /** The library's send options for this encoding and slot signal (rebuilt once per slot). */
  sendOptions(encoding: string, signal: AbortSignal): SendOptions {
    if (encoding === 'aesgcm') {
      if (this.#aesgcm?.signal !== signal) {
        this.#aesgcm = { ...this.#base, contentEncoding: 'aesgcm', signal }
      }
      return this.#aesgcm
    }
    if (this.#aes128gcm?.signal !== signal) {
      this.#aes128gcm = { ...this.#base, contentEncoding: 'aes128gcm', signal }
    }
    return this.#aes128gcm
  }

  close(): void {
    this.#deadlines?.close()
  }
}

/** What the library throws for a timed-out request, for a send our deadline cut. */
function timeoutError(endpoint: string, timeoutMs: number, cause: unknown): WebPushError {
  let origin = 'the push service'
  try {
    origin = new URL(endpoint).origin
  } catch {
    // checked at send time already; keep the generic name
  }
  return new WebPushError(
    'ERR_WEBPUSH_REQUEST_FAILED',
    `request to ${origin} timed out after ${timeoutMs} ms`,
    { cause, reason: 'timeout' },
  )
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason as Error)
      return
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(signal.reason as Error)
    }
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

/**
 * Options of {@link Sender}.
 *
 * @example
 *
 * ```ts
 * import type { SenderOptions } from './sender.js'
 * declare const options: SenderOptions
 * ```
 */
export interface SenderOptions {
  readonly config: ServerConfig
  readonly store: Store
  readonly metrics: Metrics
  readonly log: FastifyBaseLogger
  /**
   * Extra TLS trust for connections to push services: the CA of a local mock push service in
   * tests. Never needed in production.
   */
  readonly connect?: { readonly ca?: string }
}

/**
 * Sends messages to stored subscriptions and applies the outcomes to the store.
 *
 * @example
 *
 * ```ts
 * import { Sender } from './sender.js'
 * declare const options: import('./sender.js').SenderOptions
 * const sender = new Sender(options)
 * await sender.close()
 * ```
 */
export class Sender {
  /** The push client: its pool connects only to addresses the SSRF guard accepted. */
  readonly client: PushClient
  readonly #config: ServerConfig
  readonly #store: Store
  readonly #sends: SendMetrics
  readonly #log: FastifyBaseLogger

  /** @param options - Configuration, store, metrics, logger. */
  constructor(options: SenderOptions) {
    this.#config = options.config
    this.#store = options.store
    this.#log = options.log
    const sends = new SendMetrics(options.metrics)
    this.#sends = sends
    const config = options.config
    const connect = {
      // Every connection resolves through the guard: the socket uses exactly the checked address.
      lookup: createGuardedLookup(config.endpointPolicy),
      ...(options.connect?.ca === undefined ? {} : { ca: options.connect.ca }),
    } as PushClientConnectOptions
    // No `timeout` here: SEND_TIMEOUT_MS is applied by the delivery's SendDeadlines, which share
    // one timer between the sends of a slot instead of one timer and one combined signal each.
    this.client = new PushClient({
      vapid: { keys: config.vapid.keys, subject: config.subject, cache: new VapidTokenCache() },
      connections: config.pushConnections,
      concurrency: config.sendConcurrency,
      connect,
      ...(config.endpointPolicy.allowInsecure ? { allowHttp: true } : {}),
      hooks: {
        onRequestEnd(event) {
          sends.record(
            event.service,
            OUTCOME_LABELS[event.outcome] ?? 'failed',
            event.duration / 1000,
          )
        },
      },
    })
  }

  /** Closes the connections to push services (sends in flight finish first). */
  async close(): Promise<void> {
    await this.client.close()
  }

  /**
   * Sends one message to one target: SSRF re-check, then the library's sender under the send
   * timeout, retrying a rate-limited answer after its `Retry-After` (RFC 9110 §10.2.3) up to
   * `MAX_RETRIES` times (unless the delivery defers throttled sends).
   *
   * @param target - The stored subscription, passed to the library as it is.
   * @param payload - The message text.
   * @param context - What the delivery's sends share.
   * @param signal - The run's signal (from `sendMany`).
   * @returns The push result.
   * @throws What the library throws; `EndpointRejectedError` is wrapped in a `WebPushError` so
   *   `sendMany` reports it as a result, and so is a send our deadline cut (`reason: 'timeout'`).
   */
  async #send(
    target: SendTarget,
    payload: string,
    context: DeliveryContext,
    signal: AbortSignal,
  ): Promise<PushResult> {
    try {
      context.verdicts.check(target.endpoint)
    } catch (cause) {
      this.#sends.record(identifyPushService(target.endpoint), 'blocked')
      throw new WebPushError('ERR_WEBPUSH_REQUEST_FAILED', 'refused by the SSRF guard', {
        cause,
        reason: 'blocked',
      })
    }
    const deadlines = context.deadlines(signal)
    for (let attempt = 0; ; attempt++) {
      const slot = deadlines.acquire()
      try {
        return await this.client.send(
          target,
          payload,
          context.sendOptions(target.encoding, slot.signal),
        )
      } catch (error) {
        if (slot.timedOut && error === deadlines.reason) {
          throw timeoutError(target.endpoint, this.#config.sendTimeoutMs, error)
        }
        if (
          !(error instanceof PushServiceError) ||
          error.kind !== 'rateLimited' ||
          !context.retryRateLimited ||
          attempt >= this.#config.maxRetries
        ) {
          throw error
        }
        const wait = error.retryAfter ?? 1000 * 2 ** attempt
        if (wait > MAX_RETRY_DELAY) throw error
        context.onRetry()
        await sleep(wait, signal)
      } finally {
        slot.release()
      }
    }
  }

  /**
   * Sends one message to every target and applies the cleanup rules in batches.
   *
   * @param pages - The targets, in pages (from `Store#iterateTargets`).
   * @param options - Payload, headers, cancellation and progress callbacks.
   * @returns The counts and, when asked, the deleted endpoints.
   * @throws When the store stays unavailable at the end (results could not be applied).
   */
  async deliver(
    pages: Iterable<readonly SendTarget[]> | AsyncIterable<readonly SendTarget[]>,
    options: DeliveryOptions,
  ): Promise<DeliveryReport> {
    const counts = {
      completed: 0,
      delivered: 0,
      failed: 0,
      removed: 0,
      resubscribe: 0,
      retried: 0,
      blocked: 0,
      deferred: 0,
    }
    const apply = options.apply ?? ((batch: ResultBatch) => this.#store.applyResults(batch))
    const collect = options.collectRemovedEndpoints === true
    const removedEndpoints: string[] = []
    // Endpoints of the gone subscriptions of the batch being filled (send-test answers with them).
    const goneEndpoints = new Map<number, string>()
    let batch = {
      delivered: [] as number[],
      failed: [] as number[],
      gone: [] as number[],
      resubscribe: [] as number[],
      blocked: [] as number[],
      retried: 0,
    }
    let pending = 0
    let lastFlush = Date.now()
    let flushing: Promise<void> = Promise.resolve()
    let storeError: unknown

    const flush = async (): Promise<void> => {
      const current = batch
      batch = { delivered: [], failed: [], gone: [], resubscribe: [], blocked: [], retried: 0 }
      pending = 0
      lastFlush = Date.now()
      try {
        const removed = await apply({ ...current, since: options.since })
        storeError = undefined
        // Gone but renewed meanwhile: neither removed nor delivered; count as failed.
        const kept = current.gone.length - removed.length
        counts.removed += removed.length
        counts.failed += kept
        if (collect) {
          const removedSet = new Set(removed)
          for (const id of current.gone) {
            const endpoint = goneEndpoints.get(id)
            if (endpoint !== undefined && removedSet.has(id)) removedEndpoints.push(endpoint)
            goneEndpoints.delete(id)
          }
        }
      } catch (error) {
        // The database is down: keep the batch for the next flush; never guess.
        storeError = error
        this.#log.error(
          { err: error },
          'applying send results failed; retrying with the next batch',
        )
        batch.delivered.push(...current.delivered)
        batch.failed.push(...current.failed)
        batch.gone.push(...current.gone)
        batch.resubscribe.push(...current.resubscribe)
        batch.blocked.push(...current.blocked)
        batch.retried += current.retried
        pending +=
          current.delivered.length +
          current.failed.length +
          current.gone.length +
          current.resubscribe.length +
          current.blocked.length
        return
      }
      options.onProgress?.({ ...counts })
    }

    const controller = new AbortController()
    const onAbort = (): void => {
      controller.abort(options.signal?.reason)
    }
    options.signal?.addEventListener('abort', onAbort, { once: true })

    const stop = options.stop
    let stopped = false
    // The stored rows go to the library as they are: no copy per message.
    async function* targets(): AsyncGenerator<SendTarget, void, undefined> {
      for await (const page of pages) {
        for (const target of page) {
          if (stop?.aborted === true) {
            stopped = true
            return
          }
          yield target
        }
      }
    }

    const context = new DeliveryContext({
      config: this.#config,
      delivery: options,
      onRetry: () => {
        counts.retried += 1
        batch.retried += 1
      },
    })
    const send = (
      target: SendTarget,
      payload: unknown,
      { signal }: { readonly signal: AbortSignal },
    ): Promise<PushResult> => this.#send(target, payload as string, context, signal)

    const outcomes = options.outcomes
    let aborted = false
    try {
      const results = sendMany<SendTarget>(targets(), options.payload, {
        concurrency: this.#config.sendConcurrency,
        concurrencyPerOrigin: this.#config.pushConnections,
        signal: controller.signal,
        send,
      })
      for await (const item of results) {
        const target = item.subscription
        const id = target.id
        counts.completed += 1
        if (item.ok) {
          counts.delivered += 1
          batch.delivered.push(id)
          outcomes?.record(id, item.result.service, 'delivered', item.result.status, null)
        } else {
          const throttled =
            options.onThrottled === undefined ? undefined : throttleDelay(item.error)
          if (throttled !== undefined) {
            // Left unsent: the job runs again once the service's queue resumes.
            counts.completed -= 1
            counts.deferred += 1
            counts.retried += 1
            batch.retried += 1
            options.onThrottled?.(throttled ?? undefined)
            continue
          }
          const { verdict, statusCode, detail } = classifySendError(item.error)
          outcomes?.record(id, identifyPushService(target.endpoint), verdict, statusCode, detail)
          switch (verdict) {
            case 'gone':
              batch.gone.push(id)
              if (collect) goneEndpoints.set(id, target.endpoint)
              break
            case 'resubscribe':
              counts.resubscribe += 1
              batch.resubscribe.push(id)
              break
            case 'blocked':
              counts.blocked += 1
              counts.failed += 1
              batch.blocked.push(id)
              break
            case 'failed':
              counts.failed += 1
              batch.failed.push(id)
              break
          }
        }
        pending += 1
        if (pending >= FLUSH_SIZE || Date.now() - lastFlush >= FLUSH_INTERVAL) {
          // One flush at a time; the next results keep coming while it runs.
          await flushing
          flushing = flush()
        }
      }
    } catch (error) {
      if (!controller.signal.aborted) throw error
      aborted = true
    } finally {
      options.signal?.removeEventListener('abort', onAbort)
      context.close()
      await flushing
    }
    await flush()
    if (pending > 0) {
      // The store was down for the last batch: one more try, then give up loudly.
      await flush()
      if (pending > 0)
        throw storeError instanceof Error ? storeError : new Error('the store is unavailable')
    }
    return { ...counts, removedEndpoints, aborted, stopped }
  }
}
