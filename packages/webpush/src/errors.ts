/**
 * The typed error of `@pushcraft/webpush` (STYLE §6, channel 2): bad data from a browser, a
 * database or a push service. Developer misuse throws `TypeError`/`RangeError` instead.
 *
 * @module
 */

/**
 * The stable codes of {@link WebPushError}. Branch on `error.code`; codes are public API.
 *
 * - `ERR_WEBPUSH_INVALID_SUBSCRIPTION`: the subscription (endpoint, `p256dh`, `auth`) is malformed.
 * - `ERR_WEBPUSH_PAYLOAD_TOO_LARGE`: the encrypted body would exceed the 4096-byte budget (RFC 8291
 *   §4) or a push service's smaller budget.
 * - `ERR_WEBPUSH_PUSH_SERVICE`: the push service answered with a non-2xx status
 *   (`PushServiceError`).
 * - `ERR_WEBPUSH_REQUEST_FAILED`: the request did not complete (network, timeout, abort).
 * - `ERR_WEBPUSH_INVALID_DECLARATIVE`: a Declarative Web Push message fails validation.
 * - `ERR_WEBPUSH_QUIRK`: the message breaks a rule of the push service the endpoint belongs to.
 *
 * @example
 *
 * ```ts
 * import type { WebPushErrorCode } from '@pushcraft/webpush'
 * const code: WebPushErrorCode = 'ERR_WEBPUSH_PAYLOAD_TOO_LARGE'
 * ```
 */
export type WebPushErrorCode =
  | 'ERR_WEBPUSH_INVALID_SUBSCRIPTION'
  | 'ERR_WEBPUSH_PAYLOAD_TOO_LARGE'
  | 'ERR_WEBPUSH_PUSH_SERVICE'
  | 'ERR_WEBPUSH_REQUEST_FAILED'
  | 'ERR_WEBPUSH_INVALID_DECLARATIVE'
  | 'ERR_WEBPUSH_QUIRK'

/**
 * Options of the {@link WebPushError} constructor.
 *
 * @example
 *
 * ```ts
 * import { WebPushError, type WebPushErrorOptions } from '@pushcraft/webpush'
 * const options: WebPushErrorOptions = { field: 'keys.auth', reason: 'length' }
 * throw new WebPushError('ERR_WEBPUSH_INVALID_SUBSCRIPTION', '"keys.auth" must be 16 bytes', options)
 * ```
 */
export interface WebPushErrorOptions {
  /** The underlying error (a WebCrypto `DataError`, an `EceError`, an undici error). */
  readonly cause?: unknown
  /** The input field at fault, as a path (`'endpoint'`, `'keys.p256dh'`, `'notification.title'`). */
  readonly field?: string
  /** A machine-readable reason within the code (`'missing'`, `'length'`, `'not-on-curve'`, …). */
  readonly reason?: string
}

const kWebPushError = Symbol.for('@pushcraft/webpush.WebPushError')

/**
 * The error `@pushcraft/webpush` throws for bad data (STYLE §6). Match on {@link WebPushError.code}.
 * `instanceof` also works across duplicate installs of the package.
 *
 * Messages never contain key, secret or plaintext bytes; lengths and field names only.
 *
 * @example
 *
 * ```ts
 * import { WebPushError, validateSubscription } from '@pushcraft/webpush'
 * try {
 *   validateSubscription({ endpoint: 'http://push.example/x', keys: { p256dh: '', auth: '' } })
 * } catch (error) {
 *   if (error instanceof WebPushError && error.code === 'ERR_WEBPUSH_INVALID_SUBSCRIPTION') {
 *     console.log(error.field, error.reason)
 *   }
 * }
 * ```
 */
export class WebPushError extends Error {
  /** The stable code to branch on. */
  readonly code: WebPushErrorCode
  // `declare`: absent (not an own `undefined` property) when not given.
  /** The input field at fault, when the error is about one field. */
  declare readonly field?: string
  /** A machine-readable reason within the code, when there is one. */
  declare readonly reason?: string

  /**
   * @param code - The stable error code.
   * @param message - A lower-case message fragment naming the field and the rule, without secrets.
   * @param options - `cause`, `field` and `reason`.
   */
  constructor(code: WebPushErrorCode, message: string, options?: WebPushErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'WebPushError'
    this.code = code
    if (options?.field !== undefined) this.field = options.field
    if (options?.reason !== undefined) this.reason = options.reason
  }

  /**
   * `instanceof WebPushError` works across duplicate installs (undici's technique): any object
   * carrying the `Symbol.for('@pushcraft/webpush.WebPushError')` marker, including instances of
   * subclasses, matches. Subclasses inherit this method but fall back to the ordinary prototype
   * check unless they override it with their own marker, so `x instanceof PushServiceError` is
   * never true for a plain `WebPushError`.
   *
   * @param value - The value to test.
   * @returns Whether `value` is a `WebPushError` from any copy of this package.
   */
  static override [Symbol.hasInstance](value: unknown): value is WebPushError {
    if (this !== WebPushError) return Function.prototype[Symbol.hasInstance].call(this, value)
    return typeof value === 'object' && value !== null && kWebPushError in value
  }
}
// The marker lives on the prototype: a computed symbol member fails `isolatedDeclarations` (TS9038).
Object.defineProperty(WebPushError.prototype, kWebPushError, { value: true })

/**
 * Whether `value` is a {@link WebPushError} (from any copy of the package), optionally with a code.
 *
 * @param value - Anything caught.
 * @param code - When given, also require this code.
 * @returns `true` when `value` is a matching `WebPushError`.
 * @example
 *
 * ```ts
 * import { isWebPushError } from '@pushcraft/webpush'
 * const error: unknown = new Error('x')
 * if (isWebPushError(error, 'ERR_WEBPUSH_PAYLOAD_TOO_LARGE')) console.log(error.message)
 * ```
 */
export function isWebPushError(value: unknown, code?: WebPushErrorCode): value is WebPushError {
  return value instanceof WebPushError && (code === undefined || value.code === code)
}
