/**
 * The error class of `@pushcraft/vapid` for untrusted data (keys from storage, tokens and headers
 * from the network), with stable codes (STYLE §6).
 *
 * @module
 */

/**
 * Stable error codes of {@link VapidError}. Branch on these, not on messages.
 *
 * - `ERR_VAPID_INVALID_KEY`: key bytes, PEM, DER or JWK are malformed (wrong length, off-curve
 *   point, scalar out of range, bad base64url, unsupported structure), a public key does not
 *   belong to its private key, or (verify side) the `k` key is not a P-256 point.
 * - `ERR_VAPID_INVALID_TOKEN`: verify side, the JWT is malformed or its ES256 signature does not
 *   verify (RFC 8292 §2, RFC 7515).
 * - `ERR_VAPID_INVALID_AUTHORIZATION`: verify side, the `Authorization` (`vapid t=…, k=…` or
 *   `WebPush …`) or `Crypto-Key` header cannot be parsed (RFC 8292 §3).
 * - `ERR_VAPID_INVALID_CLAIMS`: verify side, `aud`, `exp` (or `nbf`) or `sub` break the rules of
 *   RFC 8292 §2 (see {@link VapidError.claim}).
 * - `ERR_VAPID_KEY_MISMATCH`: verify side, the `k` key differs from the key the subscription is
 *   restricted to (RFC 8292 §4.2: a push service answers 403).
 *
 * @example
 *
 * ```ts
 * import type { VapidErrorCode } from '@pushcraft/vapid'
 *
 * const code: VapidErrorCode = 'ERR_VAPID_INVALID_TOKEN'
 * ```
 */
export type VapidErrorCode =
  | 'ERR_VAPID_INVALID_KEY'
  | 'ERR_VAPID_INVALID_TOKEN'
  | 'ERR_VAPID_INVALID_AUTHORIZATION'
  | 'ERR_VAPID_INVALID_CLAIMS'
  | 'ERR_VAPID_KEY_MISMATCH'

/**
 * The JWT claim an `ERR_VAPID_INVALID_CLAIMS` error is about.
 *
 * @example
 *
 * ```ts
 * import type { VapidClaimName } from '@pushcraft/vapid'
 *
 * const claim: VapidClaimName = 'exp'
 * ```
 */
export type VapidClaimName = 'aud' | 'exp' | 'nbf' | 'sub'

/**
 * Options of the {@link VapidError} constructor.
 *
 * @example
 *
 * ```ts
 * import { VapidError, type VapidErrorOptions } from '@pushcraft/vapid'
 *
 * const options: VapidErrorOptions = { claim: 'aud' }
 * const error = new VapidError('ERR_VAPID_INVALID_CLAIMS', '"aud" does not match', options)
 * ```
 */
export interface VapidErrorOptions {
  /** The underlying error (a WebCrypto `DataError`, a jose error, …). */
  readonly cause?: unknown
  /** For `ERR_VAPID_INVALID_CLAIMS`: the claim that broke a rule. */
  readonly claim?: VapidClaimName
}

const kVapidError = Symbol.for('@pushcraft/vapid.VapidError')

/**
 * Thrown for bad data: malformed keys from storage, and invalid tokens or headers on the verify
 * side. Developer misuse throws `TypeError`/`RangeError` instead. Messages never contain key or
 * token bytes.
 *
 * `instanceof` also works across duplicate installs of the package (the check uses a
 * `Symbol.for` marker, as undici does); matching on {@link VapidError.code} is the documented way.
 *
 * @example
 *
 * ```ts
 * import { importVapidKeys, VapidError } from '@pushcraft/vapid'
 *
 * try {
 *   await importVapidKeys('not a key')
 * } catch (error) {
 *   if (error instanceof VapidError && error.code === 'ERR_VAPID_INVALID_KEY') {
 *     // ask for another key
 *   }
 * }
 * ```
 */
export class VapidError extends Error {
  /** Stable, documented error code. */
  readonly code: VapidErrorCode
  /** For `ERR_VAPID_INVALID_CLAIMS`: which claim broke a rule; otherwise `undefined`. */
  readonly claim: VapidClaimName | undefined

  /**
   * @param code - The stable error code.
   * @param message - A lower-case fragment naming the field and the rule, with no key bytes.
   * @param options - `cause` and, for claims errors, `claim`.
   */
  constructor(code: VapidErrorCode, message: string, options?: VapidErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'VapidError'
    this.code = code
    this.claim = options?.claim
  }

  /** `instanceof` also works across duplicate installs (undici's technique). */
  static override [Symbol.hasInstance](value: unknown): value is VapidError {
    return typeof value === 'object' && value !== null && kVapidError in value
  }
}
// The marker goes on the prototype: with `isolatedDeclarations`, a class member with a computed
// symbol name fails with TS9038.
Object.defineProperty(VapidError.prototype, kVapidError, { value: true })
