/**
 * The strict checks a push service applies to an incoming push message request (RFC 8030 §5,
 * RFC 8292 §2–§4, RFC 8291 §4), returning either the accepted values or the reason to refuse.
 *
 * @module
 */

import { verifyVapidAuthorization } from '@pushcraft/vapid'
import { decodeJwt } from 'jose'
import { equalBytes, toBase64Url } from './internal/bytes.js'
import type { PushRejectionReason } from './services.js'

/** RFC 8030 §5.3 Urgency values. */
export type Urgency = 'very-low' | 'low' | 'normal' | 'high'

/** The verified VAPID identity of a request (RFC 8292). */
export interface VerifiedVapid {
  /** `vapid` (RFC 8292 `vapid t=…, k=…`) or `webpush` (legacy `WebPush <jwt>` + `Crypto-Key`). */
  readonly scheme: 'vapid' | 'webpush'
  /** The JWT. */
  readonly token: string
  /** The JWT claims: `aud`, `exp`, `sub` and any others the sender added. */
  readonly claims: VapidClaims
  /** The application server's public key (65-byte point) as unpadded base64url. */
  readonly publicKey: string
}

/** RFC 8292 §2 claims. */
export interface VapidClaims {
  readonly aud: string
  readonly exp: number
  readonly sub: string
  readonly [claim: string]: unknown
}

/** One outcome of a check. */
export type Check<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: PushRejectionReason; readonly detail?: string }

const URGENCIES: ReadonlySet<string> = new Set(['very-low', 'low', 'normal', 'high'])

/** RFC 8030 §5.2: TTL is required, a non-negative integer of seconds. */
export function checkTtl(value: string | undefined): Check<number> {
  if (value === undefined || value.trim() === '') return { ok: false, reason: 'missingTtl' }
  const trimmed = value.trim()
  if (!/^\d{1,10}$/.test(trimmed))
    return { ok: false, reason: 'badTtl', detail: 'TTL must be a non-negative integer' }
  return { ok: true, value: Number(trimmed) }
}

/** RFC 8030 §5.3: Urgency, when present, is one of four tokens. */
export function checkUrgency(value: string | undefined): Check<Urgency | undefined> {
  if (value === undefined) return { ok: true, value: undefined }
  const token = value.trim().toLowerCase()
  if (!URGENCIES.has(token)) return { ok: false, reason: 'badUrgency' }
  return { ok: true, value: token as Urgency }
}

/** RFC 8030 §5.4: Topic, when present, is at most 32 characters of the base64url alphabet. */
export function checkTopic(value: string | undefined): Check<string | undefined> {
  if (value === undefined) return { ok: true, value: undefined }
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(value.trim())) return { ok: false, reason: 'badTopic' }
  return { ok: true, value: value.trim() }
}

/** Options of {@link checkVapid}. */
export interface CheckVapidOptions {
  /** The origin the `aud` claim must equal (RFC 8292 §2: the push resource's origin). */
  readonly audience: string
  /** The key the subscription was created with (`applicationServerKey`), when there is one. */
  readonly expectedKey?: Uint8Array | undefined
  /** The longest allowed `exp` from now, in seconds (RFC 8292 §2: 24 hours). */
  readonly maxExpirationSeconds: number
}

/**
 * RFC 8292 verification of the `Authorization` (and legacy `Crypto-Key: p256ecdsa=`) header.
 * The claims are checked first on the decoded token so each rule gets its own reason (the way
 * services answer differently for an expired token and a bad signature); then
 * `@pushcraft/vapid` verifies the ES256 signature and the claims again.
 */
export async function checkVapid(
  authorization: string | undefined,
  cryptoKey: string | undefined,
  options: CheckVapidOptions,
): Promise<Check<VerifiedVapid>> {
  if (authorization === undefined || authorization.trim() === '') {
    return { ok: false, reason: 'missingAuthorization' }
  }
  const token = extractToken(authorization)
  if (token === undefined) return { ok: false, reason: 'badAuthorization' }
  let claims: Record<string, unknown>
  try {
    claims = decodeJwt(token)
  } catch {
    return { ok: false, reason: 'badJwt', detail: 'the token is not a JWT' }
  }
  // RFC 8292 §2: `aud` is the origin of the push resource.
  if (claims.aud !== options.audience) return { ok: false, reason: 'badAudience' }
  // RFC 8292 §2: `exp` is required and no more than 24 hours from the request.
  if (typeof claims.exp !== 'number' || !Number.isFinite(claims.exp)) {
    return { ok: false, reason: 'badExpiration', detail: 'the exp claim is missing' }
  }
  const now = Math.floor(Date.now() / 1000)
  if (claims.exp <= now) return { ok: false, reason: 'expiredJwt' }
  if (claims.exp > now + options.maxExpirationSeconds) return { ok: false, reason: 'badExpiration' }
  // RFC 8292 §2.1: `sub` is a contact URI, mailto: or https:.
  if (typeof claims.sub !== 'string' || !/^(mailto:.+@.+|https:\/\/.+)$/i.test(claims.sub)) {
    return { ok: false, reason: 'badSubject' }
  }
  let verified: Awaited<ReturnType<typeof verifyVapidAuthorization>>
  try {
    verified = await verifyVapidAuthorization(
      { authorization, cryptoKey: cryptoKey ?? null },
      { audience: options.audience, maxExpirationSeconds: options.maxExpirationSeconds },
    )
  } catch {
    return { ok: false, reason: 'badJwt' }
  }
  // RFC 8292 §3.2 / RFC 8030 §6: a subscription restricted to a key accepts only that key.
  if (options.expectedKey !== undefined && !equalBytes(verified.publicKey, options.expectedKey)) {
    return { ok: false, reason: 'vapidKeyMismatch' }
  }
  return {
    ok: true,
    value: {
      scheme: verified.scheme,
      token: verified.token,
      claims: { ...claims, aud: claims.aud, exp: claims.exp, sub: claims.sub },
      publicKey: toBase64Url(verified.publicKey),
    },
  }
}

/** The JWT of `vapid t=…, k=…` (RFC 8292 §3) or `WebPush <jwt>` (draft-ietf-webpush-vapid-01). */
function extractToken(authorization: string): string | undefined {
  const match = /^\s*(\S+)\s+(.+)$/s.exec(authorization)
  if (match === null) return undefined
  const scheme = (match[1] ?? '').toLowerCase()
  const rest = (match[2] ?? '').trim()
  if (scheme === 'webpush' || scheme === 'bearer')
    return /^[\w-]+\.[\w-]+\.[\w-]+$/.test(rest) ? rest : undefined
  if (scheme !== 'vapid') return undefined
  for (const part of rest.split(',')) {
    const [name, ...value] = part.split('=')
    if (name?.trim().toLowerCase() === 't') return value.join('=').trim().replace(/^"|"$/g, '')
  }
  return undefined
}
