/**
 * Observability for the sender: `onRequestStart`/`onRequestEnd` callbacks with timing and the
 * outcome's classification, mirrored on `node:diagnostics_channel` channels by the Node sender.
 * Events carry the push service origin, sizes, headers' values that are not secret (TTL, Urgency,
 * Content-Encoding) and timings — never the endpoint path, payload, keys or the VAPID token.
 *
 * Pure and runtime-agnostic.
 *
 * @module
 */

import { WebPushError } from './errors.js'
import type { PushServiceId } from './quirks.js'
import { PushServiceError, type PushServiceErrorKind } from './response.js'

/**
 * How a request ended: `'success'`, a {@link PushServiceErrorKind} for a non-2xx answer,
 * `'timeout'` (connect/headers/body/overall timeout), `'aborted'` (the caller's signal), or
 * `'requestFailed'` (any other network failure).
 *
 * @example
 *
 * ```ts
 * import type { PushOutcome } from '@pushcraft/webpush'
 * const outcome: PushOutcome = 'rateLimited'
 * ```
 */
export type PushOutcome = 'success' | PushServiceErrorKind | 'timeout' | 'aborted' | 'requestFailed'

/**
 * The event of {@link PushHooks.onRequestStart}.
 *
 * @example
 *
 * ```ts
 * import type { PushRequestStartEvent } from '@pushcraft/webpush'
 * const log = (event: PushRequestStartEvent): void => {
 *   console.log(event.origin, event.attempt, event.bodyLength)
 * }
 * ```
 */
export interface PushRequestStartEvent {
  /** The push service origin (`https://fcm.googleapis.com`); never the endpoint path. */
  readonly origin: string
  /** The push service, detected from the host. */
  readonly service: PushServiceId
  /** 1 for the first attempt, more under a retry policy. */
  readonly attempt: number
  /** The `TTL` header sent, in seconds. */
  readonly ttl?: number
  /** The `Urgency` header sent (RFC 8030 §5.3). */
  readonly urgency?: string
  /** The `Content-Encoding` sent (`aes128gcm`, `aesgcm`), absent without payload. */
  readonly contentEncoding?: string
  /** The encrypted body length in bytes (0 without payload). */
  readonly bodyLength: number
  /** Wall-clock start, milliseconds since the epoch. */
  readonly startTime: number
  /** The caller's `context` option, passed through untouched (e.g. a subscription id). */
  readonly context?: unknown
}

/**
 * The event of {@link PushHooks.onRequestEnd}.
 *
 * @example
 *
 * ```ts
 * import type { PushRequestEndEvent } from '@pushcraft/webpush'
 * const log = (event: PushRequestEndEvent): void => {
 *   console.log(event.outcome, event.statusCode, `${event.duration.toFixed(1)} ms`)
 * }
 * ```
 */
export interface PushRequestEndEvent extends PushRequestStartEvent {
  /** How the request ended. */
  readonly outcome: PushOutcome
  /** Milliseconds from start to the end of the response (monotonic clock). */
  readonly duration: number
  /** The HTTP status, when a response arrived. */
  readonly statusCode?: number
  /** `Retry-After` in milliseconds, when the service sent one. */
  readonly retryAfter?: number
  /** The error's `code` (`ERR_WEBPUSH_*`, or the undici `UND_ERR_*` cause), on failure. */
  readonly errorCode?: string
}

/**
 * Callbacks around every HTTP request the sender makes (one per attempt). They run synchronously;
 * an exception thrown by a hook is swallowed so that observability never breaks delivery.
 *
 * @example
 *
 * ```ts
 * import type { PushHooks } from '@pushcraft/webpush'
 * const hooks: PushHooks = {
 *   onRequestEnd: (event) => {
 *     console.log(`${event.origin} ${event.outcome} ${event.duration.toFixed(1)} ms`)
 *   },
 * }
 * ```
 */
export interface PushHooks {
  /** Before the request is dispatched. */
  readonly onRequestStart?: (event: PushRequestStartEvent) => void
  /** After the response was read, or the request failed. */
  readonly onRequestEnd?: (event: PushRequestEndEvent) => void
}

/**
 * The `node:diagnostics_channel` names the Node sender publishes the same events on (only when the
 * channel has subscribers). Whether a request has events is decided when it starts (a hook, or a
 * subscriber of either channel): a request that started while nobody listened publishes no end.
 *
 * @example
 *
 * ```ts
 * import { subscribe } from 'node:diagnostics_channel'
 * import { DIAGNOSTICS_CHANNELS, type PushRequestEndEvent } from '@pushcraft/webpush'
 * subscribe(DIAGNOSTICS_CHANNELS.requestEnd, (message) => {
 *   const event = message as PushRequestEndEvent
 *   console.log(event.outcome)
 * })
 * ```
 */
export const DIAGNOSTICS_CHANNELS: {
  readonly requestStart: 'pushcraft:webpush:request:start'
  readonly requestEnd: 'pushcraft:webpush:request:end'
} = Object.freeze({
  requestStart: 'pushcraft:webpush:request:start',
  requestEnd: 'pushcraft:webpush:request:end',
} as const)

/**
 * Combines several hook sets (e.g. a client's and a call's) into one that calls each in order.
 *
 * @param hooks - Hook sets; `undefined` entries are skipped.
 * @returns One hook set.
 * @example
 *
 * ```ts
 * import { combineHooks } from '@pushcraft/webpush'
 * const hooks = combineHooks(
 *   { onRequestEnd: (e) => console.log('client', e.outcome) },
 *   { onRequestEnd: (e) => console.log('call', e.outcome) },
 * )
 * ```
 */
export function combineHooks(...hooks: readonly (PushHooks | undefined)[]): PushHooks {
  const present = hooks.filter((hook): hook is PushHooks => hook !== undefined)
  if (present.length <= 1) return present[0] ?? {}
  return {
    onRequestStart: (event) => {
      for (const hook of present) callHook(hook.onRequestStart, event)
    },
    onRequestEnd: (event) => {
      for (const hook of present) callHook(hook.onRequestEnd, event)
    },
  }
}

/**
 * Calls one hook, swallowing what it throws.
 *
 * @internal Used by the sender; not exported from the package entry.
 * @param hook - The hook, if set.
 * @param event - Its event.
 */
export function callHook<E>(hook: ((event: E) => void) | undefined, event: E): void {
  if (hook === undefined) return
  try {
    hook(event)
  } catch {
    // A broken hook must not break delivery (documented on PushHooks).
  }
}

/**
 * The outcome and error fields of an end event, from a thrown error.
 *
 * @internal Used by the sender; not exported from the package entry.
 * @param error - What the attempt threw.
 * @returns `outcome`, and `statusCode`/`retryAfter`/`errorCode` when known.
 */
export function describeOutcome(error: unknown): {
  readonly outcome: PushOutcome
  readonly statusCode?: number
  readonly retryAfter?: number
  readonly errorCode?: string
} {
  if (error instanceof PushServiceError) {
    return {
      outcome: error.kind,
      statusCode: error.statusCode,
      errorCode: error.code,
      ...(error.retryAfter === undefined ? {} : { retryAfter: error.retryAfter }),
    }
  }
  if (error instanceof WebPushError) {
    const outcome: PushOutcome =
      error.reason === 'timeout'
        ? 'timeout'
        : error.reason === 'aborted'
          ? 'aborted'
          : 'requestFailed'
    return { outcome, errorCode: error.code }
  }
  if (error instanceof Error && error.name === 'AbortError') {
    return { outcome: 'aborted', errorCode: 'ABORT_ERR' }
  }
  const code =
    typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
      ? error.code
      : undefined
  return { outcome: 'requestFailed', ...(code === undefined ? {} : { errorCode: code }) }
}
