/**
 * The VAPID request headers a sender attaches to a push message, in both forms:
 *
 * - RFC 8292 §3: `Authorization: vapid t=<jwt>, k=<key>` (with `Content-Encoding: aes128gcm`);
 * - the pre-RFC form (draft-ietf-webpush-vapid-01 §2.2 and §4): `Authorization: WebPush <jwt>` and
 *   `Crypto-Key: p256ecdsa=<key>`, still expected alongside the legacy `aesgcm` encoding.
 *
 * @module
 */

import type { VapidTokenCache } from './cache.js'
import { assertKnownKeys, isObject } from './internal/assert.js'
import type { TokenRequest } from './jwt.js'
import { nowSeconds, resolveExpiration, signToken, validateTokenRequest } from './jwt.js'
import type { VapidKeys } from './keys.js'

/**
 * The `Authorization` scheme: `'vapid'` (RFC 8292 §3) or `'webpush'` (the legacy `WebPush` scheme
 * with a `Crypto-Key: p256ecdsa=…` header).
 *
 * @example
 *
 * ```ts
 * import type { VapidScheme } from '@pushcraft/vapid'
 *
 * const scheme: VapidScheme = 'vapid'
 * ```
 */
export type VapidScheme = 'vapid' | 'webpush'

/**
 * The headers for one push request, ready to send.
 *
 * @example
 *
 * ```ts
 * import type { VapidAuthorization } from '@pushcraft/vapid'
 *
 * function apply(headers: Record<string, string>, vapid: VapidAuthorization): void {
 *   Object.assign(headers, vapid.headers)
 * }
 * ```
 */
export interface VapidAuthorization {
  /** Which header form this is. */
  readonly scheme: VapidScheme
  /** The `Authorization` header value: `vapid t=<jwt>, k=<key>` or `WebPush <jwt>`. */
  readonly authorization: string
  /**
   * Legacy scheme only: the `Crypto-Key` header value `p256ecdsa=<key>`. With `aesgcm`, join it to
   * the encryption's `dh=<key>` with `;` into one `Crypto-Key` header.
   */
  readonly cryptoKey?: string
  /** The signed JWT. */
  readonly token: string
  /** The token's `exp`, in seconds since the epoch. */
  readonly expiresAt: number
  /** The signing key's id ({@link VapidKeys.id}). */
  readonly keyId: string
  /**
   * The same values as a header record with lower-case names: `authorization`, and `crypto-key`
   * for the legacy scheme.
   */
  readonly headers: Readonly<Record<string, string>>
}

/**
 * Options of {@link createVapidAuthorization}.
 *
 * @example
 *
 * ```ts
 * import {
 *   generateVapidKeys,
 *   VapidTokenCache,
 *   type CreateVapidAuthorizationOptions,
 * } from '@pushcraft/vapid'
 *
 * const options: CreateVapidAuthorizationOptions = {
 *   keys: await generateVapidKeys(),
 *   audience: 'https://fcm.googleapis.com',
 *   subject: 'https://example.com/contact',
 *   cache: new VapidTokenCache(),
 * }
 * ```
 */
export interface CreateVapidAuthorizationOptions {
  /** The application server's key pair. */
  readonly keys: VapidKeys
  /** `aud`: the push service origin ({@link audienceFromEndpoint}). */
  readonly audience: string
  /** `sub`: a `mailto:` or `https:` contact (RFC 8292 §2.1). */
  readonly subject: string
  /**
   * The header form. Default: from `contentEncoding` (`'webpush'` for `aesgcm`, otherwise
   * `'vapid'`). An explicit `scheme` wins.
   */
  readonly scheme?: VapidScheme
  /** The message's content coding, used to pick the `scheme` when it is not given. */
  readonly contentEncoding?: 'aes128gcm' | 'aesgcm'
  /**
   * `exp` in seconds since the epoch (default now + 12 h, at most 24 h ahead). Not allowed with
   * `cache`, which chooses `exp` itself.
   */
  readonly expiration?: number
  /** Extra JWT claims (they cannot replace `aud`, `exp`, `sub`). */
  readonly claims?: Readonly<Record<string, unknown>>
  /** Reuse tokens from this cache instead of signing one per call (recommended for sending). */
  readonly cache?: VapidTokenCache
}

/** Option names of {@link createVapidAuthorization}. */
export const AUTHORIZATION_OPTIONS: readonly string[] = [
  'keys',
  'audience',
  'subject',
  'scheme',
  'contentEncoding',
  'expiration',
  'claims',
  'cache',
]

/** Picks the header form; misuse throws `TypeError`. */
export function resolveScheme(scheme: unknown, contentEncoding: unknown): VapidScheme {
  if (scheme === 'vapid' || scheme === 'webpush') return scheme
  if (scheme !== undefined) throw new TypeError('"scheme" must be "vapid" or "webpush"')
  if (contentEncoding === undefined || contentEncoding === 'aes128gcm') return 'vapid'
  if (contentEncoding === 'aesgcm') return 'webpush'
  throw new TypeError('"contentEncoding" must be "aes128gcm" or "aesgcm"')
}

/** Both header forms for one token, frozen (the cache hands them out as they are). */
export interface AuthorizationPair {
  readonly vapid: VapidAuthorization
  readonly webpush: VapidAuthorization
}

/** Builds both header forms for a signed token. */
export function buildAuthorizations(
  token: string,
  keys: VapidKeys,
  expiresAt: number,
): AuthorizationPair {
  const key = keys.applicationServerKey
  // RFC 8292 §3: the "vapid" scheme with the "t" (token) and "k" (key) parameters.
  const vapidHeader = `vapid t=${token}, k=${key}`
  // draft-ietf-webpush-vapid-01 §2.2, §4: "WebPush" scheme, key in Crypto-Key "p256ecdsa".
  const legacyHeader = `WebPush ${token}`
  const cryptoKey = `p256ecdsa=${key}`
  return {
    vapid: Object.freeze({
      scheme: 'vapid',
      authorization: vapidHeader,
      token,
      expiresAt,
      keyId: keys.id,
      headers: Object.freeze({ authorization: vapidHeader }),
    }),
    webpush: Object.freeze({
      scheme: 'webpush',
      authorization: legacyHeader,
      cryptoKey,
      token,
      expiresAt,
      keyId: keys.id,
      headers: Object.freeze({ authorization: legacyHeader, 'crypto-key': cryptoKey }),
    }),
  }
}

/** Signs a validated request and builds its headers. */
export async function signAuthorizations(
  request: TokenRequest,
  expiration: number,
): Promise<AuthorizationPair> {
  const token = await signToken(request, expiration)
  return buildAuthorizations(token, request.keys, expiration)
}

/**
 * Creates the VAPID headers for a push request: a signed token (RFC 8292 §2) in the RFC 8292 §3
 * `vapid` form or the legacy `WebPush` + `Crypto-Key` form.
 *
 * With a {@link VapidTokenCache}, a token is reused for the same (audience, key, subject) until
 * shortly before it expires, and a cache hit costs about a microsecond.
 *
 * @param options - `keys`, `audience`, `subject`; optional `scheme` or `contentEncoding`,
 *   `expiration`, `claims`, `cache`.
 * @returns The header values, the token, its `exp` and the key id.
 * @throws `TypeError` for malformed options (see {@link createVapidToken}), an unknown scheme, or
 *   `expiration` combined with `cache`; `RangeError` for an `expiration` outside (now, now + 24 h].
 * @example
 *
 * ```ts
 * import {
 *   audienceFromEndpoint,
 *   createVapidAuthorization,
 *   generateVapidKeys,
 *   VapidTokenCache,
 * } from '@pushcraft/vapid'
 *
 * const keys = await generateVapidKeys()
 * const cache = new VapidTokenCache()
 * const endpoint = 'https://updates.push.services.mozilla.com/wpush/v2/gAAAAABh'
 * const vapid = await createVapidAuthorization({
 *   keys,
 *   audience: audienceFromEndpoint(endpoint),
 *   subject: 'mailto:push@example.com',
 *   cache,
 * })
 * await fetch(endpoint, {
 *   method: 'POST',
 *   headers: { ...vapid.headers, ttl: '60' },
 * })
 * ```
 */
export async function createVapidAuthorization(
  options: CreateVapidAuthorizationOptions,
): Promise<VapidAuthorization> {
  if (!isObject(options)) throw new TypeError('"options" must be an object')
  const cache: unknown = options.cache
  if (cache !== undefined) {
    if (!isObject(cache) || typeof cache.get !== 'function') {
      throw new TypeError('"cache" must be a VapidTokenCache')
    }
    return (cache as unknown as VapidTokenCache).get(options)
  }
  assertKnownKeys(options, AUTHORIZATION_OPTIONS, 'options')
  const scheme = resolveScheme(options.scheme, options.contentEncoding)
  const request = validateTokenRequest(options)
  const expiration = resolveExpiration(options.expiration, nowSeconds())
  const pair = await signAuthorizations(request, expiration)
  return pair[scheme]
}
