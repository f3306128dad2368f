/**
 * Push subscriptions as browsers hand them out (`PushSubscription.toJSON()`, Push API §
 * PushSubscription) and their validation: an `https:` endpoint (RFC 8030 §8), a `p256dh` key that
 * is an uncompressed P-256 point and an `auth` secret of 16 octets (RFC 8291 §2, §3.1).
 *
 * @module
 */

import type { UserAgentKeyCache } from './internal/backend-contract.js'
import { WebPushError } from './errors.js'
import { describe } from './internal/assert.js'
import { decodeBase64Tolerant, encodeBase64Url } from './internal/base64.js'
import { isP256PublicKey } from './internal/p256.js'

/**
 * The JSON form of a browser push subscription (`PushSubscription.toJSON()`): what a web app posts
 * to its server and what the server stores.
 *
 * @example
 *
 * ```ts
 * import type { PushSubscriptionJSON } from '@pushcraft/webpush'
 * const subscription: PushSubscriptionJSON = {
 *   endpoint: 'https://push.example.net/push/JzLQ3raZJfFBR0aqvOMsLrt54w4rJUsV',
 *   expirationTime: null,
 *   keys: {
 *     p256dh:
 *       'BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4',
 *     auth: 'BTBZMqHH6r4Tts7J_aSIgg',
 *   },
 * }
 * ```
 */
export interface PushSubscriptionJSON {
  /** The push resource URL (RFC 8030 §5) the application server POSTs messages to. */
  readonly endpoint: string
  /** When the subscription expires, in milliseconds since the epoch; `null` when it does not. */
  readonly expirationTime?: number | null
  readonly keys: {
    /** The user agent's ECDH public key (`ua_public`, RFC 8291 §3.1), base64url. */
    readonly p256dh: string
    /** The authentication secret (`auth_secret`, RFC 8291 §3.2), base64url. */
    readonly auth: string
  }
}

/**
 * A subscription that passed {@link validateSubscription}: canonical strings (unpadded base64url
 * keys, the parsed endpoint URL) plus the decoded key bytes. `JSON.stringify` gives back the
 * {@link PushSubscriptionJSON} shape, so it can be stored as is.
 *
 * @example
 *
 * ```ts
 * import { validateSubscription, type ValidatedSubscription } from '@pushcraft/webpush'
 * declare const body: unknown
 * const subscription: ValidatedSubscription = validateSubscription(body)
 * console.log(subscription.origin, subscription.p256dh.length) // 'https://…', 65
 * ```
 */
export interface ValidatedSubscription extends PushSubscriptionJSON {
  /** The endpoint as serialized by the URL parser (query strings such as `?token=` are kept). */
  readonly endpoint: string
  /** The endpoint's origin: the push service, and the VAPID `aud` (RFC 8292 §2). */
  readonly origin: string
  readonly expirationTime: number | null
  readonly keys: { readonly p256dh: string; readonly auth: string }
  /** `ua_public`: the 65-octet uncompressed P-256 point (RFC 8291 §3.1). */
  readonly p256dh: Uint8Array
  /** `auth_secret`: 16 octets (RFC 8291 §3.2). */
  readonly auth: Uint8Array
  /** The {@link PushSubscriptionJSON} form, with canonical base64url keys. */
  toJSON(): PushSubscriptionJSON
}

/**
 * Options of {@link validateSubscription}.
 *
 * @example
 *
 * ```ts
 * import type { ValidateSubscriptionOptions } from '@pushcraft/webpush'
 * const options: ValidateSubscriptionOptions = { allowHttp: true } // a local push service in tests
 * ```
 */
export interface ValidateSubscriptionOptions {
  /**
   * Accept `http:` endpoints. Off by default: RFC 8030 §8 requires HTTPS, and real push services
   * use it. Turn on only for a local test push service.
   */
  readonly allowHttp?: boolean
}

/**
 * Machine-readable reasons carried by `WebPushError.reason` for `ERR_WEBPUSH_INVALID_SUBSCRIPTION`.
 *
 * - `json`: a string input is not JSON.
 * - `type`: the value or a member has the wrong type.
 * - `missing`: a required member is absent.
 * - `url`: the endpoint does not parse as an absolute URL.
 * - `protocol`: the endpoint is not `https:` (or `http:` with `allowHttp`).
 * - `credentials`: the endpoint carries a user name or password.
 * - `too-long`: the endpoint exceeds {@link MAX_ENDPOINT_LENGTH}.
 * - `encoding`: a key is not base64url or base64.
 * - `length`: a key decodes to the wrong number of octets.
 * - `format`: `p256dh` is not an uncompressed point (`0x04` prefix).
 * - `not-on-curve`: `p256dh` is not a point on P-256.
 * - `range`: `expirationTime` is negative or not finite.
 *
 * @example
 *
 * ```ts
 * import type { SubscriptionErrorReason } from '@pushcraft/webpush'
 * const reason: SubscriptionErrorReason = 'not-on-curve'
 * ```
 */
export type SubscriptionErrorReason =
  | 'json'
  | 'type'
  | 'missing'
  | 'url'
  | 'protocol'
  | 'credentials'
  | 'too-long'
  | 'encoding'
  | 'length'
  | 'format'
  | 'not-on-curve'
  | 'range'

/**
 * The longest endpoint accepted, in characters: RFC 9110 §4.1 recommends supporting URIs of at
 * least 8000 octets; real endpoints are a few hundred. A resource limit for stored input (STYLE §7).
 *
 * @example
 *
 * ```ts
 * import { MAX_ENDPOINT_LENGTH } from '@pushcraft/webpush'
 * console.log(MAX_ENDPOINT_LENGTH) // 8192
 * ```
 */
export const MAX_ENDPOINT_LENGTH = 8192

/**
 * The decoded parts the request builder works from. Not exported from the package.
 *
 * @internal
 */
export interface SubscriptionParts {
  readonly endpoint: string
  readonly origin: string
  readonly host: string
  readonly p256dh: Uint8Array
  readonly auth: Uint8Array
  /**
   * Validated subscriptions only: where the imported `ua_public` `CryptoKey` is kept after its
   * first use, so messages to the same validated subscription import the key once.
   */
  readonly keyCache?: UserAgentKeyCache
}

// A module-private brand: only objects this copy of the module validated carry it, so the request
// builder can skip re-parsing them. A subscription validated by another copy is simply re-parsed.
const kParts = Symbol('pushcraft.webpush.subscription')

function invalid(
  field: string,
  reason: SubscriptionErrorReason,
  message: string,
  cause?: unknown,
): WebPushError {
  return new WebPushError('ERR_WEBPUSH_INVALID_SUBSCRIPTION', message, {
    field,
    reason,
    ...(cause === undefined ? {} : { cause }),
  })
}

function parseEndpoint(
  value: unknown,
  allowHttp: boolean,
): { readonly endpoint: string; readonly origin: string; readonly host: string } {
  if (value === undefined || value === null) {
    throw invalid('endpoint', 'missing', '"endpoint" is missing')
  }
  if (typeof value !== 'string') {
    throw invalid('endpoint', 'type', `"endpoint" must be a string, got ${describe(value)}`)
  }
  if (value.length > MAX_ENDPOINT_LENGTH) {
    throw invalid(
      'endpoint',
      'too-long',
      `"endpoint" must be at most ${MAX_ENDPOINT_LENGTH} characters, got ${value.length}`,
    )
  }
  let url: URL
  try {
    url = new URL(value)
  } catch (cause) {
    throw invalid('endpoint', 'url', '"endpoint" is not an absolute URL', cause)
  }
  // RFC 8030 §8: the push service is reached over HTTPS only.
  if (url.protocol !== 'https:' && !(allowHttp && url.protocol === 'http:')) {
    throw invalid(
      'endpoint',
      'protocol',
      `"endpoint" must be an https: URL (RFC 8030 §8), got ${url.protocol}${allowHttp ? '' : ' (http: needs allowHttp)'}`,
    )
  }
  if (url.username !== '' || url.password !== '') {
    throw invalid('endpoint', 'credentials', '"endpoint" must not contain credentials')
  }
  return { endpoint: url.href, origin: url.origin, host: url.hostname }
}

function decodeKey(
  keys: Record<string, unknown>,
  name: 'p256dh' | 'auth',
  expectedLength: number,
): Uint8Array {
  const field = `keys.${name}`
  const value = keys[name]
  if (value === undefined || value === null)
    throw invalid(field, 'missing', `"${field}" is missing`)
  if (typeof value !== 'string') {
    throw invalid(field, 'type', `"${field}" must be a string, got ${describe(value)}`)
  }
  const bytes = decodeBase64Tolerant(value)
  if (typeof bytes === 'string') {
    throw invalid(field, 'encoding', `"${field}" is not base64url or base64 (${bytes})`)
  }
  if (bytes.length !== expectedLength) {
    const rule = name === 'auth' ? 'RFC 8291 §3.2' : 'RFC 8291 §3.1'
    throw invalid(
      field,
      'length',
      `"${field}" must decode to ${expectedLength} octets (${rule}), got ${bytes.length}`,
    )
  }
  return bytes
}

/**
 * Structural validation shared by {@link validateSubscription} and the request builder.
 *
 * @internal The
 * on-curve check is optional here because the encryption path imports the key with WebCrypto,
 * which checks it again (and its failure maps to the same error).
 */
export function parseSubscription(
  input: unknown,
  options: { readonly allowHttp: boolean; readonly checkCurve: boolean },
): SubscriptionParts & { readonly expirationTime: number | null } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw invalid('', 'type', `a subscription must be an object, got ${describe(input)}`)
  }
  const record = input as Record<string, unknown>
  const { endpoint, origin, host } = parseEndpoint(record['endpoint'], options.allowHttp)
  const keys = record['keys']
  if (keys === undefined || keys === null) throw invalid('keys', 'missing', '"keys" is missing')
  if (typeof keys !== 'object' || Array.isArray(keys)) {
    throw invalid('keys', 'type', `"keys" must be an object, got ${describe(keys)}`)
  }
  const p256dh = decodeKey(keys as Record<string, unknown>, 'p256dh', 65)
  // SEC 1 §2.3.3: 0x04 marks the uncompressed form RFC 8291 §3.1 requires.
  if (p256dh[0] !== 0x04) {
    throw invalid(
      'keys.p256dh',
      'format',
      '"keys.p256dh" must be an uncompressed P-256 point starting with 0x04 (RFC 8291 §3.1)',
    )
  }
  if (options.checkCurve && !isP256PublicKey(p256dh)) {
    throw invalid('keys.p256dh', 'not-on-curve', '"keys.p256dh" is not a point on P-256')
  }
  const auth = decodeKey(keys as Record<string, unknown>, 'auth', 16)
  const expiration = record['expirationTime']
  let expirationTime: number | null = null
  if (expiration !== undefined && expiration !== null) {
    if (typeof expiration !== 'number') {
      throw invalid(
        'expirationTime',
        'type',
        `"expirationTime" must be a number or null, got ${describe(expiration)}`,
      )
    }
    if (!Number.isFinite(expiration) || expiration < 0) {
      throw invalid('expirationTime', 'range', '"expirationTime" must be a non-negative number')
    }
    expirationTime = expiration
  }
  return { endpoint, origin, host, p256dh, auth, expirationTime }
}

/**
 * The decoded parts of a subscription for the request builder: reused from a
 * {@link ValidatedSubscription} of this copy of the package, parsed otherwise.
 *
 * @internal
 */
export function subscriptionParts(input: unknown, allowHttp: boolean): SubscriptionParts {
  if (typeof input === 'object' && input !== null && kParts in input) {
    const parts = (input as { readonly [kParts]: SubscriptionParts })[kParts]
    if (allowHttp || parts.endpoint.startsWith('https:')) return parts
  }
  return parseSubscription(input, { allowHttp, checkCurve: false })
}

/**
 * Validates a push subscription from a browser or a database and returns it decoded. Use it in the
 * "save subscription" endpoint of your server, before storing.
 *
 * Tolerated on input: standard base64 instead of base64url, and `=` padding. Checked: the
 * endpoint parses as an absolute `https:` URL without credentials; `keys.p256dh` decodes to a
 * 65-octet uncompressed point on P-256; `keys.auth` decodes to 16 octets; `expirationTime` is
 * `null` or a non-negative number. A JSON string is parsed first.
 *
 * @param input - The subscription, typically `PushSubscription.toJSON()` as posted by the browser.
 * @param options - `allowHttp` for local test push services.
 * @returns The validated subscription, with canonical (unpadded base64url) keys.
 * @throws {@link WebPushError} `ERR_WEBPUSH_INVALID_SUBSCRIPTION`, with `field` (`'endpoint'`,
 *   `'keys.p256dh'`, …) and `reason` (a {@link SubscriptionErrorReason}) naming the first problem.
 * @example
 *
 * ```ts
 * import { validateSubscription, WebPushError } from '@pushcraft/webpush'
 * declare const requestBody: unknown
 * try {
 *   const subscription = validateSubscription(requestBody)
 *   // store JSON.stringify(subscription)
 * } catch (error) {
 *   if (error instanceof WebPushError && error.code === 'ERR_WEBPUSH_INVALID_SUBSCRIPTION') {
 *     // answer 400 with error.field / error.reason
 *   }
 * }
 * ```
 */
export function validateSubscription(
  input: unknown,
  options?: ValidateSubscriptionOptions,
): ValidatedSubscription {
  let value = input
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown
    } catch (cause) {
      throw invalid('', 'json', 'the subscription string is not JSON', cause)
    }
  }
  const allowHttp = options?.allowHttp === true
  const parts = parseSubscription(value, { allowHttp, checkCurve: true })
  const keys = Object.freeze({
    p256dh: encodeBase64Url(parts.p256dh),
    auth: encodeBase64Url(parts.auth),
  })
  const json: PushSubscriptionJSON = Object.freeze({
    endpoint: parts.endpoint,
    expirationTime: parts.expirationTime,
    keys,
  })
  const internal: SubscriptionParts = Object.freeze({
    endpoint: parts.endpoint,
    origin: parts.origin,
    host: parts.host,
    p256dh: parts.p256dh,
    auth: parts.auth,
    keyCache: {},
  })
  const validated = {
    endpoint: parts.endpoint,
    origin: parts.origin,
    expirationTime: parts.expirationTime,
    keys,
    // Public copies: callers may mutate these without affecting what gets encrypted.
    p256dh: parts.p256dh.slice(),
    auth: parts.auth.slice(),
  }
  Object.defineProperties(validated, {
    toJSON: { value: () => json },
    [kParts]: { value: internal },
  })
  return Object.freeze(validated) as ValidatedSubscription
}

/**
 * Whether `input` is a valid subscription (see {@link validateSubscription}), without throwing.
 *
 * @param input - Anything.
 * @param options - `allowHttp` for local test push services.
 * @returns `true` when {@link validateSubscription} would accept `input`.
 * @example
 *
 * ```ts
 * import { isValidSubscription } from '@pushcraft/webpush'
 * console.log(isValidSubscription({ endpoint: 'https://push.example/x' })) // false: no keys
 * ```
 */
export function isValidSubscription(
  input: unknown,
  options?: ValidateSubscriptionOptions,
): boolean {
  try {
    validateSubscription(input, options)
    return true
  } catch {
    return false
  }
}
