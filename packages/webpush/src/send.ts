/**
 * The undici sender: posts a built Web Push request (RFC 8030 §5) and turns the answer into a
 * {@link PushResult} or a classified {@link PushServiceError}. Redirects are never followed;
 * network failures and timeouts become `ERR_WEBPUSH_REQUEST_FAILED` with the undici error as
 * `cause`. The only module besides the client and the CLI that imports undici and `node:*`.
 *
 * @module
 */

import { channel } from 'node:diagnostics_channel'
import { Dispatcher, getGlobalDispatcher } from 'undici'
import type { PushPayload } from './encrypt.js'
import { WebPushError } from './errors.js'
import { readMessageHeaders, type MessageHeaderValues } from './headers.js'
import {
  DIAGNOSTICS_CHANNELS,
  callHook,
  describeOutcome,
  type PushHooks,
  type PushRequestEndEvent,
  type PushRequestStartEvent,
} from './hooks.js'
import { identifyPushService, type PushServiceId } from './quirks.js'
import { buildPushRequest, type PushRequest, type PushRequestOptions } from './request.js'
import {
  MAX_RESPONSE_BODY_BYTES,
  PushServiceError,
  pushResultOf,
  type PushResult,
  type PushServiceResponse,
} from './response.js'
import {
  remainingTtl,
  resolveRetryOptions,
  withRetry,
  type ResolvedRetryOptions,
  type RetryOptions,
} from './retry.js'
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

const TRANSPORT_KEYS: ReadonlySet<string> = new Set([
  'dispatcher',
  'signal',
  'timeout',
  'headersTimeout',
  'bodyTimeout',
  'retry',
  'hooks',
  'context',
])

/**
 * Whether an option name belongs to the transport ({@link TransportOptions}) rather than to the
 * request builder.
 *
 * @internal Used by the client; not exported from the package entry.
 * @param name - An option name.
 * @returns `true` for `dispatcher`, `signal`, `timeout`, `headersTimeout`, `bodyTimeout`,
 *   `retry`, `hooks` and `context`.
 */
export function isTransportOption(name: string): boolean {
  return TRANSPORT_KEYS.has(name)
}

/**
 * Splits combined options into the request builder's and the transport's, in one pass over the
 * caller's keys. Transport options set to `undefined` are dropped.
 *
 * @internal Used by the client; not exported from the package entry.
 * @param options - Combined options.
 * @returns Both halves.
 */
export function splitSendOptions<T extends object>(
  options: T,
): {
  readonly request: Omit<T, 'dispatcher' | keyof TransportOptions>
  readonly transport: TransportOptions
} {
  const request: Record<string, unknown> = {}
  const transport: Record<string, unknown> = {}
  for (const key of Object.keys(options)) {
    const value = (options as Record<string, unknown>)[key]
    if (!TRANSPORT_KEYS.has(key)) request[key] = value
    else if (value !== undefined) transport[key] = value
  }
  return {
    request: request as Omit<T, 'dispatcher' | keyof TransportOptions>,
    transport,
  }
}

/**
 * Options of one or many sends, split, validated and resolved once: what
 * {@link sendPreparedMessage} needs per message.
 *
 * @internal Shared with the client and `sendMany`; not exported from the package entry.
 */
export interface PreparedSend {
  /** The request builder's options. */
  readonly request: PushRequestOptions
  /** The validated transport options. */
  readonly transport: TransportOptions
  /** The resolved retry policy, `undefined` for none. */
  readonly retry: ResolvedRetryOptions | undefined
}

/**
 * Splits and validates {@link SendPushMessageOptions} (channel 1: `TypeError`/`RangeError`).
 *
 * @internal Shared with `sendMany`; not exported from the package entry.
 * @param options - Combined options.
 * @returns The prepared options.
 */
export function prepareSend(options: SendPushMessageOptions): PreparedSend {
  if (!isObject(options)) throw new TypeError('"options" must be an object')
  const { request, transport } = splitSendOptions(options)
  return prepareTransport(request, transport)
}

/**
 * Validates transport options and resolves their retry policy (channel 1).
 *
 * @internal Shared with the client; not exported from the package entry.
 * @param request - The request builder's options (passed through).
 * @param transport - The transport options.
 * @returns The prepared options.
 */
export function prepareTransport(
  request: PushRequestOptions,
  transport: TransportOptions,
): PreparedSend {
  validateTransport(transport)
  return { request, transport, retry: resolveRetryOptions(transport.retry) }
}

/**
 * Builds and sends one message with options from {@link prepareSend} or {@link prepareTransport}.
 *
 * @internal Shared with the client and `sendMany`; not exported from the package entry.
 * @param subscription - The subscription.
 * @param payload - The payload.
 * @param prepared - The prepared options.
 * @returns The {@link PushResult}.
 */
export async function sendPreparedMessage(
  subscription: PushSubscriptionJSON,
  payload: PushPayload | null,
  prepared: PreparedSend,
): Promise<PushResult> {
  const request = await buildPushRequest(subscription, payload, prepared.request)
  // buildPushRequest writes every header name in lower case.
  return await deliver(request, prepared.transport, prepared.retry, true)
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
  return await sendPreparedMessage(subscription, payload, prepareSend(options))
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
 * import { buildPushRequest, sendPushRequest, type PushRequestOptions } from '@pushcraft/webpush'
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
  if (!isObject(request) || typeof request.url !== 'string' || !isObject(request.headers)) {
    throw new TypeError('"request" must be a PushRequest from buildPushRequest()')
  }
  validateTransport(options)
  // A request built by hand may spell header names in any case.
  return await deliver(request, options, resolveRetryOptions(options.retry), false)
}

// A function rather than an inline test: typed parameters still receive anything from JS callers.
function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null
}

const TIMEOUT_KEYS = ['timeout', 'headersTimeout', 'bodyTimeout'] as const

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
  for (const key of TIMEOUT_KEYS) {
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

/**
 * Where a request goes, as undici wants it, and the push service there.
 *
 * @internal
 */
export interface Target {
  readonly origin: string
  /** Path and query. */
  readonly path: string
  readonly service: PushServiceId
}

interface KnownOrigin {
  readonly origin: string
  readonly service: PushServiceId
}

// Endpoint prefixes ("https://host[:port]", up to the path) already checked to be canonical
// origins, or `null` when not. A memo with no effect on results, bounded: a sender talks to a
// handful of push services, so it is cleared rather than evicted.
const knownOrigins = new Map<string, KnownOrigin | null>()
const MAX_KNOWN_ORIGINS = 256

// A path and query that URL parsing leaves unchanged (characters outside the WHATWG path and
// query percent-encode sets, no dot segment, no backslash, no fragment, no empty query).
const PLAIN_PATH =
  /^(?![^?]*\/\.)(?!.*%2e)\/[\w\-.~!$&()*+,;=:@%/]*(?:\?[\w\-.~!$&()*+,;=:@%/?]+)?$/i

/**
 * The origin of an endpoint (`https://host[:port]`), as `new URL(endpoint).origin` gives it,
 * without parsing the URL again for every message to a known push service.
 *
 * @internal Shared with `sendMany`; not exported from the package entry.
 * @param endpoint - An absolute URL.
 * @returns Its origin, or `undefined` when the endpoint is no URL.
 */
export function originOfEndpoint(endpoint: string): string | undefined {
  const prefix = originPrefix(endpoint)
  const known = prefix === undefined ? undefined : knownOrigin(prefix)
  if (known !== undefined) return known.origin
  try {
    return new URL(endpoint).origin
  } catch {
    return undefined
  }
}

function originPrefix(url: string): string | undefined {
  const authority = url.startsWith('https://') ? 8 : url.startsWith('http://') ? 7 : 0
  if (authority === 0) return undefined
  const slash = url.indexOf('/', authority)
  return slash > authority ? url.slice(0, slash) : undefined
}

function knownOrigin(prefix: string): KnownOrigin | undefined {
  let known = knownOrigins.get(prefix)
  if (known === undefined) {
    known = null
    try {
      const url = new URL(prefix)
      // Only a prefix that already is the serialized origin: lower-case host, no default port,
      // no credentials, nothing URL parsing would rewrite.
      if (url.origin === prefix) known = { origin: prefix, service: identifyPushService(url) }
    } catch {
      // not a URL: the caller parses the whole endpoint
    }
    if (knownOrigins.size >= MAX_KNOWN_ORIGINS) knownOrigins.clear()
    knownOrigins.set(prefix, known)
  }
  return known ?? undefined
}

/**
 * Where a request for `url` goes: `new URL(url)`'s origin, path and query, and its push service,
 * without parsing the URL again for every message to a known push service.
 *
 * @internal Exported for tests; not exported from the package entry.
 * @param url - The request URL.
 * @returns Origin, path (with the query) and push service.
 * @throws `TypeError` when `url` is no absolute URL.
 */
export function requestTarget(url: string): Target {
  const prefix = originPrefix(url)
  if (prefix !== undefined) {
    const path = url.slice(prefix.length)
    if (PLAIN_PATH.test(path)) {
      const known = knownOrigin(prefix)
      if (known !== undefined) return { origin: known.origin, path, service: known.service }
    }
  }
  const parsed = new URL(url)
  return {
    origin: parsed.origin,
    path: `${parsed.pathname}${parsed.search}`,
    service: identifyPushService(parsed),
  }
}

const startChannel = channel(DIAGNOSTICS_CHANNELS.requestStart)
const endChannel = channel(DIAGNOSTICS_CHANNELS.requestEnd)

// Sends a built request: one attempt, or several under a retry policy. Throws synchronously (a
// TypeError) only for a URL that does not parse; callers are async functions.
function deliver(
  request: PushRequest,
  transport: TransportOptions,
  retry: ResolvedRetryOptions | undefined,
  lowerCaseNames: boolean,
): Promise<PushResult> {
  const values = readMessageHeaders(request.headers, lowerCaseNames)
  const ttl = values.ttl === undefined ? undefined : Number(values.ttl)
  const target = requestTarget(request.url)
  if (retry === undefined) {
    return dispatchOnce(request, target, request.headers, ttl, values, 1, transport)
  }
  return withRetry(
    ({ attempt, elapsed }) => {
      if (attempt === 1 || ttl === undefined) {
        return dispatchOnce(request, target, request.headers, ttl, values, attempt, transport)
      }
      // RFC 8030 §5.2: the message must not outlive the TTL chosen for the first attempt.
      const left = remainingTtl(ttl, elapsed)
      const headers = withHeader(request.headers, 'ttl', String(left))
      return dispatchOnce(request, target, headers, left, values, attempt, transport)
    },
    { retry, ttl, signal: transport.signal },
  )
}

// One HTTP attempt: the result of a 2xx answer, or a thrown PushServiceError / WebPushError.
async function dispatchOnce(
  request: PushRequest,
  target: Target,
  headers: Readonly<Record<string, string>>,
  ttl: number | undefined,
  values: MessageHeaderValues,
  attempt: number,
  transport: TransportOptions,
): Promise<PushResult> {
  const dispatcher = transport.dispatcher ?? getGlobalDispatcher()
  const hooks = transport.hooks
  // Events are built only for someone: a hook, or a diagnostics channel subscriber.
  const startEvent =
    hooks?.onRequestStart !== undefined ||
    hooks?.onRequestEnd !== undefined ||
    startChannel.hasSubscribers ||
    endChannel.hasSubscribers
      ? startEventOf(request, target, ttl, values, attempt, transport.context)
      : undefined
  let started = 0
  if (startEvent !== undefined) {
    callHook(hooks?.onRequestStart, startEvent)
    if (startChannel.hasSubscribers) startChannel.publish(startEvent)
    started = performance.now()
  }

  const timeoutSignal =
    transport.timeout === undefined ? undefined : AbortSignal.timeout(transport.timeout)
  const signal =
    timeoutSignal === undefined
      ? transport.signal
      : transport.signal === undefined
        ? timeoutSignal
        : AbortSignal.any([transport.signal, timeoutSignal])
  const options: Dispatcher.DispatchOptions = {
    origin: target.origin,
    path: target.path,
    method: request.method,
    // Not copied: undici only reads the record.
    headers: headers as Record<string, string>,
    body: request.body,
  }
  if (transport.headersTimeout !== undefined) options.headersTimeout = transport.headersTimeout
  if (transport.bodyTimeout !== undefined) options.bodyTimeout = transport.bodyTimeout

  let answered: PushResult | PushServiceResponse
  try {
    const answer = await exchange(dispatcher, options, signal)
    const status = answer.statusCode
    const received = answer.headers
    answered =
      status >= 200 && status <= 299
        ? pushResultOf(
            status,
            request.url,
            target.service,
            {
              ttl: headerText(received['ttl']),
              location: headerText(received['location']),
              messageId: headerText(received['apns-id']) ?? headerText(received['x-wns-msg-id']),
            },
            { ttl, topic: values.topic, attempts: attempt },
          )
        : {
            endpoint: request.url,
            statusCode: status,
            headers: normalizeHeaders(received),
            body: answer.body,
          }
  } catch (cause) {
    const error = requestFailure(cause, target.origin, transport, timeoutSignal)
    if (startEvent !== undefined) endEvent(startEvent, started, hooks, describeOutcome(error))
    throw error
  }
  if ('statusCode' in answered) {
    const error = new PushServiceError(answered)
    if (startEvent !== undefined) endEvent(startEvent, started, hooks, describeOutcome(error))
    throw error
  }
  if (startEvent !== undefined) {
    endEvent(startEvent, started, hooks, { outcome: 'success', statusCode: answered.status })
  }
  return answered
}

/** A push service's answer: status, headers (names lower-case) and, for a non-2xx, the body. */
interface Exchange {
  readonly statusCode: number
  readonly headers: IncomingHttpHeaders
  /** At most {@link MAX_RESPONSE_BODY_BYTES} of an error body as text; `''` for a 2xx. */
  readonly body: string
}

type IncomingHttpHeaders = Record<string, string | string[] | undefined>

// undici's own `request()` (a method of every undici dispatcher), compared, never called.
// eslint-disable-next-line @typescript-eslint/unbound-method -- compared by identity only
const undiciRequest: unknown = Dispatcher.prototype.request

// One request/response exchange. Through undici's `dispatch` with a handler of our own when the
// dispatcher is undici's (its `request` is the stock one): no response stream, no async resource
// and no draining per message, since push services answer with an empty body. Any other
// dispatcher (another copy of undici, a wrapper that overrides `request`) goes through `request`.
function exchange(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  signal: AbortSignal | undefined,
): Promise<Exchange> {
  if (dispatcher.request !== undiciRequest || typeof dispatcher.dispatch !== 'function') {
    return requestExchange(dispatcher, options, signal)
  }
  return new Promise<Exchange>((resolve, reject) => {
    const handler = new ExchangeHandler(resolve, reject, signal)
    try {
      dispatcher.dispatch(options, handler)
    } catch (error) {
      handler.fail(error)
    }
  })
}

// The same exchange through `dispatcher.request()`: a success body is drained so that the
// connection returns to the pool, an error body is read up to the cap (vercel/ai caps reads).
async function requestExchange(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  signal: AbortSignal | undefined,
): Promise<Exchange> {
  const answer = await dispatcher.request(signal === undefined ? options : { ...options, signal })
  const success = answer.statusCode >= 200 && answer.statusCode <= 299
  if (success) await answer.body.dump(DUMP_OPTIONS)
  return {
    statusCode: answer.statusCode,
    headers: answer.headers,
    body: success ? '' : await readBody(answer.body, MAX_RESPONSE_BODY_BYTES),
  }
}

/**
 * Collects one response for {@link exchange} (undici's handler API). Settles once: a 2xx when its
 * body ended (the body is discarded, and more than {@link MAX_RESPONSE_BODY_BYTES} of it ends the
 * connection, as `body.dump()` does); another status when its body ended or reached the cap (the
 * rest is not read); a failure (network, timeouts, the signal) before a final status.
 */
class ExchangeHandler implements Dispatcher.DispatchHandler {
  readonly #resolve: (exchange: Exchange) => void
  readonly #reject: (error: unknown) => void
  readonly #signal: AbortSignal | undefined
  readonly #onAbort: (() => void) | undefined
  #controller: Dispatcher.DispatchController | undefined
  #settled = false
  #statusCode = 0
  #headers: IncomingHttpHeaders = {}
  // Error bodies only.
  #chunks: Uint8Array[] | undefined
  #size = 0

  constructor(
    resolve: (exchange: Exchange) => void,
    reject: (error: unknown) => void,
    signal: AbortSignal | undefined,
  ) {
    this.#resolve = resolve
    this.#reject = reject
    this.#signal = signal
    if (signal !== undefined && !signal.aborted) {
      this.#onAbort = () => {
        this.#abort(signal.reason)
      }
      signal.addEventListener('abort', this.#onAbort, { once: true })
    }
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller
    if (this.#signal?.aborted === true) this.#abort(this.#signal.reason)
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
  ): void {
    if (statusCode < 200) return // RFC 9110 §15.2: informational, a final answer follows
    this.#statusCode = statusCode
    this.#headers = headers
    if (statusCode > 299) this.#chunks = []
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Uint8Array): void {
    if (this.#settled) return
    const chunks = this.#chunks
    if (chunks === undefined) {
      this.#size += chunk.byteLength
      if (this.#size > MAX_RESPONSE_BODY_BYTES) {
        this.#finish()
        controller.abort(new Error('push service response body over the limit'))
      }
      return
    }
    const room = MAX_RESPONSE_BODY_BYTES - this.#size
    if (chunk.byteLength < room) {
      chunks.push(chunk)
      this.#size += chunk.byteLength
      return
    }
    chunks.push(chunk.subarray(0, room))
    this.#size += room
    this.#finish()
    controller.abort(new Error('push service response body over the limit'))
  }

  onResponseEnd(): void {
    this.#finish()
  }

  onResponseError(_controller: Dispatcher.DispatchController | null, error: Error): void {
    // A 2xx whose body broke off still was accepted (as with `body.dump()`).
    if (this.#statusCode >= 200 && this.#statusCode <= 299) this.#finish()
    else this.fail(error)
  }

  /**
   * Rejects with `error`, unless settled.
   *
   * @param error - What went wrong.
   */
  fail(error: unknown): void {
    if (this.#settled) return
    this.#settle()
    this.#reject(error)
  }

  // As undici's `request()` does: the signal's reason is the failure, as it is.
  #abort(reason: unknown): void {
    if (this.#controller === undefined) this.fail(reason)
    else this.#controller.abort(reason as Error)
  }

  #finish(): void {
    if (this.#settled) return
    this.#settle()
    const chunks = this.#chunks
    this.#resolve({
      statusCode: this.#statusCode,
      headers: this.#headers,
      body: chunks === undefined ? '' : decodeChunks(chunks, this.#size),
    })
  }

  #settle(): void {
    this.#settled = true
    if (this.#onAbort !== undefined) this.#signal?.removeEventListener('abort', this.#onAbort)
  }
}

function startEventOf(
  request: PushRequest,
  target: Target,
  ttl: number | undefined,
  values: MessageHeaderValues,
  attempt: number,
  context: unknown,
): PushRequestStartEvent {
  const { urgency, contentEncoding } = values
  return {
    origin: target.origin,
    service: target.service,
    attempt,
    ...(ttl === undefined ? {} : { ttl }),
    ...(urgency === undefined ? {} : { urgency }),
    ...(contentEncoding === undefined ? {} : { contentEncoding }),
    bodyLength: request.body?.byteLength ?? 0,
    startTime: Date.now(),
    ...(context === undefined ? {} : { context }),
  }
}

function endEvent(
  startEvent: PushRequestStartEvent,
  started: number,
  hooks: PushHooks | undefined,
  fields: Omit<PushRequestEndEvent, keyof PushRequestStartEvent | 'duration'>,
): void {
  const event: PushRequestEndEvent = {
    ...startEvent,
    ...fields,
    duration: performance.now() - started,
  }
  callHook(hooks?.onRequestEnd, event)
  if (endChannel.hasSubscribers) endChannel.publish(event)
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

// A success body is drained, at most this much of it, before the connection is given up.
const DUMP_OPTIONS = Object.freeze({ limit: MAX_RESPONSE_BODY_BYTES })

// Reads at most `limit` bytes of an error response body and discards the rest.
async function readBody(body: Dispatcher.ResponseData['body'], limit: number): Promise<string> {
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
  return decodeChunks(chunks, size)
}

function decodeChunks(chunks: readonly Uint8Array[], size: number): string {
  if (size === 0) return ''
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return new TextDecoder().decode(bytes)
}

// undici's response header names are lower-case; a repeated header comes as an array.
function headerText(value: string | string[] | undefined): string | undefined {
  return value === undefined || typeof value === 'string' ? value : value.join(', ')
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

function withHeader(
  headers: Readonly<Record<string, string>>,
  name: string,
  value: string,
): Record<string, string> {
  const result: Record<string, string> = {}
  for (const [key, existing] of Object.entries(headers)) {
    if (key.toLowerCase() !== name) result[key] = existing
  }
  result[name] = value
  return result
}
