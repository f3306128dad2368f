/**
 * Bulk sending: one payload (or one per subscription) to many subscriptions, as an async iterable
 * of results in completion order. Concurrency is bounded overall and per push service origin, and
 * the source is pulled lazily (backpressure), so a million-row cursor streams through in bounded
 * memory.
 *
 * No undici or `node:*` here: the HTTP sender is injected (by default `sendPushMessage`).
 *
 * @module
 */

import { WebPushError } from './errors.js'
import type { PushPayload } from './encrypt.js'
import {
  originOfEndpoint,
  prepareSend,
  sendPreparedMessage,
  type PreparedSend,
  type SendPushMessageOptions,
} from './send.js'
import { PushServiceError, type PushResult } from './response.js'
import type { PushSubscriptionJSON } from './subscription.js'

/**
 * One outcome of {@link sendMany}: the subscription with its {@link PushResult}, or with the
 * `PushServiceError` / `WebPushError` it failed with (a gone subscription, an invalid one, a
 * network failure…). Developer errors (`TypeError`, `RangeError`) are not results: they end the
 * iteration.
 *
 * @example
 *
 * ```ts
 * import type { SendManyResult } from '@pushcraft/webpush'
 * function handle(item: SendManyResult): void {
 *   if (item.ok) console.log('sent', item.result.messageId)
 *   else if (item.error.code === 'ERR_WEBPUSH_PUSH_SERVICE') console.log(item.error.statusCode)
 * }
 * ```
 */
export type SendManyResult<S = PushSubscriptionJSON> =
  | {
      readonly ok: true
      /** The subscription, as the source yielded it. */
      readonly subscription: S
      /** Its position in the source (0-based). */
      readonly index: number
      readonly result: PushResult
    }
  | {
      readonly ok: false
      readonly subscription: S
      readonly index: number
      readonly error: PushServiceError | WebPushError
    }

/**
 * The counters {@link SendManyOptions.onProgress} receives after each completed send.
 *
 * @example
 *
 * ```ts
 * import type { SendManyProgress } from '@pushcraft/webpush'
 * const show = (p: SendManyProgress): string => `${p.completed} done, ${p.inFlight} in flight`
 * ```
 */
export interface SendManyProgress {
  /** Items taken from the source so far. */
  readonly pulled: number
  /** Sends started. */
  readonly started: number
  /** Sends finished (`succeeded + failed`). */
  readonly completed: number
  readonly succeeded: number
  readonly failed: number
  /** Failures that were `gone` (404/410): subscriptions to delete. */
  readonly gone: number
  /** Sends running now. */
  readonly inFlight: number
}

/**
 * Sends one message; what {@link sendMany} calls per subscription. Replace it to send through a
 * {@link PushClient}, a queue, or a stub in tests.
 *
 * @example
 *
 * ```ts
 * import type { SendFunction } from '@pushcraft/webpush'
 * const fake: SendFunction = async (subscription) => ({
 *   status: 201,
 *   endpoint: subscription.endpoint,
 *   service: 'other',
 *   attempts: 1,
 * })
 * ```
 */
export type SendFunction<S = PushSubscriptionJSON> = (
  subscription: S,
  payload: PushPayload | null,
  options: { readonly signal: AbortSignal },
) => Promise<PushResult>

/**
 * The payload of {@link sendMany}: the same for everyone, or computed per subscription.
 *
 * @example
 *
 * ```ts
 * import type { SendManyPayload } from '@pushcraft/webpush'
 * const perUser: SendManyPayload = (subscription) => `hello ${subscription.endpoint.length}`
 * ```
 */
export type SendManyPayload<S = PushSubscriptionJSON> =
  PushPayload | null | ((subscription: S) => PushPayload | null | Promise<PushPayload | null>)

/**
 * The bulk knobs shared by {@link sendMany} and `PushClient#sendMany`.
 *
 * @example
 *
 * ```ts
 * import type { BulkOptions } from '@pushcraft/webpush'
 * const bulk: BulkOptions = { concurrency: 128, concurrencyPerOrigin: 32 }
 * ```
 */
export interface BulkOptions {
  /** Sends in flight at most, over all push services (default 64). */
  readonly concurrency?: number
  /**
   * Sends in flight at most per push service origin (default 16). Match it to the dispatcher's
   * `connections` (HTTP/1.1) or the service's stream limit (HTTP/2).
   */
  readonly concurrencyPerOrigin?: number
  /** Stops the run: no more items are pulled, sends in flight are aborted, iteration rejects. */
  readonly signal?: AbortSignal
  /** Called after each completed send. If it throws, the run stops and iteration rejects. */
  readonly onProgress?: (progress: SendManyProgress) => void
}

/**
 * Options of {@link sendMany}: the bulk knobs, plus either the options of `sendPushMessage`
 * (used for every message) or your own `send` function.
 *
 * @example
 *
 * ```ts
 * import type { SendManyOptions } from '@pushcraft/webpush'
 * const options: SendManyOptions = {
 *   concurrency: 32,
 *   send: async (subscription) => ({
 *     status: 201,
 *     endpoint: subscription.endpoint,
 *     service: 'other',
 *     attempts: 1,
 *   }),
 * }
 * ```
 */
export type SendManyOptions<S = PushSubscriptionJSON> = BulkOptions &
  (
    | (Omit<SendPushMessageOptions, 'signal'> & { readonly send?: undefined })
    | { readonly send: SendFunction<S> }
  )

/** The defaults of {@link BulkOptions}. */
const DEFAULT_CONCURRENCY = 64
const DEFAULT_CONCURRENCY_PER_ORIGIN = 16

interface Item<S> {
  readonly subscription: S
  readonly index: number
  readonly origin: string
}

type Outcome<S> = SendManyResult<S>

/**
 * Sends a message to many subscriptions with bounded concurrency, yielding each result as it
 * completes.
 *
 * - At most `concurrency` sends run at once, at most `concurrencyPerOrigin` per push service origin.
 * - The source is pulled only when there is room: items taken but not yet yielded never exceed
 *   `2 × concurrency` (sends in flight plus results waiting for you, plus items waiting for a busy
 *   origin). A slow consumer slows the sending down.
 * - Per-subscription failures (`PushServiceError`, `WebPushError`) are results, never exceptions.
 *   `TypeError`/`RangeError` (misuse), an aborted `signal`, or a throwing `onProgress` end the
 *   iteration with that error after the sends in flight settled.
 * - Breaking out of `for await` aborts the sends in flight and closes the source iterator.
 *
 * @param subscriptions - Any iterable or async iterable (an array, a generator, a database
 *   cursor).
 * @param payload - The payload, or a function computing it per subscription.
 * @param options - Bulk knobs plus the `sendPushMessage` options (or a `send` function).
 * @returns An async iterable of {@link SendManyResult}, in completion order.
 * @throws `TypeError`/`RangeError` at call time for bad options.
 * @example
 *
 * ```ts
 * import { sendMany, type PushSubscriptionJSON, type SendFunction } from '@pushcraft/webpush'
 * declare const subscriptions: AsyncIterable<PushSubscriptionJSON>
 * declare const send: SendFunction
 * for await (const item of sendMany(subscriptions, 'hello', { send, concurrency: 100 })) {
 *   if (!item.ok && item.error.code === 'ERR_WEBPUSH_PUSH_SERVICE') console.log(item.index)
 * }
 * ```
 */
export function sendMany<S extends PushSubscriptionJSON = PushSubscriptionJSON>(
  subscriptions: Iterable<S> | AsyncIterable<S>,
  payload: SendManyPayload<S>,
  options: SendManyOptions<S>,
): AsyncIterable<SendManyResult<S>> {
  if (!isObject(options)) throw new TypeError('"options" must be an object')
  const { concurrency, concurrencyPerOrigin, signal, onProgress, send, ...sendOptions } = options
  const bulk = resolveBulkOptions({
    ...(concurrency === undefined ? {} : { concurrency }),
    ...(concurrencyPerOrigin === undefined ? {} : { concurrencyPerOrigin }),
    ...(signal === undefined ? {} : { signal }),
    ...(onProgress === undefined ? {} : { onProgress }),
  })
  const sender: SendFunction<S> =
    send ??
    preparedSender((runSignal) =>
      prepareSend({ ...(sendOptions as SendPushMessageOptions), signal: runSignal }),
    )
  return runBulk(subscriptions, payload, sender, bulk)
}

/**
 * A {@link SendFunction} whose options are the same for every message of a run (so is the run's
 * signal): `prepare` merges and validates them once, on the first send, so that bad options still
 * fail that send, and every later message of the run reuses the result.
 *
 * @internal Shared with `PushClient`; not exported from the package entry.
 */
export function preparedSender<S extends PushSubscriptionJSON>(
  prepare: (signal: AbortSignal) => PreparedSend,
): SendFunction<S> {
  let prepared: PreparedSend | undefined
  const prepareAndSend = async (
    subscription: S,
    payload: PushPayload | null,
    signal: AbortSignal,
  ): Promise<PushResult> => {
    prepared = prepare(signal)
    return await sendPreparedMessage(subscription, payload, prepared)
  }
  return (subscription, payload, { signal }) =>
    prepared?.transport.signal === signal
      ? sendPreparedMessage(subscription, payload, prepared)
      : prepareAndSend(subscription, payload, signal)
}

/**
 * Validated {@link BulkOptions} with defaults.
 *
 * @internal Shared with `PushClient`; not exported from the package entry.
 */
export interface ResolvedBulkOptions {
  readonly concurrency: number
  readonly concurrencyPerOrigin: number
  readonly signal?: AbortSignal
  readonly onProgress?: (progress: SendManyProgress) => void
}

/**
 * Validates {@link BulkOptions} (channel 1).
 *
 * @internal Shared with `PushClient`; not exported from the package entry.
 * @param options - The bulk knobs.
 * @returns The knobs with defaults.
 */
export function resolveBulkOptions(options: BulkOptions): ResolvedBulkOptions {
  const concurrency = positiveInteger(options.concurrency, DEFAULT_CONCURRENCY, 'concurrency')
  const perOrigin = positiveInteger(
    options.concurrencyPerOrigin,
    Math.min(DEFAULT_CONCURRENCY_PER_ORIGIN, concurrency),
    'concurrencyPerOrigin',
  )
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new TypeError('"signal" must be an AbortSignal')
  }
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') {
    throw new TypeError('"onProgress" must be a function')
  }
  return {
    concurrency,
    concurrencyPerOrigin: Math.min(perOrigin, concurrency),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  }
}

// A function rather than an inline test: typed parameters still receive anything from JS callers.
function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null
}

function positiveInteger(value: unknown, fallback: number, name: string): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new TypeError(`"${name}" must be an integer`)
  }
  if (value < 1) throw new RangeError(`"${name}" must be at least 1, got ${value}`)
  return value
}

// The concurrency bucket of a subscription: its push service origin ('' when it has none).
function originOf(subscription: unknown): string {
  if (typeof subscription !== 'object' || subscription === null) return ''
  const endpoint = (subscription as { endpoint?: unknown }).endpoint
  return typeof endpoint === 'string' ? (originOfEndpoint(endpoint) ?? '') : ''
}

/**
 * The bulk engine behind {@link sendMany} and `PushClient#sendMany`.
 *
 * @internal Not exported from the package entry.
 * @param subscriptions - The source.
 * @param payload - The payload or its factory.
 * @param send - Sends one message.
 * @param options - Validated knobs.
 * @returns The results, in completion order.
 */
export function runBulk<S>(
  subscriptions: Iterable<S> | AsyncIterable<S>,
  payload: SendManyPayload<S>,
  send: SendFunction<S>,
  options: ResolvedBulkOptions,
): AsyncIterable<SendManyResult<S>> {
  if (
    !isObject(subscriptions) ||
    !(Symbol.asyncIterator in subscriptions || Symbol.iterator in subscriptions)
  ) {
    throw new TypeError('"subscriptions" must be an iterable or an async iterable')
  }
  if (typeof send !== 'function') throw new TypeError('"send" must be a function')
  return { [Symbol.asyncIterator]: () => run(subscriptions, payload, send, options) }
}

async function* run<S>(
  subscriptions: Iterable<S> | AsyncIterable<S>,
  payload: SendManyPayload<S>,
  send: SendFunction<S>,
  options: ResolvedBulkOptions,
): AsyncGenerator<SendManyResult<S>, void, undefined> {
  const { concurrency, concurrencyPerOrigin, signal, onProgress } = options
  const iterator: Iterator<S> | AsyncIterator<S> =
    Symbol.asyncIterator in subscriptions
      ? subscriptions[Symbol.asyncIterator]()
      : subscriptions[Symbol.iterator]()
  const controller = new AbortController()
  // The same for every send of the run.
  const sendOptions = { signal: controller.signal }
  const ready: Outcome<S>[] = []
  const waiting: Item<S>[] = []
  const perOrigin = new Map<string, number>()
  const counts = { pulled: 0, started: 0, completed: 0, succeeded: 0, failed: 0, gone: 0 }
  let inFlight = 0
  let sourceDone = false as boolean
  let failure: { readonly error: unknown } | undefined
  let wake: (() => void) | undefined

  const notify = (): void => {
    const resolve = wake
    wake = undefined
    resolve?.()
  }
  const sleep = (): Promise<void> =>
    new Promise<void>((resolve) => {
      wake = resolve
    })
  const onAbort = (): void => {
    controller.abort(signal?.reason)
    notify()
  }
  signal?.addEventListener('abort', onAbort, { once: true })

  // Every send ends here exactly once, and wakes the loop.
  const finish = (item: Item<S>, outcome: Outcome<S> | { readonly fatal: unknown }): void => {
    inFlight -= 1
    const left = (perOrigin.get(item.origin) ?? 1) - 1
    if (left === 0) perOrigin.delete(item.origin)
    else perOrigin.set(item.origin, left)
    if (controller.signal.aborted) {
      notify()
      return
    }
    if ('fatal' in outcome) {
      failure ??= { error: outcome.fatal }
      controller.abort(outcome.fatal)
      notify()
      return
    }
    counts.completed += 1
    if (outcome.ok) counts.succeeded += 1
    else {
      counts.failed += 1
      if (outcome.error instanceof PushServiceError && outcome.error.isGone) counts.gone += 1
    }
    ready.push(outcome)
    if (onProgress !== undefined) {
      try {
        onProgress({ ...counts, inFlight })
      } catch (error) {
        failure ??= { error }
        controller.abort(error)
      }
    }
    notify()
  }

  // One send; nothing of it (payload, request, response) outlives its outcome.
  const sendItem = async (item: Item<S>): Promise<void> => {
    const { subscription, index } = item
    try {
      let body = typeof payload === 'function' ? payload(subscription) : payload
      if (isPromiseLike(body)) body = await body
      const result = await send(subscription, body, sendOptions)
      finish(item, { ok: true, subscription, index, result })
    } catch (error) {
      if (error instanceof WebPushError) finish(item, { ok: false, subscription, index, error })
      else finish(item, { fatal: error })
    }
  }

  const start = (item: Item<S>): void => {
    inFlight += 1
    counts.started += 1
    perOrigin.set(item.origin, (perOrigin.get(item.origin) ?? 0) + 1)
    void sendItem(item)
  }

  const hasRoom = (origin: string): boolean =>
    (perOrigin.get(origin) ?? 0) < concurrencyPerOrigin && inFlight < concurrency

  const fill = async (): Promise<void> => {
    // Items that waited for a busy origin go first, in source order.
    for (let i = 0; i < waiting.length && inFlight + ready.length < concurrency;) {
      const item = waiting[i] as Item<S>
      if (hasRoom(item.origin)) {
        waiting.splice(i, 1)
        start(item)
      } else i += 1
    }
    // Pull only while there is room for the item's send and its result (backpressure).
    while (
      !sourceDone &&
      failure === undefined &&
      !controller.signal.aborted &&
      inFlight + ready.length < concurrency &&
      waiting.length < concurrency
    ) {
      const next = await iterator.next()
      if (next.done === true) {
        sourceDone = true
        break
      }
      counts.pulled += 1
      const item: Item<S> = {
        subscription: next.value,
        index: counts.pulled - 1,
        origin: originOf(next.value),
      }
      if (hasRoom(item.origin)) start(item)
      else waiting.push(item)
    }
  }

  // A function, not inline checks: `fill` and the sends change these between awaits.
  const stopIfNeeded = (): void => {
    if (failure !== undefined) throw failure.error
    if (signal?.aborted === true) throw signal.reason
  }

  let completed = false
  try {
    for (;;) {
      stopIfNeeded()
      await fill()
      stopIfNeeded()
      const next = ready.shift()
      if (next !== undefined) {
        yield next
        continue
      }
      if (sourceDone && inFlight === 0 && waiting.length === 0) {
        completed = true
        return
      }
      await sleep()
    }
  } finally {
    signal?.removeEventListener('abort', onAbort)
    if (!completed) {
      if (!controller.signal.aborted) controller.abort(new BulkStoppedError())
      // The sends in flight settle (each one calls finish, which wakes this loop).
      while (inFlight > 0) await sleep()
      if (!sourceDone) await iterator.return?.()
    }
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}

/** The abort reason handed to sends in flight when the consumer stops iterating. */
class BulkStoppedError extends Error {
  constructor() {
    super('sendMany stopped: the consumer ended the iteration')
    this.name = 'AbortError'
  }
}
