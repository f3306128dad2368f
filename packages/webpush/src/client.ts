/**
 * `PushClient`: a long-lived sender that owns a pooled undici dispatcher (keep-alive, a connection
 * cap per push service origin, HTTP/2 when the service offers it through ALPN, connect and
 * response timeouts, an optional proxy) and default message options, with `send`, `sendMany` and
 * `close`.
 *
 * @module
 */

import { VapidTokenCache } from '@pushcraft/vapid'
import { Agent, ProxyAgent, type Dispatcher } from 'undici'
import {
  preparedSender,
  runBulk,
  resolveBulkOptions,
  type BulkOptions,
  type SendManyPayload,
  type SendManyResult,
} from './bulk.js'
import { combineHooks, type PushHooks } from './hooks.js'
import { kEncryptor } from './encrypt.js'
import { EncryptionPool } from './internal/encryption-pool.js'
import type { EncryptionInput } from './internal/encryption.js'
import type { PushPayload } from './encrypt.js'
import type { PushRequestOptions } from './request.js'
import type { PushResult } from './response.js'
import type { RetryOptions } from './retry.js'
import {
  isTransportOption,
  prepareTransport,
  sendPreparedMessage,
  type PreparedSend,
  type TransportOptions,
} from './send.js'
import type { PushSubscriptionJSON } from './subscription.js'

/**
 * TLS and socket options for the connections the client opens (undici `connect` options: `ca`,
 * `cert`, `key`, `servername`, `rejectUnauthorized`, …).
 *
 * @example
 *
 * ```ts
 * import type { PushClientConnectOptions } from '@pushcraft/webpush'
 * declare const caPem: string
 * const connect: PushClientConnectOptions = { ca: caPem }
 * ```
 */
export type PushClientConnectOptions = Exclude<
  Agent.Options['connect'],
  ((...args: never[]) => unknown) | undefined
>

/**
 * A proxy for every request (undici `ProxyAgent`): its URL, or the URL with a token and TLS options
 * for the proxy connection.
 *
 * @example
 *
 * ```ts
 * import type { PushClientProxy } from '@pushcraft/webpush'
 * const proxy: PushClientProxy = { uri: 'http://proxy.internal:3128', token: 'Basic dXNlcjpwYXNz' }
 * ```
 */
export type PushClientProxy =
  | string
  | URL
  | {
      readonly uri: string | URL
      /** The `Proxy-Authorization` header value. */
      readonly token?: string
      /** TLS options for an `https:` proxy. */
      readonly proxyTls?: PushClientConnectOptions
    }

/**
 * Options of {@link PushClient}: defaults for every message (any {@link PushRequestOptions}, e.g.
 * VAPID keys and subject, TTL), transport defaults ({@link TransportOptions}), and the pool.
 *
 * @example
 *
 * ```ts
 * import type { PushClientOptions, PushRequestOptions } from '@pushcraft/webpush'
 * declare const message: PushRequestOptions
 * const options: PushClientOptions = { ...message, connections: 32, timeout: 15_000, retry: true }
 * ```
 */
export type PushClientOptions = Partial<PushRequestOptions> &
  Omit<TransportOptions, 'dispatcher' | 'signal'> & {
    /**
     * Your own dispatcher (a `MockAgent` in tests, a shared `Agent`). The client then does not
     * create a pool, and {@link PushClient.close} leaves it open. The pool options below are ignored.
     */
    readonly dispatcher?: Dispatcher
    /** Connections per push service origin (default 16). With HTTP/2 one connection multiplexes. */
    readonly connections?: number
    /** Negotiate HTTP/2 through ALPN when the service offers it (default `true`). */
    readonly allowH2?: boolean
    /** Idle keep-alive time of a pooled connection in milliseconds (default 30 000). */
    readonly keepAliveTimeout?: number
    /** Milliseconds to establish a connection, TLS included (default 10 000). */
    readonly connectTimeout?: number
    /** TLS/socket options, e.g. `{ ca }` to trust a test push service. */
    readonly connect?: PushClientConnectOptions
    /** Send everything through this proxy (undici `ProxyAgent`). */
    readonly proxy?: PushClientProxy
    /** Bulk defaults for {@link PushClient.sendMany}. */
    readonly concurrency?: number
    /** Bulk default: sends in flight per origin (default: `connections`). */
    readonly concurrencyPerOrigin?: number
    /**
     * Worker threads that encrypt messages (0 to 64, default 0: on the calling thread). Each
     * message's key agreement and AES-GCM (≈ 150 µs of CPU in Node.js, mostly P-256) then runs
     * off the event loop, which keeps ≈ 5–10 µs per message for batching; throughput grows with
     * the cores you give it. Worth it for bulk senders on machines with spare cores; the threads
     * start on first use, never keep the process alive when idle, and stop in
     * {@link PushClient.close}.
     */
    readonly encryptionThreads?: number
  }

/**
 * Per-call options of {@link PushClient.send}: override any default.
 *
 * @example
 *
 * ```ts
 * import type { PushClientSendOptions } from '@pushcraft/webpush'
 * const options: PushClientSendOptions = { ttl: 60, urgency: 'high' }
 * ```
 */
export type PushClientSendOptions = Partial<PushRequestOptions> &
  Omit<TransportOptions, 'dispatcher'> & { readonly retry?: RetryOptions | boolean }

/**
 * Per-call options of {@link PushClient.sendMany}.
 *
 * @example
 *
 * ```ts
 * import type { PushClientSendManyOptions } from '@pushcraft/webpush'
 * const options: PushClientSendManyOptions = { concurrency: 200, ttl: 3600 }
 * ```
 */
export type PushClientSendManyOptions = Omit<PushClientSendOptions, 'signal'> & BulkOptions

const POOL_KEYS = new Set([
  'dispatcher',
  'connections',
  'allowH2',
  'keepAliveTimeout',
  'connectTimeout',
  'connect',
  'proxy',
  'concurrency',
  'concurrencyPerOrigin',
  'encryptionThreads',
])

const DEFAULT_CONNECTIONS = 16
const DEFAULT_KEEP_ALIVE_TIMEOUT = 30_000
const DEFAULT_CONNECT_TIMEOUT = 10_000
const DEFAULT_RESPONSE_TIMEOUT = 30_000

/**
 * A push sender with its own connection pool. Create one per process (or per set of VAPID keys)
 * and reuse it: connections stay warm, and HTTP/2 services (FCM, Apple) multiplex.
 *
 * Redirects are never followed: a 3xx is a `PushServiceError` (`badRequest`).
 *
 * @example
 *
 * ```ts
 * import { PushClient, type PushRequestOptions } from '@pushcraft/webpush'
 * declare const message: PushRequestOptions
 * declare const subscription: { endpoint: string; keys: { p256dh: string; auth: string } }
 * const client = new PushClient({ ...message, retry: true, timeout: 15_000 })
 * try {
 *   const result = await client.send(subscription, 'hello')
 *   console.log(result.status)
 * } finally {
 *   await client.close()
 * }
 * ```
 */
export class PushClient {
  readonly #dispatcher: Dispatcher
  readonly #owned: boolean
  // The message defaults, split once: request builder options, and transport options with the
  // client's dispatcher and hooks.
  readonly #request: Record<string, unknown>
  readonly #transport: Record<string, unknown>
  readonly #hooks: PushHooks | undefined
  readonly #bulk: BulkOptions
  readonly #encryption: EncryptionPool | undefined
  // The defaults validated (on first use, so that bad ones keep failing each send as documented).
  #prepared: PreparedSend | undefined
  #closed = false

  /**
   * @param options - Message defaults, transport defaults and pool options.
   * @throws `TypeError`/`RangeError` for bad options.
   */
  constructor(options: PushClientOptions = {}) {
    if (!isObject(options)) throw new TypeError('"options" must be an object')
    const request: Record<string | symbol, unknown> = {}
    const transport: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(options)) {
      if (POOL_KEYS.has(key) || key === 'hooks' || value === undefined) continue
      if (isTransportOption(key)) transport[key] = value
      else request[key] = value
    }
    // A long-lived client signs one VAPID token per push service and reuses it until shortly
    // before it expires (RFC 8292 §2; Apple asks for at most one new token an hour), unless the
    // caller brought a cache or pinned `exp` themselves.
    const vapid = request.vapid
    if (isObject(vapid) && 'keys' in vapid && !('cache' in vapid) && !('expiration' in vapid)) {
      request.vapid = { ...vapid, cache: new VapidTokenCache() }
    }
    const threads = options.encryptionThreads ?? 0
    if (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 0 || threads > 64) {
      throw new RangeError('"encryptionThreads" must be an integer from 0 to 64')
    }
    if (threads > 0) {
      const pool = new EncryptionPool({ threads })
      this.#encryption = pool
      request[kEncryptor] = (input: EncryptionInput) => pool.encrypt(input)
    } else {
      this.#encryption = undefined
    }
    this.#request = request
    this.#hooks = options.hooks
    const connections = positive(options.connections, DEFAULT_CONNECTIONS, 'connections')
    this.#bulk = {
      ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
      concurrencyPerOrigin: options.concurrencyPerOrigin ?? connections,
    }
    resolveBulkOptions(this.#bulk)
    if (options.dispatcher !== undefined) {
      const dispatcher = options.dispatcher as { request?: unknown }
      if (typeof dispatcher !== 'object' || typeof dispatcher.request !== 'function') {
        throw new TypeError('"dispatcher" must be an undici Dispatcher')
      }
      this.#dispatcher = options.dispatcher
      this.#owned = false
      this.#transport = transportDefaults(transport, this.#dispatcher, this.#hooks)
      return
    }
    const connectTimeout = positive(
      options.connectTimeout,
      DEFAULT_CONNECT_TIMEOUT,
      'connectTimeout',
    )
    const pool: Agent.Options = {
      connections,
      allowH2: options.allowH2 ?? true,
      keepAliveTimeout: positive(
        options.keepAliveTimeout,
        DEFAULT_KEEP_ALIVE_TIMEOUT,
        'keepAliveTimeout',
      ),
      headersTimeout: positive(options.headersTimeout, DEFAULT_RESPONSE_TIMEOUT, 'headersTimeout'),
      bodyTimeout: positive(options.bodyTimeout, DEFAULT_RESPONSE_TIMEOUT, 'bodyTimeout'),
      connect: { ...options.connect, timeout: connectTimeout },
    }
    if (options.allowH2 !== undefined && typeof options.allowH2 !== 'boolean') {
      throw new TypeError('"allowH2" must be a boolean')
    }
    this.#dispatcher =
      options.proxy === undefined
        ? new Agent(pool)
        : new ProxyAgent(proxyOptions(options.proxy, pool))
    this.#owned = true
    this.#transport = transportDefaults(transport, this.#dispatcher, this.#hooks)
  }

  /**
   * The dispatcher requests go through (the client's pool, or the one you passed).
   *
   * @returns The undici dispatcher.
   */
  get dispatcher(): Dispatcher {
    return this.#dispatcher
  }

  /**
   * `true` once {@link PushClient.close} was called.
   *
   * @returns Whether the client is closed.
   */
  get closed(): boolean {
    return this.#closed
  }

  /**
   * Encrypts and sends one message with the client's defaults merged under `options`.
   *
   * @param subscription - The browser's `PushSubscription.toJSON()`.
   * @param payload - Text, bytes, or `null`.
   * @param options - Overrides for this message.
   * @returns The {@link PushResult}.
   * @throws As `sendPushMessage`; `TypeError` after {@link PushClient.close}.
   */
  async send(
    subscription: PushSubscriptionJSON,
    payload: PushPayload | null,
    options?: PushClientSendOptions,
  ): Promise<PushResult> {
    if (this.#closed) throw new TypeError('this PushClient is closed')
    return await sendPreparedMessage(subscription, payload, this.#prepare(options, undefined))
  }

  /**
   * Sends to many subscriptions through the client's pool (see `sendMany` for the contract:
   * completion order, bounded concurrency per origin and overall, backpressure, abort).
   *
   * @param subscriptions - Any iterable or async iterable.
   * @param payload - The payload, or a function computing it per subscription.
   * @param options - Bulk knobs and per-message overrides.
   * @returns An async iterable of results.
   * @throws `TypeError`/`RangeError` for bad options.
   */
  sendMany<S extends PushSubscriptionJSON = PushSubscriptionJSON>(
    subscriptions: Iterable<S> | AsyncIterable<S>,
    payload: SendManyPayload<S>,
    options: PushClientSendManyOptions = {},
  ): AsyncIterable<SendManyResult<S>> {
    if (this.#closed) throw new TypeError('this PushClient is closed')
    const { concurrency, concurrencyPerOrigin, signal, onProgress, ...messageOptions } = options
    const bulk = resolveBulkOptions({
      ...this.#bulk,
      ...(concurrency === undefined ? {} : { concurrency }),
      ...(concurrencyPerOrigin === undefined ? {} : { concurrencyPerOrigin }),
      ...(signal === undefined ? {} : { signal }),
      ...(onProgress === undefined ? {} : { onProgress }),
    })
    const send = preparedSender<S>((signal) => this.#prepare(messageOptions, signal))
    const closed = (): Promise<PushResult> =>
      Promise.reject(new TypeError('this PushClient is closed'))
    return runBulk(
      subscriptions,
      payload,
      (subscription, body, context) =>
        this.#closed ? closed() : send(subscription, body, context),
      bulk,
    )
  }

  // The client's defaults with this call's options on top: shared objects when the call
  // overrides nothing, otherwise one copy of each half that it changes.
  #prepare(options: object | undefined, signal: AbortSignal | undefined): PreparedSend {
    this.#prepared ??= prepareTransport(this.#request, this.#transport)
    const base = this.#prepared
    if (options === undefined && signal === undefined) return base
    let request: Record<string, unknown> | undefined
    let transport: Record<string, unknown> | undefined
    let hooks: unknown
    if (options !== undefined) {
      for (const key of Object.keys(options)) {
        const value = (options as Record<string, unknown>)[key]
        // `undefined` keeps the default; the client's own dispatcher is always used.
        if (value === undefined || key === 'dispatcher') continue
        if (key === 'hooks') hooks = value
        else if (isTransportOption(key)) (transport ??= { ...this.#transport })[key] = value
        else (request ??= { ...this.#request })[key] = value
      }
    }
    if (signal !== undefined) (transport ??= { ...this.#transport }).signal = signal
    if (hooks !== undefined) {
      ;(transport ??= { ...this.#transport }).hooks = combineHooks(this.#hooks, hooks as PushHooks)
    }
    if (transport === undefined) {
      return request === undefined ? base : { ...base, request }
    }
    return prepareTransport(request ?? this.#request, transport)
  }

  /**
   * Closes the pool gracefully (requests in flight finish). A dispatcher you passed in stays open.
   * Idempotent.
   *
   * @returns Resolves once the pool is closed.
   */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await Promise.all([
      this.#owned ? this.#dispatcher.close() : undefined,
      this.#encryption?.close(),
    ])
  }
}

function proxyOptions(proxy: PushClientProxy, pool: Agent.Options): ProxyAgent.Options {
  const { connect, ...rest } = pool
  const requestTls = typeof connect === 'function' ? undefined : connect
  if (typeof proxy === 'string' || proxy instanceof URL) {
    return { ...rest, uri: String(proxy), ...(requestTls === undefined ? {} : { requestTls }) }
  }
  if (typeof proxy !== 'object' || (proxy as unknown) === null) {
    throw new TypeError('"proxy" must be a URL or { uri, token?, proxyTls? }')
  }
  return {
    ...rest,
    uri: String(proxy.uri),
    ...(proxy.token === undefined ? {} : { token: proxy.token }),
    ...(proxy.proxyTls === undefined ? {} : { proxyTls: proxy.proxyTls }),
    ...(requestTls === undefined ? {} : { requestTls }),
  }
}

// A function rather than an inline test: typed parameters still receive anything from JS callers.
function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null
}

function positive(value: unknown, fallback: number, name: string): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new TypeError(`"${name}" must be an integer`)
  }
  if (value < 1) throw new RangeError(`"${name}" must be at least 1, got ${value}`)
  return value
}

function transportDefaults(
  transport: Record<string, unknown>,
  dispatcher: Dispatcher,
  hooks: PushHooks | undefined,
): Record<string, unknown> {
  transport.dispatcher = dispatcher
  if (hooks !== undefined) transport.hooks = hooks
  return transport
}
