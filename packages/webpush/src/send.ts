/**
 * The undici sender: posts a built Web Push request (RFC 8030 §5) and turns the answer into a
 * {@link PushResult} or a classified {@link PushServiceError}. Redirects are never followed;
 * network failures and timeouts become `ERR_WEBPUSH_REQUEST_FAILED` with the undici error as
 * `cause`. The only module besides the client and the CLI that imports undici and `node:*`.
 *
 * @module
 */

import { channel } from 'node:diagnostics_channel'
import { getGlobalDispatcher, type Dispatcher } from 'undici'
import type { PushPayload } from './encrypt.js'
import { WebPushError } from './errors.js'
import {
  DIAGNOSTICS_CHANNELS,
  callHook,
  describeOutcome,
  type PushHooks,
  type PushRequestEndEvent,
  type PushRequestStartEvent,
} from './hooks.js'
import { identifyPushService } from './quirks.js'
import { buildPushRequest, type PushRequest, type PushRequestOptions } from './request.js'
import {
  MAX_RESPONSE_BODY_BYTES,
  PushServiceError,
  createPushResult,
  type PushResult,
  type PushServiceResponse,
} from './response.js'
import { remainingTtl, resolveRetryOptions, withRetry, type RetryOptions } from './retry.js'
import type { PushSubscriptionJSON } from './subscription.js'

/**
 * How a request travels: dispatcher, cancellation, timeouts, retries and hooks.
 *
 * @example
 *
 * ```ts
 * import type { TransportOptions } from '@pushcraft/webpush'
 * const transport: TransportOptions = { timeout: 10_000, retry: { maxAttempts: 4 } }
 * ```
 */
export interface TransportOptions {
  /**
   * The undici dispatcher (an `Agent`, `ProxyAgent`, `MockAgent`, or a `PushClient`'s pool). Default:
   * undici's global dispatcher. Compose no redirect interceptor on it: push endpoints are never
   * redirected.
   */
  readonly dispatcher?: Dispatcher
  /** Cancels the send (and any retry wait); the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal
  /**
   * Milliseconds one attempt may take in total, from dispatch to the end of the response. On expiry
   * the attempt fails with `ERR_WEBPUSH_REQUEST_FAILED` (`reason: 'timeout'`). Default: none (the
   * dispatcher's `headersTimeout`/`bodyTimeout` still apply).
   */
  readonly timeout?: number
  /** Milliseconds to wait for the response headers (undici `headersTimeout`). */
  readonly headersTimeout?: number
  /** Milliseconds allowed between body chunks (undici `bodyTimeout`). */
  readonly bodyTimeout?: number
  /** Opt-in retries: `true` for the defaults, or a policy (see {@link RetryOptions}). */
  readonly retry?: RetryOptions | boolean
  /** Request start/end callbacks. */
  readonly hooks?: PushHooks
  /** Passed through to the hooks' events untouched (e.g. your subscription id). */
  readonly context?: unknown
}

/**
 * Options of {@link sendPushMessage}: what the message is ({@link PushRequestOptions}: VAPID, TTL,
 * Urgency, Topic, encoding, padding…) plus how it travels ({@link TransportOptions}).
 *
 * @example
 *
 * ```ts
 * import type { SendPushMessageOptions } from '@pushcraft/webpush'
 * declare const base: SendPushMessageOptions
 * const options: SendPushMessageOptions = { ...base, timeout: 5_000, retry: true }
 * ```
 */
export type SendPushMessageOptions = PushRequestOptions & TransportOptions

const TRANSPORT_KEYS = [
  'dispatcher',
  'signal',
  'timeout',
  'headersTimeout',
  'bodyTimeout',
  'retry',
  'hooks',
  'context',
] as const

/**
 * Splits combined options into the request builder's and the transport's.
 *
 * @internal Used by the client; not exported from the package entry.
 * @param options - Combined options.
 * @returns Both halves.
 */
export function splitSendOptions<T extends object>(
  options: T,
): {
  readonly request: Omit<T, (typeof TRANSPORT_KEYS)[number]>
  readonly transport: TransportOptions
} {
  const request = { ...options } as Record<string, unknown>
  const transport: Record<string, unknown> = {}
  for (const key of TRANSPORT_KEYS) {
    if (key in request) {
      if (request[key] !== undefined) transport[key] = request[key]
      // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- keys from a fixed list
      delete request[key]
    }
  }
  return {
    request: request as Omit<T, (typeof TRANSPORT_KEYS)[number]>,
    transport,
  }
}

/**
 * Encrypts and sends one push message (RFC 8030 §5, RFC 8291, RFC 8292) with undici.
 *
 * @param subscription - The browser's `PushSubscription.toJSON()` (validated here).
 * @param payload - Text, bytes, or `null` for no payload.
 * @param options - Request options (VAPID keys and subject, TTL, Urgency, Topic, encoding…) and
 *   transport options (dispatcher, signal, timeouts, retry, hooks).
 * @returns The {@link PushResult} of a 2xx answer.
 * @throws {@link PushServiceError} `ERR_WEBPUSH_PUSH_SERVICE` for a non-2xx answer (classified:
 *   `kind`, `isGone`, `isRetryable`, `retryAfter`); {@link WebPushError}
 *   `ERR_WEBPUSH_REQUEST_FAILED` when the request did not complete (`cause`: the undici error),
 *   `ERR_WEBPUSH_INVALID_SUBSCRIPTION`, `ERR_WEBPUSH_PAYLOAD_TOO_LARGE`; the signal's reason when
 *   aborted; `TypeError`/`RangeError` for bad options.
 * @example
 *
 * ```ts
 * import { sendPushMessage, PushServiceError, type SendPushMessageOptions } from '@pushcraft/webpush'
 * declare const subscription: { endpoint: string; keys: { p256dh: string; auth: string } }
 * declare const options: SendPushMessageOptions
 * try {
 *   const result = await sendPushMessage(subscription, 'hello', { ...options, retry: true })
 *   console.log(result.status, result.messageId)
 * } catch (error) {
 *   if (error instanceof PushServiceError && error.isGone) console.log('delete it')
 * }
 * ```
 */
export async function sendPushMessage(
  subscription: PushSubscriptionJSON,
  payload: PushPayload | null,
  options: SendPushMessageOptions,
): Promise<PushResult> {
  if (!isObject(options)) throw new TypeError('"options" must be an object')
  const { request: requestOptions, transport } = splitSendOptions(options)
  validateTransport(transport)
  const request = await buildPushRequest(subscription, payload, requestOptions)
  return sendPushRequest(request, transport)
}

/**
 * Sends a request made by `buildPushRequest` (e.g. built in a Worker and posted from Node, or
 * built once and retried). Honours the transport options; under a retry policy the `TTL` header is
 * lowered by the time already spent (RFC 8030 §5.2).
 *
 * @param request - `{ url, method, headers, body }` from `buildPushRequest`.
 * @param options - Transport options.
 * @returns The {@link PushResult} of a 2xx answer.
 * @throws {@link PushServiceError} for a non-2xx answer; {@link WebPushError}
 *   `ERR_WEBPUSH_REQUEST_FAILED` when the request did not complete; the signal's reason when
 *   aborted.
 * @example
 *
 * ```ts
 * import { identifyPushService } from './quirks.js'
import { buildPushRequest, sendPushRequest, type PushRequestOptions } from '@pushcraft/webpush'
 * declare const subscription: { endpoint: string; keys: { p256dh: string; auth: string } }
 * declare const options: PushRequestOptions
 * const request = await buildPushRequest(subscription, 'hi', options)
 * const result = await sendPushRequest(request, { timeout: 10_000 })
 * ```
 */
export async function sendPushRequest(
  request: PushRequest,
  options: TransportOptions = {},
): Promise<PushResult> {
  validateTransport(options)
  const retry = resolveRetryOptions(options.retry)
  const ttlHeader = headerValue(request.headers, 'ttl')
  const ttl = ttlHeader === undefined ? undefined : Number(ttlHeader)
  const topic = headerValue(request.headers, 'topic')
  return withRetry(
    async ({ attempt, elapsed }) => {
      const headers =
        attempt === 1 || ttl === undefined
          ? request.headers
          : withHeader(request.headers, 'ttl', String(remainingTtl(ttl, elapsed)))
      const response = await dispatchOnce(request, headers, attempt, options)
      return createPushResult(response, {
        ...(ttl === undefined ? {} : { ttl: attempt === 1 ? ttl : remainingTtl(ttl, elapsed) }),
        ...(topic === undefined ? {} : { topic }),
        attempts: attempt,
      })
    },
    { retry, ttl, signal: options.signal },
  )
}

// A function rather than an inline test: typed parameters still receive anything from JS callers.
function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null
}

function validateTransport(options: TransportOptions): void {
  if (options.dispatcher !== undefined) {
    const dispatcher = options.dispatcher as { request?: unknown }
    if (typeof dispatcher !== 'object' || typeof dispatcher.request !== 'function') {
      throw new TypeError('"dispatcher" must be an undici Dispatcher')
    }
  }
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new TypeError('"signal" must be an AbortSignal')
  }
  for (const key of ['timeout', 'headersTimeout', 'bodyTimeout'] as const) {
    const value = options[key]
    if (value === undefined) continue
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
      throw new TypeError(`"${key}" must be an integer number of milliseconds`)
    }
    if (value < 0 || (key === 'timeout' && value === 0)) {
      throw new RangeError(`"${key}" must be positive, got ${value}`)
    }
  }
  if (options.hooks !== undefined && !isObject(options.hooks)) {
    throw new TypeError('"hooks" must be an object')
  }
}

const startChannel = channel(DIAGNOSTICS_CHANNELS.requestStart)
const endChannel = channel(DIAGNOSTICS_CHANNELS.requestEnd)

async function dispatchOnce(
  request: PushRequest,
  headers: Readonly<Record<string, string>>,
  attempt: number,
  options: TransportOptions,
): Promise<PushServiceResponse> {
  const url = new URL(request.url)
  const dispatcher = options.dispatcher ?? getGlobalDispatcher()
  const ttl = headerValue(headers, 'ttl')
  const urgency = headerValue(headers, 'urgency')
  const contentEncoding = headerValue(headers, 'content-encoding')
  const startEvent: PushRequestStartEvent = {
    origin: url.origin,
    service: identifyPushService(url),
    attempt,
    ...(ttl === undefined ? {} : { ttl: Number(ttl) }),
    ...(urgency === undefined ? {} : { urgency }),
    ...(contentEncoding === undefined ? {} : { contentEncoding }),
    bodyLength: request.body?.byteLength ?? 0,
    startTime: Date.now(),
    ...(options.context === undefined ? {} : { context: options.context }),
  }
  callHook(options.hooks?.onRequestStart, startEvent)
  if (startChannel.hasSubscribers) startChannel.publish(startEvent)
  const started = performance.now()
  const end = (
    fields: Omit<PushRequestEndEvent, keyof PushRequestStartEvent | 'duration'>,
  ): void => {
    const event: PushRequestEndEvent = {
      ...startEvent,
      ...fields,
      duration: performance.now() - started,
    }
    callHook(options.hooks?.onRequestEnd, event)
    if (endChannel.hasSubscribers) endChannel.publish(event)
  }

  const timeoutSignal =
    options.timeout === undefined ? undefined : AbortSignal.timeout(options.timeout)
  const signals = [options.signal, timeoutSignal].filter(
    (signal): signal is AbortSignal => signal !== undefined,
  )
  const signal = signals.length <= 1 ? signals[0] : AbortSignal.any(signals)

  let response: PushServiceResponse
  try {
    const answer = await dispatcher.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: request.method,
      headers: { ...headers },
      body: request.body,
      ...(signal === undefined ? {} : { signal }),
      ...(options.headersTimeout === undefined ? {} : { headersTimeout: options.headersTimeout }),
      ...(options.bodyTimeout === undefined ? {} : { bodyTimeout: options.bodyTimeout }),
    })
    const success = answer.statusCode >= 200 && answer.statusCode <= 299
    const body = await readBody(answer.body, success ? 0 : MAX_RESPONSE_BODY_BYTES)
    response = {
      endpoint: request.url,
      statusCode: answer.statusCode,
      headers: normalizeHeaders(answer.headers),
      body,
    }
  } catch (cause) {
    const error = requestFailure(cause, url.origin, options, timeoutSignal)
    end(describeOutcome(error))
    throw error
  }
  if (response.statusCode >= 200 && response.statusCode <= 299) {
    end({ outcome: 'success', statusCode: response.statusCode })
    return response
  }
  const error = new PushServiceError(response)
  end(describeOutcome(error))
  throw error
}

function requestFailure(
  cause: unknown,
  origin: string,
  options: TransportOptions,
  timeoutSignal: AbortSignal | undefined,
): unknown {
  // The caller's own abort is not a push failure: hand back their reason, as fetch does.
  if (options.signal?.aborted === true) return options.signal.reason
  const code =
    typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string'
      ? cause.code
      : undefined
  if (timeoutSignal?.aborted === true) {
    return new WebPushError(
      'ERR_WEBPUSH_REQUEST_FAILED',
      `request to ${origin} timed out after ${options.timeout ?? 0} ms`,
      { cause, reason: 'timeout' },
    )
  }
  const timedOut =
    code === 'UND_ERR_CONNECT_TIMEOUT' ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT'
  const detail = cause instanceof Error ? cause.message : String(cause)
  return new WebPushError(
    'ERR_WEBPUSH_REQUEST_FAILED',
    `request to ${origin} failed${code === undefined ? '' : ` (${code})`}: ${detail}`,
    { cause, reason: timedOut ? 'timeout' : 'network' },
  )
}

// Reads at most `limit` bytes of a response body and discards the rest. A success body is drained
// (limit 0) so the connection returns to the pool; an error body is capped (vercel/ai caps reads).
async function readBody(body: Dispatcher.ResponseData['body'], limit: number): Promise<string> {
  if (limit === 0) {
    await body.dump({ limit: MAX_RESPONSE_BODY_BYTES })
    return ''
  }
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const chunk of body as AsyncIterable<Uint8Array>) {
    const room = limit - size
    if (chunk.byteLength >= room) {
      chunks.push(chunk.subarray(0, room))
      size += room
      break // leaving the loop destroys the stream: nothing more is buffered
    }
    chunks.push(chunk)
    size += chunk.byteLength
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return new TextDecoder().decode(bytes)
}

function normalizeHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const result: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue
    result[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value
  }
  return result
}

function headerValue(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return value
  }
  return undefined
}

function withHeader(
  headers: Readonly<Record<string, string>>,
  name: string,
  value: string,
): Record<string, string> {
  const result: Record<string, string> = {}
  for (const [key, existing] of Object.entries(headers)) {
    if (key.toLowerCase() !== name.toLowerCase()) result[key] = existing
  }
  result[name] = value
  return result
}
