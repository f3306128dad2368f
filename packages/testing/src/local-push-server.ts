/**
 * A local push server for real browsers: it speaks the Mozilla Web Push WebSocket protocol
 * (`hello`, `register`, `unregister`, `notification`, `ack`, `nack`, pings; the protocol Firefox
 * uses with autopush) to the browser, and serves the HTTPS endpoints senders post to with the
 * strict checks of the mock push service. Accepted messages are forwarded, still encrypted, to
 * the browser, which decrypts them itself: a delivery proves the sender's encryption right.
 *
 * @module
 */

import { createServer, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'
import { PushTestingError } from './errors.js'
import { fromBase64Url, randomBytes, toBase64Url } from './internal/bytes.js'
import {
  openMockPushService,
  type MockPushService,
  type MockPushServiceOptions,
} from './mock-push-service.js'

/**
 * Options of {@link createLocalPushServer}: those of the sender-facing endpoints.
 *
 * @example
 *
 * ```ts
 * import type { LocalPushServerOptions } from '@pushcraft/testing'
 * const options: LocalPushServerOptions = { tls: true }
 * ```
 */
export type LocalPushServerOptions = Pick<
  MockPushServiceOptions,
  'tls' | 'http2' | 'host' | 'maxPayloadBytes' | 'maxExpirationSeconds' | 'requireVapid'
>

/**
 * A browser's push subscription as the local push server registered it.
 *
 * @example
 *
 * ```ts
 * import type { LocalPushRegistration } from '@pushcraft/testing'
 * const endpointOf = (registration: LocalPushRegistration) => registration.endpoint
 * ```
 */
export interface LocalPushRegistration {
  /** The browser's id for the subscription (a UUID). */
  readonly channelID: string
  /** The browser's connection id. */
  readonly uaid: string
  /** The endpoint senders post to. */
  readonly endpoint: string
  /** The `applicationServerKey` the page subscribed with (base64url), when it gave one. */
  readonly vapidPublicKey: string | undefined
}

/**
 * A message forwarded to the browser, and what the browser said about it.
 *
 * - `ackCode` 100: delivered to the service worker; 101: the browser could not decrypt it;
 *   102: not delivered (Firefox's `kACK_STATUS_TO_CODE`).
 * - `nackCode` 301/302/303: the service worker's push handler threw, rejected, or failed.
 *
 * @example
 *
 * ```ts
 * import type { LocalPushDelivery } from '@pushcraft/testing'
 * const delivered = (delivery: LocalPushDelivery) => delivery.ackCode === 100
 * ```
 */
export interface LocalPushDelivery {
  readonly channelID: string
  /** The message id sent as `version`. */
  readonly version: string
  readonly endpoint: string
  /** The encrypted body as forwarded (base64url in the protocol). */
  readonly body: Uint8Array
  /** The `headers` object of the `notification` message. */
  readonly headers: Readonly<Record<string, string>>
  /** `pending` (browser not connected), `sent`, `acked`, or `nacked`. */
  readonly state: 'pending' | 'sent' | 'acked' | 'nacked'
  readonly ackCode: number | undefined
  readonly nackCode: number | undefined
}

/**
 * A running local push server. Point Firefox at {@link LocalPushServer.wsUrl} with
 * {@link LocalPushServer.firefoxPrefs}; senders post to the endpoints it issues, trusting
 * {@link LocalPushServer.ca}.
 *
 * @example
 *
 * ```ts
 * import { createLocalPushServer } from '@pushcraft/testing'
 * const server = await createLocalPushServer()
 * console.log(server.firefoxPrefs['dom.push.serverURL'])
 * await server.close()
 * ```
 */
export interface LocalPushServer {
  /** `ws://127.0.0.1:<port>/`: the value for Firefox's `dom.push.serverURL`. */
  readonly wsUrl: string
  /** The Firefox preferences that make it use this server (and stay offline otherwise). */
  readonly firefoxPrefs: Readonly<Record<string, string | number | boolean>>
  /** The sender-facing push service (origin, CA, dispatcher, rejections, behaviours). */
  readonly pushService: MockPushService
  /** The self-signed CA (PEM) of the sender-facing endpoints; `undefined` with `tls: false`. */
  readonly ca: string | undefined
  /** Subscriptions registered by browsers (unregistered ones removed). */
  readonly registrations: readonly LocalPushRegistration[]
  /** Messages forwarded to browsers, with their acknowledgements. */
  readonly deliveries: readonly LocalPushDelivery[]
  /** The next registration (not yet returned by this method), waiting up to `timeout` ms. */
  nextRegistration(options?: { readonly timeout?: number }): Promise<LocalPushRegistration>
  /** Resolves with the delivery once the browser acked or nacked it. */
  waitForAck(version: string, options?: { readonly timeout?: number }): Promise<LocalPushDelivery>
  /** Resolves with the next delivery forwarded after this call (or already forwarded, not yet awaited). */
  nextDelivery(options?: { readonly timeout?: number }): Promise<LocalPushDelivery>
  /** Stops both listeners and closes browser connections. */
  close(): Promise<void>
}

interface DeliveryState {
  channelID: string
  version: string
  endpoint: string
  body: Uint8Array
  headers: Record<string, string>
  state: 'pending' | 'sent' | 'acked' | 'nacked'
  ackCode: number | undefined
  nackCode: number | undefined
  uaid: string
}

/**
 * Starts a local push server: a WebSocket listener for browsers (Mozilla Web Push protocol,
 * subprotocol `push-notification`) and an HTTPS endpoint listener for senders, both on
 * `127.0.0.1` with ports from `listen(0)`.
 *
 * Messages pass the mock push service's strict checks (VAPID with the key the page subscribed
 * with, TTL, size, coding) and are then sent to the browser as
 * `{ messageType: 'notification', channelID, version, data, headers: { encoding, crypto_key?, encryption? } }`.
 *
 * @param options - TLS, HTTP/2 and limits of the sender-facing endpoints.
 * @returns The running server.
 * @example
 *
 * ```ts
 * import { createLocalPushServer } from '@pushcraft/testing'
 * const server = await createLocalPushServer()
 * // launch Firefox with server.firefoxPrefs, subscribe in a page, then:
 * // const registration = await server.nextRegistration()
 * await server.close()
 * ```
 */
export async function createLocalPushServer(
  options: LocalPushServerOptions = {},
): Promise<LocalPushServer> {
  const internals = await openMockPushService({
    ...options,
    service: 'mozilla',
    decrypt: false,
    storeMessages: 1000,
  })
  const host = options.host ?? '127.0.0.1'
  const registrations: LocalPushRegistration[] = []
  const deliveries: DeliveryState[] = []
  const connections = new Map<string, WebSocket>()
  const knownUaids = new Set<string>()
  const listeners = new Set<() => void>()
  let registrationCursor = 0
  let deliveryCursor = 0
  let closed = false

  const notify = (): void => {
    for (const listener of [...listeners]) listener()
  }

  const httpServer: Server = createServer((_request, response) => {
    response.writeHead(426, { 'content-type': 'text/plain' })
    response.end('this is a Web Push WebSocket server\n')
  })
  const sockets = new Set<Socket>()
  httpServer.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  const wss = new WebSocketServer({
    server: httpServer,
    handleProtocols: (protocols) =>
      protocols.has('push-notification') ? 'push-notification' : false,
  })

  const sendJson = (socket: WebSocket, message: unknown): void => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message))
  }

  const forward = (delivery: DeliveryState): void => {
    const socket = connections.get(delivery.uaid)
    if (socket === undefined) return
    sendJson(socket, {
      messageType: 'notification',
      channelID: delivery.channelID,
      version: delivery.version,
      ...(delivery.body.length > 0
        ? { data: toBase64Url(delivery.body), headers: delivery.headers }
        : {}),
    })
    delivery.state = 'sent'
  }

  wss.on('connection', (socket) => {
    let uaid: string | undefined
    socket.on('message', (raw) => {
      let message: Record<string, unknown>
      try {
        message = JSON.parse(rawText(raw)) as Record<string, unknown>
      } catch {
        return
      }
      switch (message.messageType) {
        case undefined:
        case 'ping':
          // Pings are `{}`; Firefox treats any message without `messageType` as the pong.
          sendJson(socket, {})
          return
        case 'hello': {
          const offered = typeof message.uaid === 'string' ? message.uaid : ''
          uaid = knownUaids.has(offered) ? offered : toHex(randomBytes(16))
          knownUaids.add(uaid)
          connections.set(uaid, socket)
          sendJson(socket, {
            messageType: 'hello',
            uaid,
            status: 200,
            use_webpush: true,
            broadcasts: {},
          })
          for (const delivery of deliveries)
            if (delivery.uaid === uaid && delivery.state === 'pending') forward(delivery)
          return
        }
        case 'register': {
          const channelID = typeof message.channelID === 'string' ? message.channelID : ''
          if (uaid === undefined || channelID === '') {
            sendJson(socket, { messageType: 'register', channelID, status: 401 })
            return
          }
          // Firefox sends the applicationServerKey as padded base64url.
          const key = typeof message.key === 'string' ? fromBase64Url(message.key) : undefined
          if (typeof message.key === 'string' && (key === undefined || key.length !== 65)) {
            sendJson(socket, { messageType: 'register', channelID, status: 400 })
            return
          }
          const owner = uaid
          const endpoint = internals.registerRelay({
            vapidPublicKey: key,
            relay: {
              deliver: ({ body, headers }) => {
                const delivery: DeliveryState = {
                  channelID,
                  version: toBase64Url(randomBytes(12)),
                  endpoint,
                  body,
                  headers: notificationHeaders(headers),
                  state: 'pending',
                  ackCode: undefined,
                  nackCode: undefined,
                  uaid: owner,
                }
                deliveries.push(delivery)
                forward(delivery)
                notify()
              },
            },
          })
          registrations.push({
            channelID,
            uaid: owner,
            endpoint,
            vapidPublicKey: key === undefined ? undefined : toBase64Url(key),
          })
          sendJson(socket, {
            messageType: 'register',
            channelID,
            status: 200,
            pushEndpoint: endpoint,
            uaid: owner,
          })
          notify()
          return
        }
        case 'unregister': {
          const channelID = typeof message.channelID === 'string' ? message.channelID : ''
          const index = registrations.findIndex((entry) => entry.channelID === channelID)
          if (index >= 0) {
            const removed = registrations[index]
            if (removed !== undefined) internals.removeEndpoint(removed.endpoint)
            registrations.splice(index, 1)
            if (registrationCursor > index) registrationCursor--
          }
          sendJson(socket, { messageType: 'unregister', channelID, status: 200 })
          return
        }
        case 'ack': {
          const updates = Array.isArray(message.updates)
            ? (message.updates as Record<string, unknown>[])
            : []
          for (const update of updates) {
            const delivery = deliveries.find((entry) => entry.version === update.version)
            if (delivery === undefined) continue
            delivery.state = 'acked'
            delivery.ackCode = typeof update.code === 'number' ? update.code : 100
          }
          notify()
          return
        }
        case 'nack': {
          const delivery = deliveries.find((entry) => entry.version === message.version)
          if (delivery !== undefined) {
            delivery.state = 'nacked'
            delivery.nackCode = typeof message.code === 'number' ? message.code : undefined
          }
          notify()
          return
        }
        default:
          // broadcast_subscribe and anything newer: nothing to do for tests.
          return
      }
    })
    socket.on('close', () => {
      if (uaid !== undefined && connections.get(uaid) === socket) connections.delete(uaid)
    })
  })

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject)
    httpServer.listen(0, host, () => {
      httpServer.off('error', reject)
      resolve()
    })
  })
  const wsPort = (httpServer.address() as AddressInfo).port
  const wsUrl = `ws://${host}:${wsPort}/`

  const waitFor = <T>(produce: () => T | undefined, timeout: number, what: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (closed) {
        reject(new PushTestingError('ERR_TESTING_CLOSED', 'the local push server is closed'))
        return
      }
      const check = (): void => {
        let value: T | undefined
        try {
          value = produce()
        } catch (error) {
          finish()
          reject(error instanceof Error ? error : new Error(String(error)))
          return
        }
        if (value === undefined) return
        finish()
        resolve(value)
      }
      const finish = (): void => {
        clearTimeout(timer)
        listeners.delete(check)
      }
      const timer = setTimeout(() => {
        listeners.delete(check)
        reject(
          new PushTestingError(
            'ERR_TESTING_TIMEOUT',
            `${what} did not happen within ${timeout} ms`,
          ),
        )
      }, timeout)
      listeners.add(check)
      check()
    })

  const snapshot = (delivery: DeliveryState): LocalPushDelivery => ({
    channelID: delivery.channelID,
    version: delivery.version,
    endpoint: delivery.endpoint,
    body: delivery.body,
    headers: delivery.headers,
    state: delivery.state,
    ackCode: delivery.ackCode,
    nackCode: delivery.nackCode,
  })

  return {
    wsUrl,
    firefoxPrefs: {
      'dom.push.enabled': true,
      'dom.push.connection.enabled': true,
      'dom.push.serverURL': wsUrl,
      // Firefox accepts a ws:// (not wss://) push server only with this testing pref.
      'dom.push.testing.allowInsecureServerURL': true,
      // Push messages that show no notification would otherwise use up a small quota.
      'dom.push.maxQuotaPerSubscription': 10_000,
      'permissions.default.desktop-notification': 1,
      'alerts.useSystemBackend': false,
      'dom.serviceWorkers.enabled': true,
      'dom.serviceWorkers.testing.enabled': true,
    },
    pushService: internals.service,
    ca: internals.service.ca,
    get registrations() {
      return registrations
    },
    get deliveries() {
      return deliveries.map(snapshot)
    },
    nextRegistration(waitOptions = {}) {
      return waitFor(
        () =>
          registrationCursor < registrations.length
            ? registrations[registrationCursor++]
            : undefined,
        waitOptions.timeout ?? 10_000,
        'a push subscription from the browser',
      )
    },
    nextDelivery(waitOptions = {}) {
      return waitFor(
        () => {
          const delivery = deliveries[deliveryCursor]
          if (delivery === undefined) return undefined
          deliveryCursor++
          return snapshot(delivery)
        },
        waitOptions.timeout ?? 10_000,
        'a delivery to the browser',
      )
    },
    waitForAck(version, waitOptions = {}) {
      return waitFor(
        () => {
          const delivery = deliveries.find((entry) => entry.version === version)
          return delivery !== undefined &&
            (delivery.state === 'acked' || delivery.state === 'nacked')
            ? snapshot(delivery)
            : undefined
        },
        waitOptions.timeout ?? 10_000,
        `the browser's acknowledgement of message ${version}`,
      )
    },
    async close() {
      if (closed) return
      closed = true
      for (const socket of wss.clients) socket.terminate()
      await new Promise<void>((resolve) => {
        wss.close(() => {
          resolve()
        })
      })
      const done = new Promise<void>((resolve) =>
        httpServer.close(() => {
          resolve()
        }),
      )
      for (const socket of sockets) socket.destroy()
      await done
      await internals.service.close()
    },
  }
}

/** The `headers` of a `notification` message (autopush's names for the crypto headers). */
function notificationHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {}
  const encoding = headers['content-encoding']
  if (encoding !== undefined) out.encoding = encoding.trim().toLowerCase()
  if (headers['crypto-key'] !== undefined) out.crypto_key = headers['crypto-key']
  if (headers.encryption !== undefined) out.encryption = headers.encryption
  return out
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')
}

/** The text of a WebSocket message (a Buffer, an ArrayBuffer, or fragments). */
function rawText(raw: Buffer | ArrayBuffer | Buffer[]): string {
  if (Array.isArray(raw)) return Buffer.concat(raw).toString('utf8')
  return (raw instanceof ArrayBuffer ? Buffer.from(raw) : raw).toString('utf8')
}
