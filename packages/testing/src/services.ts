/**
 * How the real push services answer: FCM (Chrome), Mozilla autopush (Firefox), Apple (Safari)
 * and WNS (Edge). The status codes, bodies and headers are the shapes these services are
 * documented or observed to send (sources in the README), so a sender's response classifier
 * can be tested against them without the internet.
 *
 * @module
 */

import { randomBytes, toBase64Url } from './internal/bytes.js'

/**
 * The push services the kit emulates.
 *
 * - `mozilla`: autopush (`updates.push.services.mozilla.com`, paths `/wpush/v1|v2/…`).
 * - `fcm`: Firebase Cloud Messaging's Web Push endpoint (`fcm.googleapis.com/fcm/send/…`).
 * - `apple`: Apple's Web Push service (`web.push.apple.com/<token>`).
 * - `wns`: Windows Push Notification Services' Web Push endpoint (`*.notify.windows.com/w/?token=…`).
 *
 * @example
 *
 * ```ts
 * import type { PushServiceName } from '@pushcraft/testing'
 * const service: PushServiceName = 'fcm'
 * ```
 */
export type PushServiceName = 'mozilla' | 'fcm' | 'apple' | 'wns'

/**
 * Why the mock push service refuses a request. Each maps to the answer every emulated service
 * gives for it ({@link serviceResponse}).
 *
 * @example
 *
 * ```ts
 * import type { PushRejectionReason } from '@pushcraft/testing'
 * const reason: PushRejectionReason = 'vapidKeyMismatch'
 * ```
 */
export type PushRejectionReason =
  | 'missingAuthorization'
  | 'badAuthorization'
  | 'badJwt'
  | 'expiredJwt'
  | 'badAudience'
  | 'badExpiration'
  | 'badSubject'
  | 'vapidKeyMismatch'
  | 'missingTtl'
  | 'badTtl'
  | 'badUrgency'
  | 'badTopic'
  | 'badEncoding'
  | 'badCryptoHeaders'
  | 'decryptionFailed'
  | 'payloadTooLarge'
  | 'gone'
  | 'notFound'
  | 'methodNotAllowed'
  | 'rateLimited'
  | 'serverError'

/**
 * An HTTP answer: status, headers (lower-case names) and body text.
 *
 * @example
 *
 * ```ts
 * import type { MockResponse } from '@pushcraft/testing'
 * const response: MockResponse = { status: 201, headers: {}, body: '' }
 * ```
 */
export interface MockResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/**
 * Options of {@link serviceResponse}.
 *
 * @example
 *
 * ```ts
 * import type { ServiceResponseOptions } from '@pushcraft/testing'
 * const options: ServiceResponseOptions = { retryAfter: 30 }
 * ```
 */
export interface ServiceResponseOptions {
  /** `Retry-After` in seconds (or an HTTP date) for `rateLimited`/`serverError`. */
  readonly retryAfter?: number | string | undefined
  /** The status for `gone` (404 or 410, default 410) and `serverError` (default 503). */
  readonly status?: number | undefined
  /** A detail to put in the message where the service's body has one (Mozilla's `message`). */
  readonly detail?: string | undefined
  /**
   * Which wording where a service changed it: `'classic'` (default) or `'current'`. FCM's VAPID key
   * mismatch text was "the key in the authorization header does not correspond to the sender ID
   * used to subscribe this user…" for years and is "the VAPID credentials in the authorization
   * header do not correspond to the credentials used to create the subscriptions." since 2025; a
   * classifier should recognize both.
   */
  readonly variant?: 'classic' | 'current' | undefined
}

const MOZILLA_MORE_INFO = 'http://autopush.readthedocs.io/en/latest/http.html#error-codes'

const REASON_PHRASES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  410: 'Gone',
  413: 'Payload Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
}

/**
 * The answer an emulated push service gives when it refuses a message for `reason`.
 *
 * - **mozilla** (autopush-rs `ApiError`): JSON `{ code, errno, error, message, more_info }`;
 *   errno 109 for every VAPID problem (401), 104 payload too large (413), 106 gone (410, with
 *   `Cache-Control: max-age=86400`), 111 missing TTL, 110 bad crypto headers (400).
 * - **fcm**: `text/plain` bodies: 403 "the key in the authorization header does not correspond to
 *   the sender ID used to subscribe this user…" for a VAPID key mismatch, 403 "permission denied:
 *   invalid JWT provided", 401 "authorization header must be specified.", 410 "push subscription
 *   has unsubscribed or expired.".
 * - **apple**: JSON `{ "reason": … }` with an `apns-id` header: 400 `VapidPkHashMismatch`, 403
 *   `BadJwtToken`/`ExpiredJwtToken`, 413 `PayloadTooLarge`, 410 `Unregistered`, 429
 *   `TooManyRequests`.
 * - **wns**: empty bodies, `X-WNS-Status`/`X-WNS-Error-Description`/`X-WNS-Msg-Id`/
 *   `X-WNS-Debug-Trace` headers; 406 when throttled, 410 when the channel expired.
 *
 * @param service - The service to emulate.
 * @param reason - Why the message is refused.
 * @param options - `retryAfter`, `status` (gone 404/410, server error 5xx) and a `detail`.
 * @returns The status, headers and body text.
 * @example
 *
 * ```ts
 * import { serviceResponse } from '@pushcraft/testing'
 * const answer = serviceResponse('fcm', 'vapidKeyMismatch')
 * console.log(answer.status) // 403
 * ```
 */
export function serviceResponse(
  service: PushServiceName,
  reason: PushRejectionReason,
  options: ServiceResponseOptions = {},
): MockResponse {
  switch (service) {
    case 'mozilla':
      return mozillaResponse(reason, options)
    case 'fcm':
      return fcmResponse(reason, options)
    case 'apple':
      return appleResponse(reason, options)
    case 'wns':
      return wnsResponse(reason, options)
  }
}

/**
 * The success answer (201 Created) each emulated service gives for an accepted message.
 *
 * @param service - The service to emulate.
 * @param options - `origin`: the service's origin (for `Location`); `messageId`; `ttl`: the TTL
 *   the service applied.
 * @returns The status, headers and (empty) body.
 * @example
 *
 * ```ts
 * import { serviceSuccessResponse } from '@pushcraft/testing'
 * const answer = serviceSuccessResponse('mozilla', { origin: 'https://127.0.0.1:4433', messageId: 'abc', ttl: 60 })
 * console.log(answer.headers.location)
 * ```
 */
export function serviceSuccessResponse(
  service: PushServiceName,
  options: { readonly origin: string; readonly messageId: string; readonly ttl: number },
): MockResponse {
  switch (service) {
    case 'mozilla':
      // autopush: 201 with the message's URL and the TTL it will keep the message for.
      return {
        status: 201,
        headers: { location: `${options.origin}/m/${options.messageId}`, ttl: String(options.ttl) },
        body: '',
      }
    case 'fcm':
      return {
        status: 201,
        headers: {
          location: `${options.origin}/0:${options.messageId}`,
          'content-type': 'text/plain; charset=utf-8',
          'x-content-type-options': 'nosniff',
        },
        body: '',
      }
    case 'apple':
      return { status: 201, headers: { 'apns-id': uuid() }, body: '' }
    case 'wns':
      return {
        status: 201,
        headers: {
          'x-wns-status': 'received',
          'x-wns-msg-id': options.messageId.slice(0, 16),
          'x-wns-debug-trace': 'MOCKWNS',
        },
        body: '',
      }
  }
}

function mozillaResponse(
  reason: PushRejectionReason,
  options: ServiceResponseOptions,
): MockResponse {
  const json = (
    status: number,
    errno: number | null,
    message: string,
    headers: Record<string, string> = {},
  ): MockResponse => ({
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({
      code: status,
      errno,
      error: REASON_PHRASES[status] ?? 'Error',
      message: options.detail === undefined ? message : `${message}: ${options.detail}`,
      more_info: MOZILLA_MORE_INFO,
    }),
  })
  switch (reason) {
    case 'missingAuthorization':
      return json(401, 109, 'Missing VAPID token')
    case 'badAuthorization':
      return json(401, 109, 'Unknown auth scheme')
    case 'badJwt':
      return json(401, 109, 'Invalid VAPID token: InvalidSignature')
    case 'expiredJwt':
      return json(401, 109, 'Invalid VAPID token: ExpiredSignature')
    case 'badAudience':
      return json(401, 109, 'Invalid VAPID audience')
    case 'badExpiration':
      return json(401, 109, 'The VAPID token expiration is too long')
    case 'badSubject':
      return json(
        401,
        109,
        'Invalid VAPID token: A value in the vapid claims is either missing or incorrectly specified (e.g. "exp":"12345" or "sub":null). Please correct and retry.',
      )
    case 'vapidKeyMismatch':
      return json(401, 109, 'VAPID public key mismatch')
    case 'missingTtl':
      return json(400, 111, 'Missing TTL value')
    case 'badTtl':
      return json(400, 112, 'Invalid TTL value')
    case 'badUrgency':
      return json(400, 110, 'Invalid Urgency header')
    case 'badTopic':
      return json(400, 113, 'Invalid Topic header')
    case 'badEncoding':
      return json(400, 110, 'Unknown Content-Encoding header')
    case 'badCryptoHeaders':
      return json(400, 101, 'Missing necessary crypto keys')
    case 'decryptionFailed':
      // Not something autopush can see (it never decrypts); the strict mock reports it as
      // invalid crypto so the sender's test fails at the push request, not in a browser.
      return json(
        400,
        110,
        'Invalid crypto keys specified (the mock push service could not decrypt the message)',
      )
    case 'payloadTooLarge':
      return json(413, 104, 'A payload reached size limit.')
    case 'gone':
      return options.status === 404
        ? json(404, 102, 'Invalid token')
        : json(410, 106, 'No such subscription', { 'cache-control': 'max-age=86400' })
    case 'notFound':
      return json(404, 102, 'Invalid token')
    case 'methodNotAllowed':
      return json(405, null, 'Method Not Allowed')
    case 'rateLimited':
      return json(429, null, 'Too Many Requests', retryAfterHeader(options.retryAfter ?? 120))
    case 'serverError': {
      const status = options.status ?? 503
      return json(
        status,
        999,
        'General error',
        status === 503
          ? retryAfterHeader(options.retryAfter ?? 120)
          : retryAfterHeader(options.retryAfter),
      )
    }
  }
}

function fcmResponse(reason: PushRejectionReason, options: ServiceResponseOptions): MockResponse {
  const text = (
    status: number,
    body: string,
    headers: Record<string, string> = {},
  ): MockResponse => ({
    status,
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'SAMEORIGIN',
      'x-xss-protection': '0',
      ...headers,
    },
    body: body + '\n',
  })
  switch (reason) {
    case 'missingAuthorization':
      return text(401, 'authorization header must be specified.')
    case 'badAuthorization':
    case 'badJwt':
    case 'expiredJwt':
    case 'badAudience':
    case 'badSubject':
      return text(403, 'permission denied: invalid JWT provided')
    case 'badExpiration':
      return text(403, 'exp claim MUST NOT be more than 24 hours from the time of the request')
    case 'vapidKeyMismatch':
      return options.variant === 'current'
        ? text(
            403,
            'the VAPID credentials in the authorization header do not correspond to the credentials used to create the subscriptions.',
          )
        : text(
            403,
            'the key in the authorization header does not correspond to the sender ID used to subscribe this user. Please ensure you are using the correct sender ID and server Key from the Firebase console.',
          )
    case 'missingTtl':
    case 'badTtl':
      return text(400, 'TTL header is invalid or missing.')
    case 'badUrgency':
      return text(400, 'urgency header is invalid.')
    case 'badTopic':
      return text(400, 'topic header is invalid.')
    case 'badEncoding':
    case 'badCryptoHeaders':
      return text(400, 'crypto-key header had an invalid format.')
    case 'decryptionFailed':
      return text(400, 'the mock push service could not decrypt the message.')
    case 'payloadTooLarge':
      return text(413, 'Request Entity Too Large')
    case 'gone':
      return options.status === 404
        ? text(
            404,
            'A valid push subscription endpoint should be specified in the URL as such: https://fcm.googleapis.com/wp/dHIoDxE7Hdg:APA91bH1Zj0kNa...',
          )
        : text(410, 'push subscription has unsubscribed or expired.')
    case 'notFound':
      return text(
        404,
        'A valid push subscription endpoint should be specified in the URL as such: https://fcm.googleapis.com/wp/dHIoDxE7Hdg:APA91bH1Zj0kNa...',
      )
    case 'methodNotAllowed':
      return text(405, 'Method Not Allowed')
    case 'rateLimited':
      return text(429, 'Too Many Requests', retryAfterHeader(options.retryAfter ?? 60))
    case 'serverError':
      return text(
        options.status ?? 503,
        'The service is currently unavailable.',
        retryAfterHeader(options.retryAfter),
      )
  }
}

function appleResponse(reason: PushRejectionReason, options: ServiceResponseOptions): MockResponse {
  const json = (
    status: number,
    appleReason: string,
    headers: Record<string, string> = {},
    extra: Record<string, unknown> = {},
  ): MockResponse => ({
    status,
    headers: { 'content-type': 'application/json', 'apns-id': uuid(), ...headers },
    body: JSON.stringify({ reason: appleReason, ...extra }),
  })
  switch (reason) {
    case 'missingAuthorization':
      return json(403, 'MissingProviderToken')
    case 'badAuthorization':
    case 'badJwt':
    case 'badAudience':
    case 'badSubject':
    case 'badExpiration':
      return json(403, 'BadJwtToken')
    case 'expiredJwt':
      return json(403, 'ExpiredJwtToken')
    case 'vapidKeyMismatch':
      return json(400, 'VapidPkHashMismatch')
    case 'missingTtl':
    case 'badTtl':
      return json(400, 'BadExpirationDate')
    case 'badUrgency':
      return json(400, 'BadPriority')
    case 'badTopic':
      return json(400, 'BadCollapseId')
    case 'badEncoding':
    case 'badCryptoHeaders':
    case 'decryptionFailed':
      return json(
        400,
        'BadMessageId',
        {},
        { detail: 'the mock push service could not decrypt the message' },
      )
    case 'payloadTooLarge':
      return json(413, 'PayloadTooLarge')
    case 'gone':
      return options.status === 404
        ? json(404, 'BadPath')
        : json(410, 'Unregistered', {}, { timestamp: Date.now() })
    case 'notFound':
      return json(404, 'BadPath')
    case 'methodNotAllowed':
      return json(405, 'MethodNotAllowed')
    case 'rateLimited':
      return json(429, 'TooManyRequests', retryAfterHeader(options.retryAfter))
    case 'serverError': {
      const status = options.status ?? 503
      return json(
        status,
        status === 500 ? 'InternalServerError' : 'ServiceUnavailable',
        retryAfterHeader(options.retryAfter),
      )
    }
  }
}

function wnsResponse(reason: PushRejectionReason, options: ServiceResponseOptions): MockResponse {
  const answer = (
    status: number,
    description: string | undefined,
    headers: Record<string, string> = {},
  ): MockResponse => ({
    status,
    headers: {
      'x-wns-msg-id': toHex(randomBytes(8)),
      'x-wns-debug-trace': 'MOCKWNS',
      ...(description === undefined ? {} : { 'x-wns-error-description': description }),
      ...headers,
    },
    body: '',
  })
  switch (reason) {
    case 'missingAuthorization':
    case 'badAuthorization':
    case 'badJwt':
    case 'expiredJwt':
    case 'badAudience':
    case 'badSubject':
    case 'badExpiration':
      return answer(401, 'Invalid VAPID authorization.')
    case 'vapidKeyMismatch':
      return answer(
        403,
        'VAPID public key mismatch: the channel was created with another application server key.',
      )
    case 'missingTtl':
    case 'badTtl':
      return answer(400, 'The TTL header is missing or invalid.')
    case 'badUrgency':
    case 'badTopic':
    case 'badEncoding':
    case 'badCryptoHeaders':
      return answer(400, 'One or more headers were specified incorrectly.')
    case 'decryptionFailed':
      return answer(400, 'The mock push service could not decrypt the message.')
    case 'payloadTooLarge':
      return answer(413, 'The notification payload exceeds the 5000 byte size limit.')
    case 'gone':
      return options.status === 404
        ? answer(404, 'The channel URI is not valid or is not recognized by WNS.')
        : answer(410, 'The channel expired.', { 'x-wns-status': 'dropped' })
    case 'notFound':
      return answer(404, 'The channel URI is not valid or is not recognized by WNS.')
    case 'methodNotAllowed':
      return answer(405, 'Invalid method (GET, CREATE); only POST is allowed.')
    case 'rateLimited':
      // WNS answers throttling with 406 Not Acceptable, not 429.
      return answer(406, 'The cloud service exceeded its throttle limit.', {
        'x-wns-status': 'channelthrottled',
        ...retryAfterHeader(options.retryAfter),
      })
    case 'serverError': {
      const status = options.status ?? 503
      return answer(
        status,
        status === 500
          ? 'An internal failure caused notification delivery to fail.'
          : 'The server is currently unavailable.',
        retryAfterHeader(options.retryAfter),
      )
    }
  }
}

function retryAfterHeader(value: number | string | undefined): Record<string, string> {
  return value === undefined ? {} : { 'retry-after': String(value) }
}

function uuid(): string {
  return crypto.randomUUID().toUpperCase()
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0'))
    .join('')
    .toUpperCase()
}

/**
 * A random endpoint path of the shape the service issues, relative to the origin (RFC 8030 §5
 * leaves the form to the service): `/wpush/v2/<token>` (Mozilla, v1 without a VAPID key),
 * `/fcm/send/<token>` (FCM), `/<token>` (Apple), `/w/?token=<token>` (WNS).
 *
 * @internal
 */
export function endpointPath(service: PushServiceName, hasVapidKey: boolean): string {
  switch (service) {
    case 'mozilla':
      return `/wpush/${hasVapidKey ? 'v2' : 'v1'}/${toBase64Url(randomBytes(hasVapidKey ? 96 : 64))}`
    case 'fcm':
      return `/fcm/send/${toBase64Url(randomBytes(8))}:APA91b${toBase64Url(randomBytes(105))}`
    case 'apple':
      return `/QG${toBase64Url(randomBytes(96))}`
    case 'wns':
      return `/w/?token=BQYAAA${encodeURIComponent(btoa(String.fromCharCode(...randomBytes(120))))}`
  }
}

/** The hostname each real service uses, for endpoints with emulated hostnames. @internal */
export const SERVICE_HOSTNAMES: Readonly<Record<PushServiceName, string>> = {
  mozilla: 'updates.push.services.mozilla.com',
  fcm: 'fcm.googleapis.com',
  apple: 'web.push.apple.com',
  wns: 'wns2-par02p.notify.windows.com',
}
