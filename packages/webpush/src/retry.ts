/**
 * The opt-in retry policy of the sender: exponential backoff with full jitter, `Retry-After`
 * (RFC 9110 §10.2.3) honoured for 429, 503 and WNS throttling, the message's TTL (RFC 8030 §5.2)
 * decremented by the time spent, and no retry of a 4xx other than 429.
 *
 * Pure and runtime-agnostic: timers only.
 *
 * @module
 */

import { PushServiceError, isRetryableError } from './response.js'

/**
 * The retry policy. Retries are off unless you pass `retry: true` or an object.
 *
 * @example
 *
 * ```ts
 * import type { RetryOptions } from '@pushcraft/webpush'
 * const retry: RetryOptions = { maxAttempts: 5, baseDelay: 500, maxDelay: 30_000 }
 * ```
 */
export interface RetryOptions {
  /** Attempts in total, the first included (default 3; 1 disables retries). */
  readonly maxAttempts?: number
  /** The backoff base in milliseconds: attempt n waits up to `baseDelay * 2^(n-1)` (default 1000). */
  readonly baseDelay?: number
  /**
   * The longest single wait in milliseconds (default 60 000). A `Retry-After` longer than this ends
   * the retries: the error (with its `retryAfter`) is thrown so the caller can reschedule.
   */
  readonly maxDelay?: number
  /** Called before each wait, e.g. for logging; never receives payloads or keys. */
  readonly onRetry?: (event: RetryEvent) => void
}

/**
 * What {@link RetryOptions.onRetry} receives before a retry.
 *
 * @example
 *
 * ```ts
 * import type { RetryEvent } from '@pushcraft/webpush'
 * const onRetry = (event: RetryEvent): void => {
 *   console.log(`attempt ${event.attempt} failed, retrying in ${event.delay} ms`)
 * }
 * ```
 */
export interface RetryEvent {
  /** The attempt that just failed (1-based). */
  readonly attempt: number
  /** Milliseconds until the next attempt. */
  readonly delay: number
  /** The failure (a `PushServiceError` or an `ERR_WEBPUSH_REQUEST_FAILED` `WebPushError`). */
  readonly error: unknown
}

/**
 * The defaults of {@link RetryOptions}.
 *
 * @example
 *
 * ```ts
 * import { DEFAULT_RETRY_OPTIONS } from '@pushcraft/webpush'
 * console.log(DEFAULT_RETRY_OPTIONS.maxAttempts) // 3
 * ```
 */
export const DEFAULT_RETRY_OPTIONS: {
  readonly maxAttempts: number
  readonly baseDelay: number
  readonly maxDelay: number
} = Object.freeze({ maxAttempts: 3, baseDelay: 1000, maxDelay: 60_000 })

/**
 * A validated retry policy with its defaults filled in (what {@link resolveRetryOptions} returns).
 *
 * @example
 *
 * ```ts
 * import { resolveRetryOptions, type ResolvedRetryOptions } from '@pushcraft/webpush'
 * const policy: ResolvedRetryOptions | undefined = resolveRetryOptions({ maxAttempts: 2 })
 * ```
 */
export interface ResolvedRetryOptions {
  readonly maxAttempts: number
  readonly baseDelay: number
  readonly maxDelay: number
  readonly onRetry?: (event: RetryEvent) => void
}

const RETRY_KEYS = new Set(['maxAttempts', 'baseDelay', 'maxDelay', 'onRetry'])

/**
 * Validates a `retry` option (channel 1: `TypeError`/`RangeError`) and fills in the defaults.
 *
 * @param retry - `true` for the defaults, an object, or `false`/`undefined` for no retries.
 * @returns The policy, or `undefined` when retries are off.
 * @throws `TypeError` for an unknown key or a wrong type; `RangeError` for an out-of-range value.
 * @example
 *
 * ```ts
 * import { resolveRetryOptions } from '@pushcraft/webpush'
 * resolveRetryOptions(true) // { maxAttempts: 3, baseDelay: 1000, maxDelay: 60000 }
 * ```
 */
export function resolveRetryOptions(
  retry: RetryOptions | boolean | undefined,
): ResolvedRetryOptions | undefined {
  if (retry === undefined || retry === false) return undefined
  if (retry === true) return DEFAULT_RETRY_OPTIONS
  if (!isObject(retry)) {
    throw new TypeError('"retry" must be a boolean or an object')
  }
  for (const key of Object.keys(retry)) {
    if (!RETRY_KEYS.has(key)) {
      throw new TypeError(`unknown "retry" option "${key}"; valid: ${[...RETRY_KEYS].join(', ')}`)
    }
  }
  const maxAttempts = integer(
    retry.maxAttempts,
    DEFAULT_RETRY_OPTIONS.maxAttempts,
    1,
    'maxAttempts',
  )
  const baseDelay = integer(retry.baseDelay, DEFAULT_RETRY_OPTIONS.baseDelay, 0, 'baseDelay')
  const maxDelay = integer(retry.maxDelay, DEFAULT_RETRY_OPTIONS.maxDelay, 0, 'maxDelay')
  if (retry.onRetry !== undefined && typeof retry.onRetry !== 'function') {
    throw new TypeError('"retry.onRetry" must be a function')
  }
  return {
    maxAttempts,
    baseDelay,
    maxDelay,
    ...(retry.onRetry === undefined ? {} : { onRetry: retry.onRetry }),
  }
}

// A function rather than an inline test: typed parameters still receive anything from JS callers.
function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null
}

function integer(value: unknown, fallback: number, min: number, name: string): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new TypeError(`"retry.${name}" must be an integer`)
  }
  if (value < min) throw new RangeError(`"retry.${name}" must be at least ${min}, got ${value}`)
  return value
}

/**
 * The wait before the next attempt, or `undefined` when the failure must not be retried.
 *
 * - Only retryable failures are retried: 429, WNS 406, 5xx and requests that did not complete. Other
 *   4xx never are.
 * - For 429, 503 and WNS throttling, a `Retry-After` is honoured exactly (autopush asks senders not
 *   to round it); longer than `maxDelay` means no retry.
 * - Otherwise exponential backoff with full jitter: a uniform random wait in `[0, min(maxDelay,
 *   baseDelay * 2^(attempt-1)))`.
 *
 * @param error - The failure of attempt `attempt`.
 * @param attempt - The attempt that failed (1-based).
 * @param options - The policy.
 * @returns Milliseconds to wait, or `undefined`.
 * @example
 *
 * ```ts
 * import { computeRetryDelay, resolveRetryOptions, PushServiceError } from '@pushcraft/webpush'
 * const error = new PushServiceError({
 *   endpoint: 'https://fcm.googleapis.com/fcm/send/x',
 *   statusCode: 429,
 *   headers: { 'retry-after': '5' },
 *   body: '',
 * })
 * computeRetryDelay(error, 1, resolveRetryOptions(true)!) // 5000
 * ```
 */
export function computeRetryDelay(
  error: unknown,
  attempt: number,
  options: ResolvedRetryOptions,
): number | undefined {
  if (attempt >= options.maxAttempts || !isRetryableError(error)) return undefined
  if (error instanceof PushServiceError && error.retryAfter !== undefined) {
    const honoured = error.kind === 'rateLimited' || error.statusCode === 503
    if (honoured) return error.retryAfter <= options.maxDelay ? error.retryAfter : undefined
  }
  const ceiling = Math.min(options.maxDelay, options.baseDelay * 2 ** (attempt - 1))
  // "Full jitter" (AWS Architecture Blog, "Exponential Backoff And Jitter", 2015).
  return Math.floor(Math.random() * ceiling)
}

/**
 * The TTL left after `elapsed` milliseconds (RFC 8030 §5.2: the message must not outlive the TTL
 * the sender chose). Rounds the elapsed time up to whole seconds; a TTL of 0 stays 0.
 *
 * @param ttl - The original TTL in seconds.
 * @param elapsed - Milliseconds since the first attempt.
 * @returns Seconds left (0 or more).
 * @example
 *
 * ```ts
 * import { remainingTtl } from '@pushcraft/webpush'
 * remainingTtl(60, 1500) // 58
 * ```
 */
export function remainingTtl(ttl: number, elapsed: number): number {
  return Math.max(0, ttl - Math.ceil(elapsed / 1000))
}

/**
 * What each attempt of {@link withRetry} is told.
 *
 * @example
 *
 * ```ts
 * import type { RetryAttempt } from '@pushcraft/webpush'
 * const describe = (a: RetryAttempt): string => `attempt ${a.attempt} after ${a.elapsed} ms`
 * ```
 */
export interface RetryAttempt {
  /** 1 for the first attempt. */
  readonly attempt: number
  /** Milliseconds since the first attempt started. */
  readonly elapsed: number
}

/**
 * Runs `operation` under a retry policy. Between attempts it waits per {@link computeRetryDelay}; it
 * stops early when the wait would use up the message's TTL (`ttl` > 0) and rethrows the last
 * failure. An aborted `signal` ends the wait with the signal's reason.
 *
 * @param operation - One attempt; receives the attempt number and the elapsed time.
 * @param options - The policy (`undefined` runs once), the message's TTL in seconds, and a signal.
 * @returns What `operation` resolved to.
 * @throws The last failure, or the signal's reason.
 * @example
 *
 * ```ts
 * import { withRetry, resolveRetryOptions } from '@pushcraft/webpush'
 * const value = await withRetry(async ({ attempt }) => attempt, {
 *   retry: resolveRetryOptions(true),
 * })
 * ```
 */
export async function withRetry<T>(
  operation: (attempt: RetryAttempt) => Promise<T>,
  options: {
    readonly retry?: ResolvedRetryOptions | undefined
    readonly ttl?: number | undefined
    readonly signal?: AbortSignal | undefined
  },
): Promise<T> {
  const { retry, ttl, signal } = options
  const start = Date.now()
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await operation({ attempt, elapsed: Date.now() - start })
    } catch (error) {
      if (retry === undefined || signal?.aborted === true) throw error
      const delay = computeRetryDelay(error, attempt, retry)
      if (delay === undefined) throw error
      if (ttl !== undefined && ttl > 0 && remainingTtl(ttl, Date.now() - start + delay) <= 0) {
        throw error
      }
      retry.onRetry?.({ attempt, delay, error })
      await sleep(delay, signal)
    }
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason as Error)
      return
    }
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(signal?.reason as Error)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
