/**
 * A strict push service for tests (RFC 8030 §5 push message delivery): it issues subscriptions
 * whose private keys it keeps, verifies VAPID (RFC 8292), TTL and size, decrypts both content
 * codings (RFC 8291, legacy `aesgcm`) and exposes what it received; scripted behaviours and
 * emulated FCM/Mozilla/Apple/WNS answers let senders test their error handling.
 *
 * @module
 */

import { createServer as createHttpServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { Http2ServerResponse, createSecureServer } from 'node:http2'
import type { Http2ServerRequest } from 'node:http2'
import { createServer as createHttpsServer } from 'node:https'
import type { LookupFunction, Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { Agent } from 'undici'
import type { Behaviour } from './behaviours.js'
import { createSelfSignedCertificate } from './certificate.js'
import { PushTestingError } from './errors.js'
import { fromBase64Url, fromUtf8, randomBytes, toBase64Url } from './internal/bytes.js'
import { decryptPushMessage, generateUserAgentKeys, type UserAgentKeys } from './receiver.js'
import {
  SERVICE_HOSTNAMES,
  endpointPath,
  serviceResponse,
  serviceSuccessResponse,
  type MockResponse,
  type PushRejectionReason,
  type PushServiceName,
} from './services.js'
import {
  checkTopic,
  checkTtl,
  checkUrgency,
  checkVapid,
  type Urgency,
  type VerifiedVapid,
} from './verify.js'

/** The two Web Push content codings (RFC 8291 `aes128gcm`, legacy `aesgcm`). */
export type PushContentEncoding = 'aes128gcm' | 'aesgcm'

/**
 * A subscription as `PushSubscription.toJSON()` returns it in a browser.
 *
 * @example
 *
 * ```ts
 * import type { PushSubscriptionJSON } from '@pushcraft/testing'
 * const subscription: PushSubscriptionJSON = {
 *   endpoint: 'https://127.0.0.1:4433/wpush/v2/abc',
 *   expirationTime: null,
 *   keys: { p256dh: 'BP…', auth: 'x…' },
 * }
 * ```
 */
export interface PushSubscriptionJSON {
  readonly endpoint: string
  readonly expirationTime: number | null
  readonly keys: { readonly p256dh: string; readonly auth: string }
}

/**
 * Options of {@link createMockPushService}.
 *
 * @example
 *
 * ```ts
 * import type { MockPushServiceOptions } from '@pushcraft/testing'
 * const options: MockPushServiceOptions = { tls: true, service: 'fcm' }
 * ```
 */
export interface MockPushServiceOptions {
  /** Serve HTTPS with a generated self-signed certificate (default `true`); `false` serves HTTP. */
  readonly tls?: boolean
  /** Serve HTTP/2 (with HTTP/1.1 fallback) over TLS. Default `false`. Needs `tls`. */
  readonly http2?: boolean
  /** The address to listen on. Default `'127.0.0.1'`. */
  readonly host?: string
  /** The port. Default `0` (any free port). */
  readonly port?: number
  /** The service whose answers and endpoint shapes subscriptions get by default. Default `'mozilla'`. */
  readonly service?: PushServiceName
  /**
   * Issue endpoints on the real services' hostnames (`https://fcm.googleapis.com:<port>/fcm/send/…`)
   * so host-based sender logic can be tested. Requests must then go through
   * {@link MockPushService.createDispatcher} (or {@link MockPushService.connect}), which resolves
   * those names to this server. Default `false`.
   */
  readonly emulateHostnames?: boolean
  /** The largest accepted body in bytes (RFC 8030 §7.2, RFC 8291 §4). Default 4096. */
  readonly maxPayloadBytes?: number
  /** The longest accepted VAPID `exp` from now, in seconds (RFC 8292 §2). Default 86400. */
  readonly maxExpirationSeconds?: number
  /** Require VAPID on every request, even to subscriptions without a key. Default `true`. */
  readonly requireVapid?: boolean
  /** Decrypt each message (default `true`). `false` skips decryption: for load tests. */
  readonly decrypt?: boolean
  /**
   * Keep received messages and rejections for inspection: `true` (default) keeps all, a number
   * keeps the latest N, `false` keeps none (counters and waits still work).
   */
  readonly storeMessages?: boolean | number
}

/**
 * Options of {@link MockPushService.createSubscription}.
 *
 * @example
 *
 * ```ts
 * import type { CreateSubscriptionOptions } from '@pushcraft/testing'
 * const options: CreateSubscriptionOptions = { service: 'apple', encoding: 'aes128gcm' }
 * ```
 */
export interface CreateSubscriptionOptions {
  /**
   * The VAPID public key the subscription is bound to (`applicationServerKey`, 65-byte point as
   * bytes or base64url). Pushes must then be signed with this key (RFC 8292 §3.2).
   */
  readonly vapidPublicKey?: string | Uint8Array
  /** Accept only this content coding (like Safari, which supports only `aes128gcm`). Default: both. */
  readonly encoding?: PushContentEncoding
  /** The service to emulate for this subscription's endpoint shape and answers. */
  readonly service?: PushServiceName
  /** A fixed path (and query) for the endpoint instead of the service's random shape. */
  readonly path?: string
  /** Use these keys instead of generating a pair (e.g. a test vector's, or shared for bulk). */
  readonly keys?: UserAgentKeys
  /** `expirationTime` of the subscription JSON. Default `null`. */
  readonly expirationTime?: number | null
}

/**
 * A push message the mock push service accepted, decrypted.
 *
 * @example
 *
 * ```ts
 * import type { ReceivedPushMessage } from '@pushcraft/testing'
 * function show(message: ReceivedPushMessage): string {
 *   return `${message.encoding ?? 'no payload'}: ${message.text()}`
 * }
 * ```
 */
export interface ReceivedPushMessage {
  /** The message id (the last segment of the `Location` the service answered). */
  readonly id: string
  /** The endpoint the message was posted to. */
  readonly endpoint: string
  /** The subscription it was posted to. */
  readonly subscription: PushSubscriptionJSON
  /** The request headers, lower-case names. */
  readonly headers: Readonly<Record<string, string>>
  /** The content coding, or `null` for a message without payload (RFC 8030 §5). */
  readonly encoding: PushContentEncoding | null
  /** The encrypted body as received. */
  readonly body: Uint8Array
  /** The decrypted payload (empty for a message without payload, or when not decrypted). */
  readonly plaintext: Uint8Array
  /** Whether `plaintext` is the decrypted payload (`false` with `decrypt: false`). */
  readonly decrypted: boolean
  /** The verified VAPID identity, or `null` when the request carried none (and none was required). */
  readonly vapid: VerifiedVapid | null
  /** The `TTL` header value in seconds (RFC 8030 §5.2). */
  readonly ttl: number
  /** The `Urgency` header (RFC 8030 §5.3), when sent. */
  readonly urgency: Urgency | undefined
  /** The `Topic` header (RFC 8030 §5.4), when sent. */
  readonly topic: string | undefined
  /** `Date.now()` when it arrived. */
  readonly receivedAt: number
  /** The plaintext as UTF-8 text. */
  text(): string
  /** The plaintext parsed as JSON. */
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the JSON's shape, as with Response.json()
  json<T = unknown>(): T
}

/**
 * A request the mock push service refused, with the reason and the answer it gave.
 *
 * @example
 *
 * ```ts
 * import type { RejectedPushRequest } from '@pushcraft/testing'
 * const isAuthProblem = (rejection: RejectedPushRequest) => rejection.status === 401
 * ```
 */
export interface RejectedPushRequest {
  readonly endpoint: string
  /** Why: a verification failure or a scripted behaviour (`'scripted'`). */
  readonly reason: PushRejectionReason | 'scripted'
  readonly status: number
  /** The request headers, lower-case names. */
  readonly headers: Readonly<Record<string, string>>
  readonly receivedAt: number
}

/**
 * What a behaviour matcher function sees of a request (the body is not read yet).
 *
 * @example
 *
 * ```ts
 * import type { MockPushRequest } from '@pushcraft/testing'
 * const isHighUrgency = (request: MockPushRequest) => request.headers.urgency === 'high'
 * ```
 */
export interface MockPushRequest {
  readonly endpoint: string
  readonly method: string
  readonly headers: Readonly<Record<string, string>>
  /** The subscription the endpoint belongs to, when it is one of this service's. */
  readonly subscription: PushSubscriptionJSON | undefined
}

/**
 * Selects the requests a behaviour applies to: an endpoint URL, a subscription, or a predicate.
 *
 * @example
 *
 * ```ts
 * import type { BehaviourMatcher } from '@pushcraft/testing'
 * const everything: BehaviourMatcher = () => true
 * ```
 */
export type BehaviourMatcher =
  string | PushSubscriptionJSON | ((request: MockPushRequest) => boolean)

/**
 * An installed behaviour: how often it answered, and a way to remove it.
 *
 * @example
 *
 * ```ts
 * import type { BehaviourHandle } from '@pushcraft/testing'
 * function done(handle: BehaviourHandle) { handle.remove() }
 * ```
 */
export interface BehaviourHandle {
  /** How many requests it answered so far. */
  readonly calls: number
  /** Uninstalls it. */
  remove(): void
}

/**
 * Counters over the service's lifetime (not cleared by `reset()`).
 *
 * @example
 *
 * ```ts
 * import type { MockPushServiceStats } from '@pushcraft/testing'
 * const ok = (stats: MockPushServiceStats) => stats.rejected === 0
 * ```
 */
export interface MockPushServiceStats {
  readonly received: number
  readonly rejected: number
}

/**
 * A running mock push service. Create it with {@link createMockPushService}; close it with
 * {@link MockPushService.close}.
 *
 * @example
 *
 * ```ts
 * import { createMockPushService } from '@pushcraft/testing'
 * const service = await createMockPushService()
 * const subscription = await service.createSubscription()
 * // … send a push to `subscription` with `dispatcher: service.createDispatcher()` …
 * const message = await service.nextMessage({ timeout: 2000 })
 * console.log(message.text())
 * await service.close()
 * ```
 */
export interface MockPushService {
  /** `https://127.0.0.1:<port>` (or `http://` with `tls: false`). */
  readonly origin: string
  /** The port it listens on. */
  readonly port: number
  /** The self-signed certificate (PEM) to trust as CA; `undefined` with `tls: false`. */
  readonly ca: string | undefined
  /**
   * TLS/connect options for undici (`new Agent({ connect: service.connect })`) or `node:https`:
   * the CA, and with `emulateHostnames` a `lookup` that resolves every name to this server.
   */
  readonly connect: { readonly ca?: string; readonly lookup?: LookupFunction }
  /** The messages received (bounded by `storeMessages`). */
  readonly messages: readonly ReceivedPushMessage[]
  /** The requests refused (bounded by `storeMessages`). */
  readonly rejections: readonly RejectedPushRequest[]
  /** Lifetime counters. */
  readonly stats: MockPushServiceStats
  /** Issues a subscription whose private keys the service keeps. */
  createSubscription(options?: CreateSubscriptionOptions): Promise<PushSubscriptionJSON>
  /** Issues `count` subscriptions sharing one key pair (fast, for bulk-send tests). */
  createSubscriptions(
    count: number,
    options?: Omit<CreateSubscriptionOptions, 'keys' | 'path'>,
  ): Promise<PushSubscriptionJSON[]>
  /** The private keys behind a subscription this service issued. */
  subscriptionKeys(subscription: PushSubscriptionJSON | string): UserAgentKeys | undefined
  /** Deletes a subscription, as a user unsubscribing would: pushes to it get 410 from then on. */
  unsubscribe(subscription: PushSubscriptionJSON | string): void
  /** The next message not yet returned by `nextMessage`, waiting up to `timeout` ms (default 5000). */
  nextMessage(options?: { readonly timeout?: number }): Promise<ReceivedPushMessage>
  /** Resolves with the received messages once at least `count` arrived since the last `reset()`. */
  waitForMessages(
    count: number,
    options?: { readonly timeout?: number },
  ): Promise<readonly ReceivedPushMessage[]>
  /** Installs a scripted behaviour for matching requests (first installed, first matched). */
  behave(
    matcher: BehaviourMatcher,
    behaviour: Behaviour,
    options?: { readonly times?: number },
  ): BehaviourHandle
  /** Clears messages, rejections, pending `nextMessage` state and behaviours; keeps subscriptions. */
  reset(): void
  /** A ready undici `Agent` that trusts the certificate (and resolves emulated hostnames). */
  createDispatcher(options?: Agent.Options): Agent
  /** Stops listening and ends open connections; waiting calls reject with `ERR_TESTING_CLOSED`. */
  close(): Promise<void>
}

/** A subscription whose payloads are forwarded instead of decrypted (the local push server). @internal */
export interface RelayTarget {
  deliver(message: {
    readonly body: Uint8Array
    readonly headers: Readonly<Record<string, string>>
    readonly ttl: number
  }): void
}

/** Extra hooks for the local push server. @internal */
export interface MockPushServiceInternals {
  readonly service: MockPushService
  /** Registers an endpoint whose accepted messages go to `relay` (no decryption). */
  registerRelay(options: {
    readonly vapidPublicKey?: Uint8Array | undefined
    readonly relay: RelayTarget
  }): string
  /** Removes an endpoint (pushes to it answer 410). */
  removeEndpoint(endpoint: string): void
}

interface SubscriptionRecord {
  readonly json: PushSubscriptionJSON
  readonly key: string
  readonly origin: string
  readonly service: PushServiceName
  readonly vapidKey: Uint8Array | undefined
  readonly encoding: PushContentEncoding | undefined
  readonly keys: UserAgentKeys | undefined
  readonly relay: RelayTarget | undefined
  deleted: boolean
}

interface InstalledBehaviour {
  readonly matches: (request: MockPushRequest) => boolean
  readonly behaviour: Behaviour
  remaining: number
  calls: number
}

interface Waiter {
  readonly check: () => boolean
  readonly reject: (error: Error) => void
}

type AnyRequest = IncomingMessage | Http2ServerRequest
type AnyResponse = ServerResponse | Http2ServerResponse

/**
 * Starts a mock push service on `listen(0)`: HTTPS with a freshly generated self-signed P-256
 * certificate by default (its PEM is `service.ca`), or HTTP with `tls: false`.
 *
 * Every POST to a subscription endpoint is checked strictly, in this order, and refused with the
 * subscription's service's answer (Mozilla-style JSON by default) on the first failure: method
 * (405), declared size (413), VAPID (RFC 8292: scheme, signature, `aud` = this origin, `exp`
 * present and ≤ 24 h, `sub` mailto:/https:, the subscription's key; 401/403), `TTL` present
 * (400), `Urgency`/`Topic` syntax (400), content coding and its headers (400), body ≤ 4096 bytes
 * (413), decryption (400). Accepted messages are answered 201 with `Location` and recorded.
 *
 * @param options - TLS, HTTP/2, address, default service, limits and storage.
 * @returns The running service.
 * @throws `RangeError` for `http2` without `tls`, or a bad limit.
 * @example
 *
 * ```ts
 * import { createMockPushService } from '@pushcraft/testing'
 * const service = await createMockPushService()
 * const subscription = await service.createSubscription()
 * console.log(subscription.endpoint, service.ca !== undefined)
 * await service.close()
 * ```
 */
export async function createMockPushService(
  options: MockPushServiceOptions = {},
): Promise<MockPushService> {
  return (await openMockPushService(options)).service
}

/** {@link createMockPushService} with the hooks the local push server needs. @internal */
export async function openMockPushService(
  options: MockPushServiceOptions = {},
): Promise<MockPushServiceInternals> {
  const tls = options.tls ?? true
  const http2 = options.http2 ?? false
  if (http2 && !tls)
    throw new RangeError('"http2" needs "tls": browsers and undici speak HTTP/2 over TLS only')
  const host = options.host ?? '127.0.0.1'
  const defaultService = options.service ?? 'mozilla'
  const emulateHostnames = options.emulateHostnames ?? false
  const maxPayloadBytes = options.maxPayloadBytes ?? 4096
  const maxExpirationSeconds = options.maxExpirationSeconds ?? 86_400
  const requireVapid = options.requireVapid ?? true
  const decrypt = options.decrypt ?? true
  const storeLimit =
    options.storeMessages === false
      ? 0
      : options.storeMessages === true || options.storeMessages === undefined
        ? Infinity
        : options.storeMessages
  if (!Number.isInteger(maxPayloadBytes) || maxPayloadBytes < 0) {
    throw new RangeError(
      `"maxPayloadBytes" must be a non-negative integer, got ${String(maxPayloadBytes)}`,
    )
  }
  if (storeLimit !== Infinity && (!Number.isInteger(storeLimit) || storeLimit < 0)) {
    throw new RangeError(`"storeMessages" must be a boolean or a non-negative integer`)
  }

  const certificate = tls
    ? await createSelfSignedCertificate({
        hostnames: ['localhost', ...(emulateHostnames ? Object.values(SERVICE_HOSTNAMES) : [])],
        ipAddresses:
          host === '127.0.0.1' || !/^\d+\.\d+\.\d+\.\d+$/.test(host)
            ? ['127.0.0.1']
            : ['127.0.0.1', host],
      })
    : undefined

  const subscriptions = new Map<string, SubscriptionRecord>()
  const messages: ReceivedPushMessage[] = []
  const rejections: RejectedPushRequest[] = []
  const queue: ReceivedPushMessage[] = []
  let behaviours: InstalledBehaviour[] = []
  let waiters: Waiter[] = []
  let receivedSinceReset = 0
  let received = 0
  let rejected = 0
  let closed = false
  const sockets = new Set<Socket>()

  const handler = (request: AnyRequest, response: AnyResponse): void => {
    handle(request, response).catch(() => {
      send(response, {
        status: 500,
        headers: { 'content-type': 'text/plain' },
        body: 'mock push service internal error\n',
      })
    })
  }
  const server =
    certificate === undefined
      ? createHttpServer(handler)
      : http2
        ? createSecureServer(
            { cert: certificate.cert, key: certificate.key, allowHTTP1: true },
            handler,
          )
        : createHttpsServer({ cert: certificate.cert, key: certificate.key }, handler)
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  const urlHost = host.includes(':') ? `[${host}]` : host
  const scheme = tls ? 'https' : 'http'
  const origin = `${scheme}://${urlHost}:${port}`
  const lookup: LookupFunction = (_hostname, lookupOptions, callback) => {
    // Every emulated hostname is this server (IPv4 loopback unless `host` says otherwise).
    const address = /^\d+\.\d+\.\d+\.\d+$/.test(host) ? host : '127.0.0.1'
    if (typeof lookupOptions === 'object' && lookupOptions.all === true) {
      ;(
        callback as unknown as (
          error: null,
          addresses: { address: string; family: number }[],
        ) => void
      )(null, [{ address, family: 4 }])
    } else {
      callback(null, address, 4)
    }
  }
  const connect: { ca?: string; lookup?: LookupFunction } = {
    ...(certificate === undefined ? {} : { ca: certificate.cert }),
    ...(emulateHostnames ? { lookup } : {}),
  }

  function originFor(service: PushServiceName): string {
    return emulateHostnames ? `${scheme}://${SERVICE_HOSTNAMES[service]}:${port}` : origin
  }

  function keyOf(endpoint: string): string {
    try {
      const url = new URL(endpoint)
      return url.pathname + url.search
    } catch {
      return endpoint
    }
  }

  function findRecord(subscription: PushSubscriptionJSON | string): SubscriptionRecord | undefined {
    return subscriptions.get(
      keyOf(typeof subscription === 'string' ? subscription : subscription.endpoint),
    )
  }

  function store<T>(list: T[], item: T): void {
    if (storeLimit === 0) return
    list.push(item)
    if (list.length > storeLimit) list.splice(0, list.length - storeLimit)
  }

  function notify(): void {
    const pending = waiters
    waiters = []
    for (const waiter of pending) if (!waiter.check()) waiters.push(waiter)
  }

  function wait<T>(produce: () => T | undefined, timeout: number, what: string): Promise<T> {
    if (closed)
      return Promise.reject(
        new PushTestingError('ERR_TESTING_CLOSED', 'the mock push service is closed'),
      )
    const ready = produce()
    if (ready !== undefined) return Promise.resolve(ready)
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters = waiters.filter((entry) => entry !== waiter)
        reject(
          new PushTestingError(
            'ERR_TESTING_TIMEOUT',
            `${what} did not happen within ${timeout} ms`,
          ),
        )
      }, timeout)
      const waiter: Waiter = {
        check: () => {
          const value = produce()
          if (value === undefined) return false
          clearTimeout(timer)
          resolve(value)
          return true
        },
        reject: (error) => {
          clearTimeout(timer)
          reject(error)
        },
      }
      waiters.push(waiter)
    })
  }

  function addRecord(record: SubscriptionRecord): void {
    subscriptions.set(record.key, record)
  }

  async function createSubscription(
    subscriptionOptions: CreateSubscriptionOptions = {},
  ): Promise<PushSubscriptionJSON> {
    const keys = subscriptionOptions.keys ?? (await generateUserAgentKeys())
    return issue(subscriptionOptions, keys)
  }

  function issue(
    subscriptionOptions: CreateSubscriptionOptions,
    keys: UserAgentKeys,
  ): PushSubscriptionJSON {
    if (closed) throw new TypeError('the mock push service is closed')
    const service = subscriptionOptions.service ?? defaultService
    const vapidKey = parseVapidKey(subscriptionOptions.vapidPublicKey)
    const path = subscriptionOptions.path ?? endpointPath(service, vapidKey !== undefined)
    if (!path.startsWith('/')) throw new TypeError(`"path" must start with "/", got "${path}"`)
    const recordOrigin = originFor(service)
    const json: PushSubscriptionJSON = {
      endpoint: recordOrigin + path,
      expirationTime: subscriptionOptions.expirationTime ?? null,
      keys: { p256dh: keys.p256dh, auth: keys.auth },
    }
    const key = keyOf(json.endpoint)
    if (subscriptions.has(key))
      throw new TypeError(`a subscription with the path "${path}" already exists`)
    addRecord({
      json,
      key,
      origin: recordOrigin,
      service,
      vapidKey,
      encoding: subscriptionOptions.encoding,
      keys,
      relay: undefined,
      deleted: false,
    })
    return json
  }

  async function handle(request: AnyRequest, response: AnyResponse): Promise<void> {
    const headers = flattenHeaders(request.headers)
    const key = request.url ?? '/'
    const record = subscriptions.get(key)
    const endpoint = record?.json.endpoint ?? origin + key
    const service = record?.service ?? defaultService
    const matchable: MockPushRequest = {
      endpoint,
      method: request.method ?? 'GET',
      headers,
      subscription: record?.json,
    }

    const reject = (
      reason: PushRejectionReason,
      extra: { status?: number; detail?: string } = {},
    ): void => {
      const answer = serviceResponse(service, reason, {
        status: extra.status,
        detail: extra.detail,
      })
      rejected++
      store(rejections, {
        endpoint,
        reason,
        status: answer.status,
        headers,
        receivedAt: Date.now(),
      })
      send(response, answer)
      request.resume()
    }

    // Scripted behaviours come first: they model the service's state, not the request's validity.
    let behaviour = takeBehaviour(matchable)
    while (behaviour?.kind === 'delay') {
      await sleep(behaviour.ms)
      behaviour = behaviour.then
    }
    if (behaviour !== undefined) {
      if (behaviour.kind === 'gone' && record !== undefined) record.deleted = true
      const answer = scriptedAnswer(behaviour, service)
      rejected++
      store(rejections, {
        endpoint,
        reason: 'scripted',
        status: answer.status,
        headers,
        receivedAt: Date.now(),
      })
      send(response, answer)
      request.resume()
      return
    }

    if (record === undefined) {
      reject('notFound')
      return
    }
    if (record.deleted) {
      reject('gone')
      return
    }
    if (request.method !== 'POST') {
      reject('methodNotAllowed')
      return
    }

    // RFC 8030 §7.2: a push service MAY limit the size; reject early on the declared length.
    const declaredLength =
      headers['content-length'] === undefined ? undefined : Number(headers['content-length'])
    if (declaredLength !== undefined && declaredLength > maxPayloadBytes) {
      reject('payloadTooLarge')
      return
    }

    // RFC 8292: VAPID.
    let vapid: VerifiedVapid | null = null
    if (requireVapid || record.vapidKey !== undefined || headers.authorization !== undefined) {
      const checked = await checkVapid(headers.authorization, headers['crypto-key'], {
        audience: record.origin,
        expectedKey: record.vapidKey,
        maxExpirationSeconds,
      })
      if (!checked.ok) {
        reject(checked.reason, checked.detail === undefined ? {} : { detail: checked.detail })
        return
      }
      vapid = checked.value
    }

    const ttl = checkTtl(headers.ttl)
    if (!ttl.ok) {
      reject(ttl.reason)
      return
    }
    const urgency = checkUrgency(headers.urgency)
    if (!urgency.ok) {
      reject(urgency.reason)
      return
    }
    const topic = checkTopic(headers.topic)
    if (!topic.ok) {
      reject(topic.reason)
      return
    }

    const body = await readBody(request, maxPayloadBytes)
    if (body === undefined) {
      reject('payloadTooLarge')
      return
    }

    let encoding: PushContentEncoding | null = null
    if (body.length > 0 || headers['content-encoding'] !== undefined) {
      const coding = headers['content-encoding']?.trim().toLowerCase()
      if (coding !== 'aes128gcm' && coding !== 'aesgcm') {
        reject('badEncoding')
        return
      }
      if (record.encoding !== undefined && coding !== record.encoding) {
        reject('badEncoding')
        return
      }
      encoding = coding
      if (
        coding === 'aesgcm' &&
        (headers.encryption === undefined || !/dh=/i.test(headers['crypto-key'] ?? ''))
      ) {
        reject('badCryptoHeaders')
        return
      }
    }

    if (record.relay !== undefined) {
      record.relay.deliver({ body, headers, ttl: ttl.value })
    }

    let plaintext: Uint8Array = new Uint8Array(0)
    let decrypted = encoding === null
    if (encoding !== null && decrypt && record.keys !== undefined) {
      try {
        plaintext = await decryptPushMessage(
          body,
          {
            contentEncoding: encoding,
            encryption: headers.encryption,
            cryptoKey: headers['crypto-key'],
          },
          record.keys,
        )
        decrypted = true
      } catch {
        reject('decryptionFailed')
        return
      }
    }

    const id = toBase64Url(randomBytes(12))
    received++
    if (record.relay === undefined) {
      receivedSinceReset++
      const message = createMessage({
        id,
        endpoint,
        subscription: record.json,
        headers,
        encoding,
        body,
        plaintext,
        decrypted,
        vapid,
        ttl: ttl.value,
        urgency: urgency.value,
        topic: topic.value,
      })
      store(messages, message)
      if (storeLimit === 0 || queue.length < storeLimit) queue.push(message)
      notify()
    }
    send(
      response,
      serviceSuccessResponse(record.service, {
        origin: record.origin,
        messageId: id,
        ttl: ttl.value,
      }),
    )
  }

  function takeBehaviour(request: MockPushRequest): Behaviour | undefined {
    for (const installed of behaviours) {
      if (installed.remaining <= 0 || !installed.matches(request)) continue
      installed.remaining--
      installed.calls++
      if (installed.remaining <= 0) behaviours = behaviours.filter((entry) => entry !== installed)
      return installed.behaviour
    }
    return undefined
  }

  const service: MockPushService = {
    origin,
    port,
    ca: certificate?.cert,
    connect,
    get messages() {
      return messages
    },
    get rejections() {
      return rejections
    },
    get stats() {
      return { received, rejected }
    },
    createSubscription,
    async createSubscriptions(count, subscriptionOptions = {}) {
      if (!Number.isInteger(count) || count < 0)
        throw new RangeError(`"count" must be a non-negative integer, got ${String(count)}`)
      const keys = await generateUserAgentKeys()
      const out: PushSubscriptionJSON[] = []
      for (let index = 0; index < count; index++) out.push(issue(subscriptionOptions, keys))
      return out
    },
    subscriptionKeys(subscription) {
      return findRecord(subscription)?.keys
    },
    unsubscribe(subscription) {
      const record = findRecord(subscription)
      if (record !== undefined) record.deleted = true
    },
    nextMessage(waitOptions = {}) {
      return wait(() => queue.shift(), waitOptions.timeout ?? 5000, 'the next push message')
    },
    waitForMessages(count, waitOptions = {}) {
      if (!Number.isInteger(count) || count < 0)
        throw new RangeError(`"count" must be a non-negative integer, got ${String(count)}`)
      return wait(
        () => (receivedSinceReset >= count ? messages : undefined),
        waitOptions.timeout ?? 5000,
        `${count} push messages`,
      )
    },
    behave(matcher, behaviour, behaveOptions = {}) {
      const times = behaveOptions.times ?? Infinity
      if (times !== Infinity && (!Number.isInteger(times) || times < 1)) {
        throw new RangeError(`"times" must be a positive integer, got ${String(times)}`)
      }
      const installed: InstalledBehaviour = {
        matches: toPredicate(matcher, keyOf),
        behaviour,
        remaining: times,
        calls: 0,
      }
      behaviours.push(installed)
      return {
        get calls() {
          return installed.calls
        },
        remove() {
          behaviours = behaviours.filter((entry) => entry !== installed)
        },
      }
    },
    reset() {
      messages.length = 0
      rejections.length = 0
      queue.length = 0
      behaviours = []
      receivedSinceReset = 0
    },
    createDispatcher(agentOptions = {}) {
      return new Agent({
        ...agentOptions,
        connect: { ...connect, ...(agentOptions.connect as object | undefined) },
      })
    },
    async close() {
      if (closed) return
      closed = true
      const pending = waiters
      waiters = []
      for (const waiter of pending)
        waiter.reject(
          new PushTestingError('ERR_TESTING_CLOSED', 'the mock push service was closed'),
        )
      const done = new Promise<void>((resolve) =>
        server.close(() => {
          resolve()
        }),
      )
      for (const socket of sockets) socket.destroy()
      await done
    },
  }

  return {
    service,
    registerRelay(relayOptions) {
      const path = endpointPath(defaultService, relayOptions.vapidPublicKey !== undefined)
      const recordOrigin = originFor(defaultService)
      const json: PushSubscriptionJSON = {
        endpoint: recordOrigin + path,
        expirationTime: null,
        keys: { p256dh: '', auth: '' },
      }
      addRecord({
        json,
        key: keyOf(json.endpoint),
        origin: recordOrigin,
        service: defaultService,
        vapidKey: relayOptions.vapidPublicKey,
        encoding: undefined,
        keys: undefined,
        relay: relayOptions.relay,
        deleted: false,
      })
      return json.endpoint
    },
    removeEndpoint(endpoint) {
      const record = subscriptions.get(keyOf(endpoint))
      if (record !== undefined) record.deleted = true
    },
  }
}

function scriptedAnswer(
  behaviour: Exclude<Behaviour, { kind: 'delay' }>,
  service: PushServiceName,
): MockResponse {
  switch (behaviour.kind) {
    case 'gone':
      return serviceResponse(service, 'gone', { status: behaviour.status })
    case 'rateLimited':
      return serviceResponse(service, 'rateLimited', { retryAfter: behaviour.retryAfter })
    case 'serverError':
      return serviceResponse(service, 'serverError', {
        status: behaviour.status,
        retryAfter: behaviour.retryAfter,
      })
    case 'serviceAnswer':
      return serviceResponse(behaviour.service ?? service, behaviour.reason, {
        variant: behaviour.variant,
      })
    case 'respond':
      return behaviour.response
  }
}

function toPredicate(
  matcher: BehaviourMatcher,
  keyOf: (endpoint: string) => string,
): (request: MockPushRequest) => boolean {
  if (typeof matcher === 'function') return matcher
  if (typeof matcher === 'string') {
    const key = keyOf(matcher)
    return (request) => keyOf(request.endpoint) === key
  }
  if (typeof matcher === 'object' && typeof matcher.endpoint === 'string') {
    const key = keyOf(matcher.endpoint)
    return (request) => keyOf(request.endpoint) === key
  }
  throw new TypeError('"matcher" must be an endpoint, a subscription or a function')
}

function parseVapidKey(value: string | Uint8Array | undefined): Uint8Array | undefined {
  if (value === undefined) return undefined
  const bytes = typeof value === 'string' ? fromBase64Url(value) : value
  if (bytes === undefined) throw new TypeError('"vapidPublicKey" must be base64url or a Uint8Array')
  if (bytes.length !== 65 || bytes[0] !== 4) {
    throw new RangeError(
      `"vapidPublicKey" must be a 65-byte uncompressed P-256 point, got ${bytes.length} bytes`,
    )
  }
  return bytes
}

function flattenHeaders(headers: AnyRequest['headers']): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || name.startsWith(':')) continue
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value
  }
  return out
}

/** Reads at most `limit` bytes; `undefined` when the body is longer. */
async function readBody(request: AnyRequest, limit: number): Promise<Uint8Array | undefined> {
  const chunks: Uint8Array[] = []
  let length = 0
  let tooLarge = false
  for await (const chunk of request as AsyncIterable<Uint8Array>) {
    length += chunk.length
    if (length > limit) tooLarge = true
    else chunks.push(chunk)
  }
  if (tooLarge) return undefined
  const body = new Uint8Array(length)
  let offset = 0
  for (const chunk of chunks) {
    body.set(chunk, offset)
    offset += chunk.length
  }
  return body
}

function send(response: AnyResponse, answer: MockResponse): void {
  if (response.headersSent) return
  const body = answer.body
  const headers = { ...answer.headers, 'content-length': String(Buffer.byteLength(body)) }
  // The HTTP/1.1 and HTTP/2 compatibility responses share this call shape.
  if (response instanceof Http2ServerResponse) response.writeHead(answer.status, headers)
  else response.writeHead(answer.status, headers)
  response.end(body)
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

function createMessage(
  fields: Omit<ReceivedPushMessage, 'receivedAt' | 'text' | 'json'>,
): ReceivedPushMessage {
  return {
    ...fields,
    receivedAt: Date.now(),
    text() {
      return fromUtf8(fields.plaintext)
    },
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- see ReceivedPushMessage.json
    json<T = unknown>(): T {
      return JSON.parse(fromUtf8(fields.plaintext)) as T
    },
  }
}
