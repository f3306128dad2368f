/**
 * VAPID tokens (RFC 8292 §2): ES256 JWTs (RFC 7519, RFC 7515 with the raw `R || S` signature of
 * RFC 7518 §3.4) carrying `aud`, `exp` and `sub`, signed by jose.
 *
 * @module
 */

import { SignJWT } from 'jose/jwt/sign'
import { assertAudience } from './audience.js'
import { assertKnownKeys, isObject } from './internal/assert.js'
import type { VapidKeys } from './keys.js'
import { isVapidKeys } from './keys.js'
import { validateVapidSubject } from './subject.js'

/**
 * Default token lifetime: 12 hours, in seconds. Long enough to reuse one token for many messages,
 * well inside the 24-hour limit of RFC 8292 §2 even with some clock skew.
 *
 * @example
 *
 * ```ts
 * import { DEFAULT_EXPIRATION_SECONDS } from '@pushcraft/vapid'
 *
 * const exp = Math.floor(Date.now() / 1000) + DEFAULT_EXPIRATION_SECONDS
 * ```
 */
export const DEFAULT_EXPIRATION_SECONDS = 43_200

/**
 * The furthest a token's `exp` may lie in the future: 24 hours, in seconds (RFC 8292 §2: "MUST NOT
 * be more than 24 hours from the time of the request").
 *
 * @example
 *
 * ```ts
 * import { MAX_EXPIRATION_SECONDS } from '@pushcraft/vapid'
 *
 * MAX_EXPIRATION_SECONDS // 86400
 * ```
 */
export const MAX_EXPIRATION_SECONDS = 86_400

/**
 * Options of {@link createVapidToken}.
 *
 * @example
 *
 * ```ts
 * import { generateVapidKeys, type CreateVapidTokenOptions } from '@pushcraft/vapid'
 *
 * const options: CreateVapidTokenOptions = {
 *   keys: await generateVapidKeys(),
 *   audience: 'https://push.example.net',
 *   subject: 'mailto:push@example.com',
 * }
 * ```
 */
export interface CreateVapidTokenOptions {
  /** The application server's key pair. */
  readonly keys: VapidKeys
  /**
   * `aud`: the origin of the push service (RFC 8292 §2), from
   * {@link audienceFromEndpoint | audienceFromEndpoint(subscription.endpoint)}.
   */
  readonly audience: string
  /** `sub`: a `mailto:` or `https:` contact (RFC 8292 §2.1); see {@link validateVapidSubject}. */
  readonly subject: string
  /**
   * `exp`, in seconds since the epoch. Default: now + {@link DEFAULT_EXPIRATION_SECONDS}. Must be in
   * the future and at most {@link MAX_EXPIRATION_SECONDS} ahead.
   */
  readonly expiration?: number
  /**
   * Extra claims to include (for example `jti`). They cannot replace `aud`, `exp` or `sub`. Push
   * services ignore claims they do not know.
   */
  readonly claims?: Readonly<Record<string, unknown>>
}

/** The reserved claims {@link CreateVapidTokenOptions.claims} must not set. */
const RESERVED_CLAIMS = ['aud', 'exp', 'sub']

/** Options after validation, as the token cache and the signer use them. */
export interface TokenRequest {
  readonly keys: VapidKeys
  readonly audience: string
  readonly subject: string
  readonly claims: Readonly<Record<string, unknown>> | undefined
}

/** Seconds since the epoch, now. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000)
}

/**
 * Validates the parts of a token request shared by {@link createVapidToken} and the
 * authorization functions. Misuse throws `TypeError`.
 */
export function validateTokenRequest(options: Record<string, unknown>): TokenRequest {
  const { keys, audience, subject, claims } = options
  if (!isVapidKeys(keys)) {
    throw new TypeError('"keys" must be VapidKeys from generateVapidKeys() or importVapidKeys()')
  }
  assertAudience(audience, 'audience')
  validateVapidSubject(subject as string)
  if (claims !== undefined) {
    if (!isObject(claims)) throw new TypeError('"claims" must be an object')
    for (const name of RESERVED_CLAIMS) {
      if (name in claims) {
        throw new TypeError(
          `"claims" must not set "${name}"; use the "audience"/"expiration"/"subject" options`,
        )
      }
    }
  }
  return { keys, audience: audience as string, subject: subject as string, claims }
}

/**
 * Checks an explicit `exp` against RFC 8292 §2 and returns it (or the default when `undefined`).
 * Misuse throws `TypeError`/`RangeError`.
 */
export function resolveExpiration(expiration: unknown, now: number): number {
  if (expiration === undefined) return now + DEFAULT_EXPIRATION_SECONDS
  if (typeof expiration !== 'number') {
    throw new TypeError('"expiration" must be a number (seconds since the epoch)')
  }
  if (!Number.isSafeInteger(expiration)) {
    throw new RangeError('"expiration" must be an integer number of seconds since the epoch')
  }
  if (expiration <= now) {
    throw new RangeError(`"expiration" must be in the future, got ${expiration - now} s from now`)
  }
  if (expiration > now + MAX_EXPIRATION_SECONDS) {
    throw new RangeError(
      `"expiration" must be at most ${MAX_EXPIRATION_SECONDS} s (24 h) ahead (RFC 8292 §2), got ${expiration - now} s`,
    )
  }
  return expiration
}

/** Signs a validated request (RFC 8292 §2: header `{"typ":"JWT","alg":"ES256"}`). */
export function signToken(request: TokenRequest, expiration: number): Promise<string> {
  const payload = {
    aud: request.audience,
    exp: expiration,
    sub: request.subject,
    ...request.claims,
  }
  return new SignJWT(payload)
    .setProtectedHeader({ typ: 'JWT', alg: 'ES256' })
    .sign(request.keys.privateKey)
}

const TOKEN_OPTIONS = ['keys', 'audience', 'subject', 'expiration', 'claims']

/**
 * Creates a signed VAPID token (RFC 8292 §2): a JWT with header `{"typ":"JWT","alg":"ES256"}` and
 * claims `aud`, `exp`, `sub` (plus any extra `claims`), with an ES256 signature in the raw `R || S`
 * form (RFC 7518 §3.4).
 *
 * For sending, {@link createVapidAuthorization} (with a {@link VapidTokenCache}) builds the whole
 * header and avoids re-signing for every message.
 *
 * @param options - `keys`, `audience`, `subject`, optional `expiration` and `claims`.
 * @returns The compact JWT.
 * @throws `TypeError` for missing or malformed options (an audience that is not an origin, a
 *   subject that is not `mailto:`/`https:` or is a localhost contact, claims that set
 *   `aud`/`exp`/`sub`); `RangeError` for an `expiration` in the past or more than 24 hours ahead.
 * @example
 *
 * ```ts
 * import { audienceFromEndpoint, createVapidToken, generateVapidKeys } from '@pushcraft/vapid'
 *
 * const keys = await generateVapidKeys()
 * const token = await createVapidToken({
 *   keys,
 *   audience: audienceFromEndpoint('https://push.example.net/p/JzLQ3raZJfFBR0aqvOMsLrt54w4rJUsV'),
 *   subject: 'mailto:push@example.com',
 * })
 * ```
 */
export async function createVapidToken(options: CreateVapidTokenOptions): Promise<string> {
  if (!isObject(options)) throw new TypeError('"options" must be an object')
  assertKnownKeys(options, TOKEN_OPTIONS, 'options')
  const request = validateTokenRequest(options)
  const expiration = resolveExpiration(options.expiration, nowSeconds())
  return signToken(request, expiration)
}
