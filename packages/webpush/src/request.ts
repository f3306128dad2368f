/**
 * The pure Web Push request builder (RFC 8030 §5): encryption (RFC 8291), VAPID (RFC 8292) and
 * the `TTL`, `Urgency` and `Topic` headers, as a plain `{ url, method, headers, body }` that any
 * HTTP client can send. No undici, no `node:*`: it runs in Node, Deno, Bun, Workers and browsers.
 * Plus {@link toCurl}, which prints a request as a runnable `curl` command.
 *
 * @module
 */

import {
  createVapidAuthorization,
  type VapidAuthorization,
  type VapidKeys,
  type VapidScheme,
  type VapidTokenCache,
} from '@pushcraft/vapid'
import {
  assertPayloadFits,
  encryptForParts,
  kEncryptor,
  type Encryptor,
  encryptionSettings,
  paddingFor,
  payloadBytes,
  type EncryptedPushMessage,
  type PushPayload,
} from './encrypt.js'
import {
  DEFAULT_TTL,
  normalizeCustomHeaders,
  validateTopic,
  validateTtl,
  validateUrgency,
  type CustomHeaders,
  type Urgency,
} from './headers.js'
import { assertKnownKeys, describe } from './internal/assert.js'
import { decodeBase64Tolerant } from './internal/base64.js'
import type { ContentEncoding, PaddingStrategy } from './padding.js'
import { applyServiceRules, pushServiceRules, rulesForHost } from './quirks.js'
import { subscriptionParts, type PushSubscriptionJSON } from './subscription.js'

/**
 * VAPID credentials (RFC 8292): the application server's keys and a contact. A token is signed
 * per request unless a {@link VapidTokenCache} is given, which reuses tokens per push service.
 *
 * @example
 *
 * ```ts
 * import { generateVapidKeys, VapidTokenCache } from '@pushcraft/vapid'
 * import type { VapidCredentials } from '@pushcraft/webpush'
 * const vapid: VapidCredentials = {
 *   keys: await generateVapidKeys(),
 *   subject: 'mailto:push@example.com',
 *   cache: new VapidTokenCache(),
 * }
 * ```
 */
export interface VapidCredentials {
  /** The application server key pair (`@pushcraft/vapid`). */
  readonly keys: VapidKeys
  /** `sub`: a `mailto:` or `https:` contact (RFC 8292 §2.1). */
  readonly subject: string
  /** `exp` in seconds since the epoch (default: `@pushcraft/vapid`'s). Not with `cache`. */
  readonly expiration?: number
  /** Extra JWT claims. */
  readonly claims?: Readonly<Record<string, unknown>>
  /** Reuse signed tokens (recommended when sending many messages). */
  readonly cache?: VapidTokenCache
}

/**
 * Prebuilt VAPID headers, for example from `createVapidAuthorization()` of `@pushcraft/vapid`:
 * `authorization` is `vapid t=…, k=…` or `WebPush …`; `cryptoKey` is the legacy `p256ecdsa=…`.
 *
 * @example
 *
 * ```ts
 * import type { VapidHeaders } from '@pushcraft/webpush'
 * declare const token: string, publicKey: string
 * const vapid: VapidHeaders = { authorization: `vapid t=${token}, k=${publicKey}` }
 * ```
 */
export interface VapidHeaders {
  /** The `Authorization` header value. */
  readonly authorization: string
  /** The `Crypto-Key` parameter `p256ecdsa=…` of the legacy `WebPush` scheme. */
  readonly cryptoKey?: string
}

/**
 * The `vapid` option of {@link buildPushRequest}: credentials to sign with, or prebuilt headers
 * (a `VapidAuthorization` from `@pushcraft/vapid` qualifies).
 *
 * @example
 *
 * ```ts
 * import type { VapidOption } from '@pushcraft/webpush'
 * declare const vapid: VapidOption
 * ```
 */
export type VapidOption = VapidCredentials | VapidHeaders | VapidAuthorization

/**
 * Options of {@link buildPushRequest}.
 *
 * @example
 *
 * ```ts
 * import type { PushRequestOptions } from '@pushcraft/webpush'
 * const options: PushRequestOptions = { ttl: 3600, urgency: 'high', topic: 'inbox' }
 * ```
 */
export interface PushRequestOptions {
  /** VAPID credentials or prebuilt headers (RFC 8292). Apple's push service requires VAPID. */
  readonly vapid?: VapidOption
  /**
   * The VAPID header form for {@link VapidCredentials}: `'vapid'` (RFC 8292 §3, the default for
   * `aes128gcm`) or the legacy `'webpush'` (the default for `aesgcm`).
   */
  readonly vapidScheme?: VapidScheme
  /**
   * `TTL` in seconds (RFC 8030 §5.2): how long the push service keeps an undelivered message.
   * Default {@link DEFAULT_TTL} (4 weeks); `0` means deliver now or drop.
   */
  readonly ttl?: number
  /** `Urgency` (RFC 8030 §5.3). Omitted by default, which push services treat as `'normal'`. */
  readonly urgency?: Urgency
  /** `Topic` (RFC 8030 §5.4): replaces an undelivered message with the same topic. */
  readonly topic?: string
  /** `'aes128gcm'` (RFC 8291, default) or the legacy `'aesgcm'`. */
  readonly contentEncoding?: ContentEncoding
  /** Payload padding (default `'none'`). */
  readonly padding?: PaddingStrategy
  /** A body budget below 4096 octets. */
  readonly maxBodyBytes?: number
  /** Extra headers; names may not repeat managed ones (`ttl`, `authorization`, …) in any case. */
  readonly headers?: CustomHeaders
  /** Accept `http:` endpoints (local test push services only). */
  readonly allowHttp?: boolean
  /** Apply per-service rules (default `true`; see `pushServiceRules`). */
  readonly quirks?: boolean
}

/**
 * A complete push request, ready for any HTTP client. Header names are lower-case.
 *
 * @example
 *
 * ```ts
 * import type { PushRequest } from '@pushcraft/webpush'
 * declare const request: PushRequest
 * await fetch(request.url, {
 *   method: request.method,
 *   headers: request.headers,
 *   body: request.body,
 *   redirect: 'manual',
 * })
 * ```
 */
export interface PushRequest {
  /** The subscription endpoint (query strings such as WNS `?token=` kept). */
  readonly url: string
  readonly method: 'POST'
  readonly headers: Readonly<Record<string, string>>
  /** The encrypted body, or `null` for a message without payload (RFC 8030 §5). */
  readonly body: Uint8Array<ArrayBuffer> | null
}

const OPTIONS: ReadonlySet<string> = new Set([
  'vapid',
  'vapidScheme',
  'ttl',
  'urgency',
  'topic',
  'contentEncoding',
  'padding',
  'maxBodyBytes',
  'headers',
  'allowHttp',
  'quirks',
])
const CREDENTIAL_KEYS: ReadonlySet<string> = new Set([
  'keys',
  'subject',
  'expiration',
  'claims',
  'cache',
])

interface ResolvedVapid {
  readonly subject: string | undefined
  readonly authorize: () => Promise<VapidHeaders>
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}

/** The JWT inside `vapid t=<jwt>, k=<key>` or `WebPush <jwt>`, or `undefined`. */
function tokenOf(authorization: string): string | undefined {
  const match = /^vapid\s+(?:.*?[\s,])?t=([^\s,]+)/i.exec(authorization)
  if (match !== null) return match[1]
  const legacy = /^webpush\s+(\S+)$/i.exec(authorization)
  return legacy?.[1]
}

function claimsOf(token: string): Record<string, unknown> | undefined {
  const payload = decodeBase64Tolerant(token.split('.')[1] ?? '')
  if (typeof payload === 'string') return undefined
  try {
    const claims = JSON.parse(new TextDecoder().decode(payload)) as unknown
    return isRecord(claims) ? claims : undefined
  } catch {
    return undefined
  }
}

function resolveVapid(
  vapid: unknown,
  scheme: unknown,
  origin: string,
  contentEncoding: ContentEncoding,
): ResolvedVapid | undefined {
  if (vapid === undefined) {
    if (scheme !== undefined) throw new TypeError('"vapidScheme" needs the "vapid" option')
    return undefined
  }
  if (!isRecord(vapid)) throw new TypeError(`"vapid" must be an object, got ${describe(vapid)}`)
  if (scheme !== undefined && scheme !== 'vapid' && scheme !== 'webpush') {
    throw new TypeError(`"vapidScheme" must be 'vapid' or 'webpush'`)
  }
  if ('keys' in vapid) {
    assertKnownKeys(vapid, CREDENTIAL_KEYS, 'vapid')
    const subject = vapid['subject']
    if (typeof subject !== 'string') {
      throw new TypeError(`"vapid.subject" must be a string, got ${describe(subject)}`)
    }
    const credentials = vapid as unknown as VapidCredentials
    return {
      subject,
      authorize: () =>
        createVapidAuthorization({
          keys: credentials.keys,
          audience: origin,
          subject,
          contentEncoding,
          ...(scheme === undefined ? {} : { scheme }),
          ...(credentials.expiration === undefined ? {} : { expiration: credentials.expiration }),
          ...(credentials.claims === undefined ? {} : { claims: credentials.claims }),
          ...(credentials.cache === undefined ? {} : { cache: credentials.cache }),
        }),
    }
  }
  // Prebuilt headers: check what can be checked without the key.
  const authorization = vapid['authorization']
  const cryptoKey = vapid['cryptoKey']
  if (typeof authorization !== 'string' || authorization.length === 0) {
    throw new TypeError('"vapid" must be { keys, subject } or prebuilt { authorization }')
  }
  if (cryptoKey !== undefined && typeof cryptoKey !== 'string') {
    throw new TypeError(`"vapid.cryptoKey" must be a string, got ${describe(cryptoKey)}`)
  }
  if (scheme !== undefined) {
    throw new TypeError('"vapidScheme" applies to { keys, subject } only, not prebuilt headers')
  }
  // draft-ietf-webpush-vapid-01 §4: the legacy scheme carries the key in Crypto-Key p256ecdsa.
  if (/^webpush\s/i.test(authorization) && cryptoKey === undefined) {
    throw new TypeError('a legacy "WebPush" authorization needs "vapid.cryptoKey" (p256ecdsa=…)')
  }
  const token = tokenOf(authorization)
  const claims = token === undefined ? undefined : claimsOf(token)
  if (claims === undefined) {
    throw new TypeError('"vapid.authorization" is not "vapid t=<jwt>, k=<key>" or "WebPush <jwt>"')
  }
  // RFC 8292 §2: "aud" is the origin of the push resource; another one is always refused.
  if (claims['aud'] !== origin) {
    throw new RangeError(
      `the VAPID token's "aud" is not this push service's origin ${origin} (RFC 8292 §2)`,
    )
  }
  const headers: VapidHeaders =
    typeof cryptoKey === 'string' ? { authorization, cryptoKey } : { authorization }
  const subject = claims['sub']
  return {
    subject: typeof subject === 'string' ? subject : '',
    authorize: () => Promise.resolve(headers),
  }
}

function resolvePayload(payload: unknown): Uint8Array | null {
  return payload === null || payload === undefined ? null : payloadBytes(payload)
}

/**
 * Builds a Web Push request: encrypts the payload for the subscription (RFC 8291, or legacy
 * `aesgcm`), signs or attaches VAPID (RFC 8292), and sets `TTL`, `Urgency`, `Topic`,
 * `Content-Encoding` and the custom headers. Pure and runtime-agnostic: send the result with any
 * HTTP client (without following redirects), or print it with {@link toCurl}.
 *
 * Without a payload (`null`) the request has no body and no `Content-Encoding`: a "tickle" that
 * wakes the service worker (RFC 8030 §5). Per-service rules apply by endpoint host unless
 * `quirks: false` (see `pushServiceRules`).
 *
 * @param subscription - A {@link PushSubscriptionJSON} or a {@link ValidatedSubscription}.
 * @param payload - Text (UTF-8), bytes, or `null` for no payload.
 * @param options - VAPID, TTL, urgency, topic, coding, padding, custom headers.
 * @returns `{ url, method: 'POST', headers, body }`.
 * @throws {@link WebPushError} `ERR_WEBPUSH_INVALID_SUBSCRIPTION` (bad subscription),
 *   `ERR_WEBPUSH_PAYLOAD_TOO_LARGE` (the body would exceed 4096 octets: at most
 *   {@link MAX_PAYLOAD_BYTES} octets of `aes128gcm` payload), `ERR_WEBPUSH_QUIRK` (the options
 *   break a rule of the endpoint's push service). `TypeError`/`RangeError` for invalid options,
 *   including unknown option names.
 * @example
 *
 * ```ts
 * import { generateVapidKeys, VapidTokenCache } from '@pushcraft/vapid'
 * import { buildPushRequest, type PushSubscriptionJSON } from '@pushcraft/webpush/request'
 *
 * declare const subscription: PushSubscriptionJSON
 * const vapid = { keys: await generateVapidKeys(), subject: 'mailto:push@example.com', cache: new VapidTokenCache() }
 * const request = await buildPushRequest(subscription, JSON.stringify({ title: 'Hi' }), {
 *   vapid,
 *   ttl: 3600,
 *   urgency: 'high',
 * })
 * await fetch(request.url, { method: request.method, headers: request.headers, body: request.body, redirect: 'manual' })
 * ```
 */
export async function buildPushRequest(
  subscription: PushSubscriptionJSON,
  payload: PushPayload | null | undefined,
  options?: PushRequestOptions,
): Promise<PushRequest> {
  const opts: PushRequestOptions = options ?? {}
  if (!isRecord(options ?? {})) {
    throw new TypeError(`"options" must be an object, got ${describe(options)}`)
  }
  assertKnownKeys(opts, OPTIONS, 'buildPushRequest options')

  const parts = subscriptionParts(subscription, opts.allowHttp === true)
  const settings = encryptionSettings(opts)
  const requestedTtl = opts.ttl === undefined ? DEFAULT_TTL : validateTtl(opts.ttl)
  const urgency = opts.urgency === undefined ? undefined : validateUrgency(opts.urgency)
  const topic = opts.topic === undefined ? undefined : validateTopic(opts.topic)
  const custom = opts.headers === undefined ? undefined : normalizeCustomHeaders(opts.headers)
  const vapid = resolveVapid(opts.vapid, opts.vapidScheme, parts.origin, settings.contentEncoding)
  const rules = opts.quirks === false ? pushServiceRules('other') : rulesForHost(parts.host)
  const { ttl } = applyServiceRules(rules, {
    ttl: requestedTtl,
    contentEncoding: settings.contentEncoding,
    hasVapid: vapid !== undefined,
    subject: vapid?.subject,
  })
  const plaintext = resolvePayload(payload)

  const encryption = { ...settings, paddingBudget: rules.paddingBudget[settings.contentEncoding] }
  // Refuse an oversized payload before any cryptography, VAPID signing included.
  if (plaintext !== null) {
    assertPayloadFits(plaintext.length, paddingFor(plaintext.length, encryption), encryption)
  }

  // PushClient's encryption threads, when it has them (a symbol key, not a public option).
  const encryptor = (opts as { readonly [kEncryptor]?: Encryptor })[kEncryptor]
  // Encryption and VAPID signing are independent: run them side by side.
  let encrypted: EncryptedPushMessage | null = null
  let authorization: VapidHeaders | undefined
  if (plaintext !== null && vapid !== undefined) {
    ;[encrypted, authorization] = await Promise.all([
      encryptForParts(parts, plaintext, encryption, encryptor),
      vapid.authorize(),
    ])
  } else if (plaintext !== null) {
    encrypted = await encryptForParts(parts, plaintext, encryption, encryptor)
  } else if (vapid !== undefined) {
    authorization = await vapid.authorize()
  }

  // RFC 8030 §5.2: TTL is required on every request.
  const headers: Record<string, string> = { ttl: String(ttl) }
  if (urgency !== undefined) headers['urgency'] = urgency
  if (topic !== undefined) headers['topic'] = topic
  let cryptoKey: string | undefined
  if (encrypted !== null) {
    Object.assign(headers, encrypted.headers)
    cryptoKey = encrypted.headers['crypto-key']
  }
  if (authorization !== undefined) {
    headers['authorization'] = authorization.authorization
    if (authorization.cryptoKey !== undefined) {
      // draft-ietf-webpush-encryption-04 §4 / draft-ietf-webpush-vapid-01 §4: one Crypto-Key
      // header carries both the `dh` and the `p256ecdsa` parameters, separated by ";".
      cryptoKey =
        cryptoKey === undefined
          ? authorization.cryptoKey
          : `${cryptoKey};${authorization.cryptoKey}`
    }
  }
  if (cryptoKey !== undefined) headers['crypto-key'] = cryptoKey
  if (encrypted !== null) headers['content-type'] = 'application/octet-stream'
  headers['content-length'] = String(encrypted === null ? 0 : encrypted.body.length)
  if (custom !== undefined) Object.assign(headers, custom)

  return {
    url: parts.endpoint,
    method: 'POST',
    headers,
    body: encrypted === null ? null : (encrypted.body as Uint8Array<ArrayBuffer>),
  }
}

/**
 * Options of {@link toCurl}.
 *
 * @example
 *
 * ```ts
 * import type { CurlOptions } from '@pushcraft/webpush'
 * const options: CurlOptions = { bodyFile: '/tmp/push-body.bin' }
 * ```
 */
export interface CurlOptions {
  /** Where the caller writes the body; the command reads it with `--data-binary @file`. */
  readonly bodyFile?: string
}

/**
 * A `curl` invocation for a {@link PushRequest}: write `body` to `bodyFile`, then run `command`.
 *
 * @example
 *
 * ```ts
 * import type { CurlCommand } from '@pushcraft/webpush'
 * declare const curl: CurlCommand
 * console.log(curl.command)
 * ```
 */
export interface CurlCommand {
  /** The shell command (POSIX shell quoting). */
  readonly command: string
  /** The bytes to write to `bodyFile` first, or `null` for a message without payload. */
  readonly body: Uint8Array | null
  /** The file the command reads the body from, or `null` when there is no body. */
  readonly bodyFile: string | null
}

/** POSIX shell single-quoting: everything literal, `'` spelled as `'\''`. */
function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`
}

/**
 * Prints a request as a runnable `curl` command (pywebpush's curl mode): every header, the body
 * read from a file with `--data-binary` (the encrypted body is binary, so it cannot go on the
 * command line). The command includes the VAPID `Authorization`, a credential valid until its
 * `exp`: treat the output like one.
 *
 * @param request - A request from {@link buildPushRequest}.
 * @param options - `bodyFile` (default `push-body.bin`).
 * @returns The command, and the body bytes to write to `bodyFile` before running it.
 * @example
 *
 * ```ts
 * import { writeFile } from 'node:fs/promises'
 * import { buildPushRequest, toCurl, type PushSubscriptionJSON } from '@pushcraft/webpush'
 * declare const subscription: PushSubscriptionJSON
 * const curl = toCurl(await buildPushRequest(subscription, 'Hello'), { bodyFile: 'body.bin' })
 * if (curl.body !== null) await writeFile('body.bin', curl.body)
 * console.log(curl.command) // curl --include --request POST --header 'ttl: 2419200' …
 * ```
 */
export function toCurl(request: PushRequest, options?: CurlOptions): CurlCommand {
  if (!isRecord(request) || typeof request.url !== 'string' || !isRecord(request.headers)) {
    throw new TypeError('"request" must be a PushRequest from buildPushRequest()')
  }
  const bodyFile = options?.bodyFile ?? 'push-body.bin'
  if (typeof bodyFile !== 'string' || bodyFile.length === 0) {
    throw new TypeError('"bodyFile" must be a non-empty string')
  }
  const hasBody = request.body !== null && request.body.length > 0
  const parts = ['curl', '--include', '--request', request.method]
  for (const [name, value] of Object.entries(request.headers)) {
    // curl computes Content-Length from the file itself.
    if (hasBody && name.toLowerCase() === 'content-length') continue
    parts.push('--header', shellQuote(`${name}: ${value}`))
  }
  if (hasBody) parts.push('--data-binary', `@${shellQuote(bodyFile)}`)
  parts.push(shellQuote(request.url))
  return {
    command: parts.join(' '),
    body: hasBody ? request.body : null,
    bodyFile: hasBody ? bodyFile : null,
  }
}
