/**
 * Push service responses (RFC 8030 §5): {@link PushResult} for a delivered message and
 * {@link PushServiceError} for everything else, classified across FCM, Mozilla autopush, Apple and
 * Windows WNS so callers branch on one `kind` instead of re-deriving each service's table.
 *
 * Pure and runtime-agnostic: no undici, no `node:*`.
 *
 * @module
 */

import { WebPushError } from './errors.js'
import { identifyPushService, type PushServiceId } from './quirks.js'

/**
 * What a failed push means for the caller, across push services.
 *
 * - `gone`: 404/410 — the subscription is dead; delete it.
 * - `vapidKeyMismatch`: the subscription was created with another application server key (FCM 403
 *   "…does not correspond to the sender ID…" or, since 2025, "the VAPID credentials … do not
 *   correspond to the credentials used to create the subscriptions.", Mozilla 401 errno 109 "VAPID
 *   public key mismatch", Apple `VapidPkHashMismatch`); the browser must resubscribe with the
 *   current key.
 * - `badJwt`: the VAPID JWT was refused (bad signature, expired, wrong `aud`, bad `sub`: Apple
 *   `BadJwtToken`/`ExpiredJwtToken`, Mozilla errno 109 with a token reason).
 * - `unauthorized`: 401/403 without a more specific reason (missing `Authorization`, unknown
 *   scheme).
 * - `payloadTooLarge`: 413, Mozilla errno 104, Apple `PayloadTooLarge`.
 * - `rateLimited`: 429, WNS 406 (throttled), Apple `TooManyRequests`; see `retryAfter`.
 * - `transient`: 5xx; retry later.
 * - `badRequest`: anything else (400, 405, a 3xx that was not followed, …); see `reason`.
 *
 * @example
 *
 * ```ts
 * import type { PushServiceErrorKind } from '@pushcraft/webpush'
 * const kind: PushServiceErrorKind = 'gone'
 * ```
 */
export type PushServiceErrorKind =
  | 'gone'
  | 'vapidKeyMismatch'
  | 'badJwt'
  | 'unauthorized'
  | 'payloadTooLarge'
  | 'rateLimited'
  | 'transient'
  | 'badRequest'

/**
 * The most bytes of a push service's response body kept on a {@link PushServiceError} (64 KiB).
 * Push services answer with a few hundred bytes; the cap keeps a hostile endpoint from making us
 * buffer without limit.
 *
 * @example
 *
 * ```ts
 * import { MAX_RESPONSE_BODY_BYTES } from '@pushcraft/webpush'
 * console.log(MAX_RESPONSE_BODY_BYTES) // 65536
 * ```
 */
export const MAX_RESPONSE_BODY_BYTES = 65_536

/**
 * A push service's HTTP response, as the classifier needs it. Header names are lower-case.
 *
 * @example
 *
 * ```ts
 * import type { PushServiceResponse } from '@pushcraft/webpush'
 * const response: PushServiceResponse = {
 *   endpoint: 'https://updates.push.services.mozilla.com/wpush/v2/abc',
 *   statusCode: 410,
 *   headers: { 'content-type': 'application/json' },
 *   body: '{"code":410,"errno":103,"error":"Gone","message":"Expired URL endpoint"}',
 * }
 * ```
 */
export interface PushServiceResponse {
  /** The subscription endpoint the request went to. */
  readonly endpoint: string
  /** The HTTP status code. */
  readonly statusCode: number
  /** Response headers, names lower-cased, repeated values joined with `, `. */
  readonly headers: Readonly<Record<string, string>>
  /** The response body as text, at most {@link MAX_RESPONSE_BODY_BYTES} bytes of it. */
  readonly body: string
}

/**
 * The verdict of {@link classifyPushResponse} on a non-2xx response.
 *
 * @example
 *
 * ```ts
 * import { classifyPushResponse, type PushResponseClassification } from '@pushcraft/webpush'
 * const verdict: PushResponseClassification = classifyPushResponse({
 *   endpoint: 'https://web.push.apple.com/QGx',
 *   statusCode: 410,
 *   headers: {},
 *   body: '{"reason":"Unregistered"}',
 * })
 * console.log(verdict.kind) // 'gone'
 * ```
 */
export interface PushResponseClassification {
  /** What the failure means (see {@link PushServiceErrorKind}). */
  readonly kind: PushServiceErrorKind
  /** The push service, detected from the endpoint host (and WNS headers). */
  readonly service: PushServiceId
  /**
   * The service's own reason: Apple's JSON `reason`, Mozilla's JSON `message`, WNS's
   * `X-WNS-Error-Description` (or `X-WNS-Status`), otherwise the first line of a text body (at most
   * 200 characters).
   */
  readonly reason?: string
  /** Mozilla autopush's `errno`, when the body carries one. */
  readonly errno?: number
  /** Milliseconds to wait before retrying, from `Retry-After` (RFC 9110 §10.2.3). */
  readonly retryAfter?: number
  /** `true` for `gone`: delete the subscription. */
  readonly isGone: boolean
  /** `true` for `rateLimited` and `transient`. */
  readonly isRetryable: boolean
}

/**
 * A message the push service accepted (RFC 8030 §5: `201 Created`; WNS also answers `200`).
 *
 * @example
 *
 * ```ts
 * import type { PushResult } from '@pushcraft/webpush'
 * function log(result: PushResult): void {
 *   console.log(result.status, result.ttl, result.messageId)
 * }
 * ```
 */
export interface PushResult {
  /** The HTTP status code (2xx). */
  readonly status: number
  /** The subscription endpoint. */
  readonly endpoint: string
  /** The push service, detected from the endpoint host. */
  readonly service: PushServiceId
  /**
   * The TTL in seconds the service applied: its `TTL` response header when present (RFC 8030 §5.2:
   * a service that keeps the message for less time says so), otherwise the TTL that was sent.
   */
  readonly ttl?: number
  /** The `Location` header: the push message resource (RFC 8030 §5). */
  readonly location?: string
  /**
   * The message id: Apple's `apns-id`, WNS's `X-WNS-Msg-ID`, otherwise the last path segment of
   * `Location` (FCM `0:…`, Mozilla `gAAAA…`).
   */
  readonly messageId?: string
  /** The `Topic` header that was sent, if any (RFC 8030 §5.4). */
  readonly topic?: string
  /** How many attempts it took (1 without retries). */
  readonly attempts: number
}

/**
 * Parses a `Retry-After` header (RFC 9110 §10.2.3): `delay-seconds` or an `HTTP-date`.
 *
 * @param value - The header value.
 * @returns Milliseconds to wait (never negative), or `undefined` when absent or unparsable.
 * @example
 *
 * ```ts
 * import { parseRetryAfter } from '@pushcraft/webpush'
 * parseRetryAfter('120') // 120000
 * parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT') // 0 (in the past)
 * ```
 */
export function parseRetryAfter(value: string | null | undefined): number | undefined {
  if (value === undefined || value === null) return undefined
  const text = value.trim()
  if (text === '') return undefined
  // RFC 9110 §10.2.3: delay-seconds = 1*DIGIT
  if (/^\d+$/.test(text)) return Number(text) * 1000
  // RFC 9110 §5.6.7: HTTP-date (IMF-fixdate, or the obsolete RFC 850/asctime forms Date.parse reads).
  if (!/[a-z]/i.test(text)) return undefined
  const at = Date.parse(text)
  if (Number.isNaN(at)) return undefined
  return Math.max(0, at - Date.now())
}

const APPLE_REASONS: Readonly<Record<string, PushServiceErrorKind>> = {
  VapidPkHashMismatch: 'vapidKeyMismatch',
  BadJwtToken: 'badJwt',
  ExpiredJwtToken: 'badJwt',
  InvalidProviderToken: 'badJwt',
  ExpiredProviderToken: 'badJwt',
  MissingProviderToken: 'unauthorized',
  Forbidden: 'unauthorized',
  Unregistered: 'gone',
  ExpiredToken: 'gone',
  PayloadTooLarge: 'payloadTooLarge',
  TooManyRequests: 'rateLimited',
  TooManyProviderTokenUpdates: 'rateLimited',
  InternalServerError: 'transient',
  ServiceUnavailable: 'transient',
  Shutdown: 'transient',
}

// The phrases of a VAPID key mismatch, in any case and with any whitespace (bodies get wrapped):
// - FCM until 2025: "the key in the authorization header does not correspond to the sender ID used
//   to subscribe this user…" (web-push-libs/web-push#600);
// - FCM since 2025: "the VAPID credentials in the authorization header do not correspond to the
//   credentials used to create the subscriptions." (web-push-libs/web-push#941);
// - GCM: `MismatchSenderId`, `UnauthorizedRegistration`; Mozilla: "VAPID public key mismatch";
//   Apple: `VapidPkHashMismatch` (also mapped from its JSON `reason`).
const KEY_MISMATCH_TEXT =
  /\bdo(?:es)?\s+not\s+correspond\s+to\s+the\s+(?:sender\s+id|credentials)\b|mismatchsenderid|unauthorizedregistration|\bkey\s+mismatch\b|vapidpkhashmismatch/i
const MISSING_AUTH_TEXT = /missing|must be specified|unknown auth scheme|no authorization/i
const JWT_TEXT = /\bjwt\b|token|expir|audience|\baud\b|signature|claim|subject|\bsub\b/i
const MAX_REASON_LENGTH = 200

interface ParsedBody {
  readonly reason?: string
  readonly errno?: number
  readonly appleReason?: string
  readonly text: string
}

function parseBody(response: PushServiceResponse): ParsedBody {
  const body = response.body.trim()
  const text = body.slice(0, 4096)
  const wnsDescription = response.headers['x-wns-error-description']
  const wnsStatus = response.headers['x-wns-status']
  if (body.startsWith('{')) {
    try {
      const json: unknown = JSON.parse(body)
      if (typeof json === 'object' && json !== null) {
        const record = json as Record<string, unknown>
        // Apple: {"reason":"BadJwtToken"} (Sending web push notifications in web apps and browsers).
        if (typeof record.reason === 'string' && record.errno === undefined) {
          return { reason: clip(record.reason), appleReason: record.reason, text }
        }
        // Mozilla autopush: {"code":401,"errno":109,"error":"Unauthorized","message":"…"}.
        const errno = typeof record.errno === 'number' ? record.errno : undefined
        const message = typeof record.message === 'string' ? record.message : undefined
        const error = typeof record.error === 'string' ? record.error : undefined
        const reason = message ?? error
        return {
          ...(reason === undefined ? {} : { reason: clip(reason) }),
          ...(errno === undefined ? {} : { errno }),
          text: [message, error].filter((part) => part !== undefined).join(' '),
        }
      }
    } catch {
      // Not JSON after all: fall through to text.
    }
  }
  // WNS: X-WNS-Error-Description / X-WNS-Status headers, usually an empty body.
  if (wnsDescription !== undefined && wnsDescription !== '') {
    return { reason: clip(wnsDescription), text: `${wnsDescription} ${text}` }
  }
  const firstLine = stripMarkup(body).split('\n', 1)[0]?.trim() ?? ''
  if (firstLine !== '') return { reason: clip(firstLine), text: stripMarkup(text) }
  if (wnsStatus !== undefined && wnsStatus !== '') return { reason: clip(wnsStatus), text }
  return { text }
}

// GCM-era answers were small HTML pages (<TITLE>UnauthorizedRegistration</TITLE>): keep the words.
function stripMarkup(text: string): string {
  if (!text.startsWith('<')) return text
  const title = /<title>([^<]*)<\/title>/i.exec(text)?.[1]
  return (title ?? text.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim()
}

function clip(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim()
  return oneLine.length > MAX_REASON_LENGTH
    ? `${oneLine.slice(0, MAX_REASON_LENGTH - 1)}…`
    : oneLine
}

function isWns(response: PushServiceResponse, service: PushServiceId): boolean {
  if (service === 'wns') return true
  return Object.keys(response.headers).some((name) => name.startsWith('x-wns-'))
}

function kindOf(
  response: PushServiceResponse,
  parsed: ParsedBody,
  service: PushServiceId,
): PushServiceErrorKind {
  const status = response.statusCode
  const apple = parsed.appleReason === undefined ? undefined : APPLE_REASONS[parsed.appleReason]
  // RFC 8030 §7.3 / every service: the subscription no longer exists.
  if (status === 404 || status === 410 || apple === 'gone') return 'gone'
  // RFC 9110 §15.5.14; Mozilla errno 104 "Data payload too large".
  if (status === 413 || parsed.errno === 104 || apple === 'payloadTooLarge') {
    return 'payloadTooLarge'
  }
  // RFC 6585 §4; WNS answers 406 Not Acceptable when a channel is throttled.
  if (status === 429 || apple === 'rateLimited') return 'rateLimited'
  if (status === 406 && isWns(response, service)) return 'rateLimited'
  if (status >= 500 && status <= 599) return 'transient'
  if (apple !== undefined) {
    if (apple === 'transient') return 'transient'
    return apple
  }
  const text = parsed.text
  if (status === 401 || status === 403) {
    if (KEY_MISMATCH_TEXT.test(text)) return 'vapidKeyMismatch'
    if (MISSING_AUTH_TEXT.test(text)) return 'unauthorized'
    // Mozilla answers errno 109 for every VAPID failure (autopush-rs `ApiErrorKind::errno`); only
    // the message separates a key mismatch (above) from a token problem.
    if (JWT_TEXT.test(text)) return 'badJwt'
    return 'unauthorized'
  }
  if (status === 400) {
    if (KEY_MISMATCH_TEXT.test(text)) return 'vapidKeyMismatch'
    if (/\bjwt\b/i.test(text)) return 'badJwt'
  }
  return 'badRequest'
}

/**
 * Classifies a push service's non-2xx response (see {@link PushServiceErrorKind} for the table).
 * The rules look at the status first, then at each service's reason format (Apple JSON `reason`,
 * Mozilla JSON `errno`/`message`, WNS `X-WNS-*` headers, FCM text), so they also work for a
 * self-hosted or mock service speaking one of those dialects.
 *
 * @param response - The response (status, lower-case headers, body text).
 * @returns The verdict: `kind`, `service`, `reason`, `errno`, `retryAfter`, `isGone`,
 *   `isRetryable`.
 * @example
 *
 * ```ts
 * import { classifyPushResponse } from '@pushcraft/webpush'
 * const verdict = classifyPushResponse({
 *   endpoint: 'https://fcm.googleapis.com/fcm/send/abc',
 *   statusCode: 429,
 *   headers: { 'retry-after': '30' },
 *   body: '',
 * })
 * console.log(verdict.kind, verdict.retryAfter) // 'rateLimited' 30000
 * ```
 */
export function classifyPushResponse(response: PushServiceResponse): PushResponseClassification {
  const detected = identifyPushService(response.endpoint)
  const service: PushServiceId =
    detected === 'other' && isWns(response, detected) ? 'wns' : detected
  const body = parseBody(response)
  // RFC 9110 §15.4: a redirect is never followed (the endpoint is attacker-controlled data).
  const parsed: ParsedBody =
    body.reason === undefined && response.statusCode >= 300 && response.statusCode <= 399
      ? { ...body, reason: 'redirect not followed' }
      : body
  const kind = kindOf(response, parsed, service)
  const retryAfter = parseRetryAfter(response.headers['retry-after'])
  return {
    kind,
    service,
    ...(parsed.reason === undefined ? {} : { reason: parsed.reason }),
    ...(parsed.errno === undefined ? {} : { errno: parsed.errno }),
    ...(retryAfter === undefined ? {} : { retryAfter }),
    isGone: kind === 'gone',
    isRetryable: kind === 'rateLimited' || kind === 'transient',
  }
}

const kPushServiceError = Symbol.for('@pushcraft/webpush.PushServiceError')

/**
 * A push service answered with a non-2xx status (`code: 'ERR_WEBPUSH_PUSH_SERVICE'`). Carries the
 * response (status, headers, body capped at {@link MAX_RESPONSE_BODY_BYTES}) and its classification,
 * like vercel/ai's `APICallError`.
 *
 * @example
 *
 * ```ts
 * import { PushServiceError } from '@pushcraft/webpush'
 * async function deliver(send: () => Promise<unknown>, remove: () => Promise<void>): Promise<void> {
 *   try {
 *     await send()
 *   } catch (error) {
 *     if (error instanceof PushServiceError && error.isGone) await remove()
 *     else throw error
 *   }
 * }
 * ```
 */
export class PushServiceError extends WebPushError {
  /** The HTTP status code. */
  readonly statusCode: number
  /** Response headers, names lower-cased. */
  readonly headers: Readonly<Record<string, string>>
  /** The response body text (at most 64 KiB). */
  readonly body: string
  /** The subscription endpoint. */
  readonly endpoint: string
  /** What the failure means. */
  readonly kind: PushServiceErrorKind
  /** The push service, detected from the endpoint host. */
  readonly service: PushServiceId
  /** Mozilla autopush's `errno`, when present. */
  readonly errno?: number
  /** Milliseconds to wait before retrying (`Retry-After`), when the service said. */
  readonly retryAfter?: number
  /** The `Location` header (e.g. of a 3xx that was not followed). */
  readonly location?: string
  /** `true` when the subscription is gone (404/410): delete it. */
  readonly isGone: boolean
  /** `true` for `rateLimited` and `transient` failures. */
  readonly isRetryable: boolean

  /**
   * @param response - The push service's response; it is classified with
   *   {@link classifyPushResponse}.
   */
  constructor(response: PushServiceResponse) {
    const verdict = classifyPushResponse(response)
    const origin = originOf(response.endpoint)
    const detail = verdict.reason === undefined ? '' : `: ${verdict.reason}`
    super(
      'ERR_WEBPUSH_PUSH_SERVICE',
      `push service ${origin} answered ${response.statusCode} (${verdict.kind})${detail}`,
      verdict.reason === undefined ? {} : { reason: verdict.reason },
    )
    this.name = 'PushServiceError'
    this.statusCode = response.statusCode
    this.headers = response.headers
    this.body = response.body
    this.endpoint = response.endpoint
    this.kind = verdict.kind
    this.service = verdict.service
    if (verdict.errno !== undefined) this.errno = verdict.errno
    if (verdict.retryAfter !== undefined) this.retryAfter = verdict.retryAfter
    const location = response.headers.location
    if (location !== undefined) this.location = location
    this.isGone = verdict.isGone
    this.isRetryable = verdict.isRetryable
  }

  /**
   * `instanceof PushServiceError` works across duplicate installs of the package.
   *
   * @param value - The value to test.
   * @returns Whether `value` is a `PushServiceError` from any copy of this package.
   */
  static override [Symbol.hasInstance](value: unknown): value is PushServiceError {
    if (this !== PushServiceError) return Function.prototype[Symbol.hasInstance].call(this, value)
    return typeof value === 'object' && value !== null && kPushServiceError in value
  }
}
Object.defineProperty(PushServiceError.prototype, kPushServiceError, { value: true })

/**
 * Whether a caught value is a {@link PushServiceError} (from any copy of the package).
 *
 * @param value - Anything caught.
 * @returns `true` for a `PushServiceError`.
 * @example
 *
 * ```ts
 * import { isPushServiceError } from '@pushcraft/webpush'
 * const error: unknown = new Error('x')
 * if (isPushServiceError(error) && error.isGone) console.log('delete', error.endpoint)
 * ```
 */
export function isPushServiceError(value: unknown): value is PushServiceError {
  return value instanceof PushServiceError
}

/**
 * Whether a failed send is worth retrying: a retryable {@link PushServiceError} (`rateLimited`,
 * `transient`) or a request that did not complete (`ERR_WEBPUSH_REQUEST_FAILED`, except a timeout
 * or abort the caller asked for, which never reaches here).
 *
 * @param error - The caught error.
 * @returns `true` when a retry may succeed.
 * @example
 *
 * ```ts
 * import { isRetryableError } from '@pushcraft/webpush'
 * console.log(isRetryableError(new Error('boom'))) // false
 * ```
 */
export function isRetryableError(error: unknown): boolean {
  if (error instanceof PushServiceError) return error.isRetryable
  return error instanceof WebPushError && error.code === 'ERR_WEBPUSH_REQUEST_FAILED'
}

/**
 * Builds the {@link PushResult} of a 2xx response.
 *
 * @param response - The response (`body` is ignored).
 * @param request - What was sent: the `TTL` and `Topic` header values, and the attempt count.
 * @returns The result.
 * @example
 *
 * ```ts
 * import { createPushResult } from '@pushcraft/webpush'
 * const result = createPushResult(
 *   {
 *     endpoint: 'https://fcm.googleapis.com/fcm/send/abc',
 *     statusCode: 201,
 *     headers: { location: 'https://fcm.googleapis.com/0:1%abc' },
 *     body: '',
 *   },
 *   { ttl: 60 },
 * )
 * console.log(result.messageId) // '0:1%abc'
 * ```
 */
export function createPushResult(
  response: PushServiceResponse,
  request: { readonly ttl?: number; readonly topic?: string; readonly attempts?: number } = {},
): PushResult {
  const headers = response.headers
  return pushResultOf(
    response.statusCode,
    response.endpoint,
    identifyPushService(response.endpoint),
    {
      ttl: headers.ttl,
      location: headers.location,
      messageId: headers['apns-id'] ?? headers['x-wns-msg-id'],
    },
    request,
  )
}

/**
 * The headers of a 2xx answer that a {@link PushResult} reports.
 *
 * @internal Used by the sender; not exported from the package entry.
 */
export interface PushResultHeaders {
  /** `TTL`. */
  readonly ttl: string | undefined
  /** `Location`. */
  readonly location: string | undefined
  /** `apns-id`, else `X-WNS-Msg-ID`. */
  readonly messageId: string | undefined
}

/**
 * {@link createPushResult} from its parts, for a sender that knows the push service already.
 *
 * @internal Used by the sender; not exported from the package entry.
 * @param status - The 2xx status.
 * @param endpoint - The subscription endpoint.
 * @param service - Its push service.
 * @param headers - The response headers it reads.
 * @param request - The `TTL` and `Topic` sent, and the attempt count.
 * @returns The result.
 */
export function pushResultOf(
  status: number,
  endpoint: string,
  service: PushServiceId,
  headers: PushResultHeaders,
  request: {
    readonly ttl?: number | undefined
    readonly topic?: string | undefined
    readonly attempts?: number | undefined
  },
): PushResult {
  // RFC 8030 §5.2: a service that keeps the message for less time answers with its own TTL.
  const appliedTtl = headers.ttl === undefined ? undefined : Number(headers.ttl.trim())
  const ttl =
    appliedTtl !== undefined && Number.isSafeInteger(appliedTtl) && appliedTtl >= 0
      ? appliedTtl
      : request.ttl
  const location = headers.location
  const messageId = headers.messageId ?? lastSegment(location)
  // The fields in their declared order, the optional ones only when present.
  const result: { -readonly [K in keyof PushResult]?: PushResult[K] } = {
    status,
    endpoint,
    service,
  }
  if (ttl !== undefined) result.ttl = ttl
  if (location !== undefined) result.location = location
  if (messageId !== undefined) result.messageId = messageId
  if (request.topic !== undefined) result.topic = request.topic
  result.attempts = request.attempts ?? 1
  return result as PushResult
}

// A `Location` whose path the WHATWG URL parser returns unchanged: an optional plain host (DNS
// labels, the last one starting with a letter so that it is no IPv4 address; no IDNA `xn--` label;
// a port below 10000), then path characters outside every percent-encode set, without dot
// segments (`.`, `%2e`) or backslashes, up to the query or fragment.
const PLAIN_LOCATION =
  /^(?:https?:\/\/(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)*[a-z](?:[a-z0-9-]*[a-z0-9])?(?::\d{1,4})?)?(\/(?!\/)[\w\-.~!$&()*+,;=:@%/]*)?(?:[?#]|$)/i
const NOT_PLAIN = /\/\.|%2e|xn--/i

// The path of a `Location` value (relative ones resolve against a dummy base), or the raw value
// when it does not parse as a URL.
function locationPath(location: string): string {
  const plain = PLAIN_LOCATION.exec(location)
  if (plain !== null && !NOT_PLAIN.test(plain[0])) return plain[1] ?? '/'
  try {
    return new URL(location, 'https://invalid.invalid').pathname
  } catch {
    return location
  }
}

function lastSegment(location: string | undefined): string | undefined {
  if (location === undefined || location === '') return undefined
  const path = locationPath(location)
  // The last non-empty segment.
  let end = path.length
  while (end > 0 && path.charCodeAt(end - 1) === 0x2f) end -= 1
  if (end === 0) return undefined
  const segment = path.slice(path.lastIndexOf('/', end - 1) + 1, end)
  if (!segment.includes('%')) return segment
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}

function originOf(endpoint: string): string {
  try {
    return new URL(endpoint).origin
  } catch {
    return '(invalid endpoint)'
  }
}
