/**
 * The receiving side of VAPID (RFC 8292 §3, §4): parse the `Authorization` header in either form,
 * verify the ES256 token against the key it names, and check the claims. For push service
 * emulators, gateways and tests.
 *
 * @module
 */

import { compactVerify } from 'jose/jws/compact/verify'
import { assertAudience } from './audience.js'
import type { VapidScheme } from './authorization.js'
import type { VapidClaimName } from './errors.js'
import { VapidError } from './errors.js'
import {
  assertInteger,
  assertKnownKeys,
  assertOptionalBoolean,
  isObject,
} from './internal/assert.js'
import { decodeBase64UrlStrict, encodeBase64Url } from './internal/base64.js'
import type { Bytes } from './internal/bytes.js'
import { equalBytes, isBytes } from './internal/bytes.js'
import { decodePoint } from './internal/p256.js'
import { MAX_EXPIRATION_SECONDS } from './jwt.js'
import type { VapidPublicKey } from './keys.js'
import { readPublicInput } from './keys.js'

/** Longest `Authorization` or `Crypto-Key` value accepted, in characters (STYLE §7 limits). */
const MAX_HEADER_LENGTH = 8192

/**
 * The request headers {@link verifyVapidAuthorization} reads. Missing headers may be `undefined`
 * or `null` (as `Headers.get` returns).
 *
 * @example
 *
 * ```ts
 * import type { VapidAuthorizationHeaders } from '@pushcraft/vapid'
 *
 * function fromRequest(request: Request): VapidAuthorizationHeaders {
 *   return {
 *     authorization: request.headers.get('authorization'),
 *     cryptoKey: request.headers.get('crypto-key'),
 *   }
 * }
 * ```
 */
export interface VapidAuthorizationHeaders {
  /** The `Authorization` header value. */
  readonly authorization?: string | null | undefined
  /** The `Crypto-Key` header value (legacy `WebPush` scheme). */
  readonly cryptoKey?: string | null | undefined
}

/**
 * A parsed, not yet verified, VAPID `Authorization` header.
 *
 * @example
 *
 * ```ts
 * import { parseVapidAuthorization, type ParsedVapidAuthorization } from '@pushcraft/vapid'
 *
 * const parsed: ParsedVapidAuthorization = parseVapidAuthorization({
 *   authorization: 'vapid t=eyJ0eXAi…, k=BA1Hxzyi…',
 * })
 * ```
 */
export interface ParsedVapidAuthorization {
  /** The header form. */
  readonly scheme: VapidScheme
  /** The JWT (`t`, or the `WebPush` credentials). */
  readonly token: string
  /**
   * The public key text (`k`, or `p256ecdsa` of `Crypto-Key`); `undefined` when the legacy form
   * came without `Crypto-Key`.
   */
  readonly key: string | undefined
}

/**
 * The claims of a verified token: `aud`, `exp`, `sub` and any others.
 *
 * @example
 *
 * ```ts
 * import type { VapidClaims } from '@pushcraft/vapid'
 *
 * const claims: VapidClaims = {
 *   aud: 'https://push.example.net',
 *   exp: 1453523768,
 *   sub: 'mailto:push@example.com',
 * }
 * ```
 */
export interface VapidClaims {
  /** The audience: the push service origin (RFC 7519 allows an array that includes it). */
  readonly aud: string | readonly string[]
  /** Expiration, in seconds since the epoch. */
  readonly exp: number
  /** The contact; `undefined` only when `requireSubject` is `false`. */
  readonly sub: string | undefined
  /** Any other claim. */
  readonly [claim: string]: unknown
}

/**
 * A verified VAPID authorization.
 *
 * @example
 *
 * ```ts
 * import type { VerifiedVapidAuthorization } from '@pushcraft/vapid'
 *
 * function contact(verified: VerifiedVapidAuthorization): string | undefined {
 *   return verified.claims.sub
 * }
 * ```
 */
export interface VerifiedVapidAuthorization {
  /** The header form. */
  readonly scheme: VapidScheme
  /** The verified JWT. */
  readonly token: string
  /** The JWT protected header (`alg` is `ES256`). */
  readonly header: Readonly<Record<string, unknown>>
  /** The token's claims. */
  readonly claims: VapidClaims
  /** The 65-byte public key that signed the token. */
  readonly publicKey: Uint8Array
  /** `publicKey` in base64url (compare it with a subscription's `applicationServerKey`). */
  readonly applicationServerKey: string
}

/**
 * Options of {@link verifyVapidAuthorization}.
 *
 * @example
 *
 * ```ts
 * import type { VerifyVapidAuthorizationOptions } from '@pushcraft/vapid'
 *
 * const options: VerifyVapidAuthorizationOptions = {
 *   audience: 'https://push.example.net',
 *   clockToleranceSeconds: 30,
 * }
 * ```
 */
export interface VerifyVapidAuthorizationOptions {
  /** The origin this service is reached at; `aud` must equal it (RFC 8292 §2). */
  readonly audience: string
  /**
   * The key the subscription is restricted to (its `applicationServerKey`, RFC 8292 §4.2): `k`
   * must equal it, else `ERR_VAPID_KEY_MISMATCH`. Optional.
   */
  readonly publicKey?: Uint8Array | string | VapidPublicKey
  /** How far ahead `exp` may be, in seconds. Default 86 400 (24 h, RFC 8292 §2). */
  readonly maxExpirationSeconds?: number
  /** Allowed clock skew for `exp` and `nbf`, in seconds. Default 0. */
  readonly clockToleranceSeconds?: number
  /**
   * Whether `sub` must be present. Default `true`: RFC 8292 §2.1 says SHOULD, and Apple's and
   * Mozilla's services require it.
   */
  readonly requireSubject?: boolean
}

const VERIFY_OPTIONS = [
  'audience',
  'publicKey',
  'maxExpirationSeconds',
  'clockToleranceSeconds',
  'requireSubject',
]

function invalidAuthorization(message: string): VapidError {
  return new VapidError('ERR_VAPID_INVALID_AUTHORIZATION', message)
}

function invalidClaim(claim: VapidClaimName, message: string): VapidError {
  return new VapidError('ERR_VAPID_INVALID_CLAIMS', message, { claim })
}

const OWS = new Set([' ', '\t'])
// RFC 9110 §5.6.2 tchar, plus what token68 (RFC 9110 §11.2) adds: "-._~+/" and trailing "=".
const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z/=]/

/**
 * Parses a comma-separated list of `name=value` parameters where values are tokens or quoted
 * strings (RFC 9110 §5.6.6, §11.2 auth-param). `separators` are the characters that end a
 * parameter. Names are lower-cased. Returns `undefined` on a syntax error.
 */
function parseParameters(text: string, separators: string): Map<string, string[]> | undefined {
  const result = new Map<string, string[]>()
  let i = 0
  const skipWhitespace = (): void => {
    while (i < text.length && OWS.has(text.charAt(i))) i++
  }
  while (i < text.length) {
    skipWhitespace()
    if (i < text.length && separators.includes(text.charAt(i))) {
      i++ // empty list elements are allowed (RFC 9110 §5.6.1)
      continue
    }
    if (i >= text.length) break
    const nameStart = i
    while (i < text.length && TOKEN_CHAR.test(text.charAt(i)) && text.charAt(i) !== '=') i++
    const name = text.slice(nameStart, i).toLowerCase()
    if (name === '') return undefined
    skipWhitespace()
    if (text.charAt(i) !== '=') return undefined
    i++
    skipWhitespace()
    let value = ''
    if (text.charAt(i) === '"') {
      i++
      let closed = false
      while (i < text.length) {
        const char = text.charAt(i++)
        if (char === '\\' && i < text.length) value += text.charAt(i++)
        else if (char === '"') {
          closed = true
          break
        } else value += char
      }
      if (!closed) return undefined
    } else {
      const valueStart = i
      while (i < text.length && TOKEN_CHAR.test(text.charAt(i))) i++
      value = text.slice(valueStart, i)
      if (value === '') return undefined
    }
    const list = result.get(name)
    if (list === undefined) result.set(name, [value])
    else list.push(value)
    skipWhitespace()
    if (i < text.length && !separators.includes(text.charAt(i))) return undefined
  }
  return result
}

function readHeader(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') throw new TypeError(`"headers.${name}" must be a string`)
  if (value.length > MAX_HEADER_LENGTH) {
    throw invalidAuthorization(`${name} header is longer than ${MAX_HEADER_LENGTH} characters`)
  }
  return value
}

/**
 * Parses a VAPID `Authorization` header — RFC 8292 §3 `vapid t=<jwt>, k=<key>` (parameters in any
 * order, any case, optional whitespace, quoted or not) or the legacy `WebPush <jwt>` with the key
 * in `Crypto-Key: p256ecdsa=<key>` (a list of `;`/`,`-separated parameters, as senders that also
 * put `dh=` and `keyid=` there write it). Nothing is verified.
 *
 * @param headers - `authorization` and, for the legacy form, `cryptoKey`.
 * @returns The scheme, the token and the key text.
 * @throws {@link VapidError} `ERR_VAPID_INVALID_AUTHORIZATION` when the header is missing, has
 *   another scheme, or is malformed (missing or repeated `t`/`k`, conflicting `p256ecdsa` values);
 *   `TypeError` when `headers` is not an object of strings.
 * @example
 *
 * ```ts
 * import { parseVapidAuthorization } from '@pushcraft/vapid'
 *
 * const { scheme, token, key } = parseVapidAuthorization({
 *   authorization: 'WebPush eyJ0eXAi…',
 *   cryptoKey: 'dh=BNoRDbb8…;p256ecdsa=BA1Hxzyi…',
 * })
 * ```
 */
export function parseVapidAuthorization(
  headers: VapidAuthorizationHeaders,
): ParsedVapidAuthorization {
  if (!isObject(headers)) throw new TypeError('"headers" must be an object')
  const authorization = readHeader(headers.authorization, 'authorization')
  const cryptoKey = readHeader(headers.cryptoKey, 'cryptoKey')
  if (authorization === undefined || authorization.trim() === '') {
    throw invalidAuthorization('missing Authorization header (RFC 8292 §3)')
  }
  // RFC 9110 §11.4: credentials = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
  const match = /^[ \t]*([!#$%&'*+\-.^_`|~0-9A-Za-z]+)(?:[ \t]+([\s\S]*?))?[ \t]*$/.exec(
    authorization,
  )
  const scheme = match?.[1]?.toLowerCase()
  const rest = match?.[2] ?? ''
  if (scheme === 'vapid') {
    const parameters = parseParameters(rest, ',')
    if (parameters === undefined) {
      throw invalidAuthorization('malformed "vapid" parameters (RFC 8292 §3)')
    }
    const t = parameters.get('t')
    const k = parameters.get('k')
    if (t?.length !== 1 || k?.length !== 1) {
      throw invalidAuthorization(
        'the "vapid" scheme needs exactly one "t" and one "k" parameter (RFC 8292 §3.1, §3.2)',
      )
    }
    const [token = ''] = t
    const [key = ''] = k
    return { scheme: 'vapid', token, key }
  }
  if (scheme === 'webpush') {
    // draft-ietf-webpush-vapid-01 §2.2: the token is the whole credential.
    if (rest === '' || /[\s,]/.test(rest)) {
      throw invalidAuthorization('the "WebPush" scheme takes one JWT (draft-ietf-webpush-vapid-01)')
    }
    let key: string | undefined
    if (cryptoKey !== undefined && cryptoKey.trim() !== '') {
      const parameters = parseParameters(cryptoKey, ',;')
      if (parameters === undefined) throw invalidAuthorization('malformed Crypto-Key header')
      const values = new Set(parameters.get('p256ecdsa'))
      if (values.size > 1) {
        throw invalidAuthorization('Crypto-Key has conflicting "p256ecdsa" parameters')
      }
      key = values.values().next().value
    }
    return { scheme: 'webpush', token: rest, key }
  }
  throw invalidAuthorization(
    scheme === undefined
      ? 'malformed Authorization header'
      : `unsupported Authorization scheme "${scheme.slice(0, 32)}"; expected "vapid" (RFC 8292 §3) or "WebPush"`,
  )
}

function decodeSenderKey(text: string): Bytes {
  // RFC 8292 §3.2: "k" is the uncompressed P-256 point, base64url without padding (padding some
  // senders still add is ignored).
  const bytes = decodeBase64UrlStrict(text.replace(/={1,2}$/, ''))
  if (bytes === undefined) {
    throw new VapidError('ERR_VAPID_INVALID_KEY', 'the "k" key is not base64url (RFC 8292 §3.2)')
  }
  if (decodePoint(bytes, false) === undefined) {
    throw new VapidError(
      'ERR_VAPID_INVALID_KEY',
      bytes.length === 65
        ? 'the "k" key is not a point on P-256 (RFC 8292 §3.2)'
        : `the "k" key must be a 65-byte uncompressed P-256 point, got ${bytes.length} bytes`,
    )
  }
  return bytes
}

async function expectedKey(value: unknown): Promise<Bytes> {
  if (isObject(value) && !isBytes(value) && isBytes(value.publicKeyBytes)) {
    return readPublicInput(value.publicKeyBytes, 'publicKey')
  }
  return readPublicInput(value, 'publicKey')
}

function checkClaims(
  payload: Record<string, unknown>,
  options: { audience: string; maxExpiration: number; tolerance: number; requireSubject: boolean },
): VapidClaims {
  const { aud, exp, sub, nbf } = payload
  // RFC 8292 §2: "aud" must include the origin of the push resource.
  const audienceMatches =
    aud === options.audience || (Array.isArray(aud) && aud.includes(options.audience))
  if (!audienceMatches) {
    throw invalidClaim(
      'aud',
      aud === undefined
        ? 'token has no "aud" claim (RFC 8292 §2)'
        : '"aud" does not match the push service origin (RFC 8292 §2)',
    )
  }
  const now = Date.now() / 1000
  // RFC 8292 §2: "exp" is required, and not more than 24 hours ahead.
  if (typeof exp !== 'number' || !Number.isFinite(exp)) {
    throw invalidClaim('exp', 'token has no numeric "exp" claim (RFC 8292 §2)')
  }
  if (now >= exp + options.tolerance) {
    throw invalidClaim('exp', 'token has expired ("exp" is in the past, RFC 7519 §4.1.4)')
  }
  if (exp > now + options.maxExpiration + options.tolerance) {
    throw invalidClaim(
      'exp',
      `"exp" is more than ${options.maxExpiration} s ahead (RFC 8292 §2: at most 24 hours)`,
    )
  }
  if (nbf !== undefined && (typeof nbf !== 'number' || now + options.tolerance < nbf)) {
    throw invalidClaim('nbf', 'token is not valid yet ("nbf", RFC 7519 §4.1.5)')
  }
  // RFC 8292 §2.1: "sub" is a mailto: or https: contact.
  if (sub === undefined) {
    if (options.requireSubject)
      throw invalidClaim('sub', 'token has no "sub" claim (RFC 8292 §2.1)')
  } else if (typeof sub !== 'string' || !/^(mailto|https):/i.test(sub)) {
    throw invalidClaim('sub', '"sub" must be a mailto: or https: URI (RFC 8292 §2.1)')
  }
  return payload as VapidClaims
}

/**
 * Verifies a VAPID `Authorization` header as a push service does (RFC 8292 §3, §4): parses either
 * header form, checks that the key is a P-256 point (and the expected one, when given), verifies
 * the ES256 signature with that key, then checks `aud` against `audience`, `exp` (present, not
 * expired, at most `maxExpirationSeconds` ahead) and `sub` (present, `mailto:`/`https:`).
 *
 * Time comes from `Date.now()`; use fake timers to test old tokens.
 *
 * @param headers - `authorization` and, for the legacy form, `cryptoKey`.
 * @param options - `audience` (required); `publicKey`, `maxExpirationSeconds`,
 *   `clockToleranceSeconds`, `requireSubject`.
 * @returns The scheme, token, JWT header, claims and signing key.
 * @throws {@link VapidError} with code `ERR_VAPID_INVALID_AUTHORIZATION` (header unparsable),
 *   `ERR_VAPID_INVALID_KEY` (`k` not a P-256 point), `ERR_VAPID_KEY_MISMATCH` (`k` is not the
 *   expected key), `ERR_VAPID_INVALID_TOKEN` (malformed JWT, not ES256, bad signature) or
 *   `ERR_VAPID_INVALID_CLAIMS` (`aud`/`exp`/`sub`; see `error.claim`). `TypeError`/`RangeError`
 *   for malformed options.
 * @example
 *
 * ```ts
 * import { verifyVapidAuthorization, VapidError } from '@pushcraft/vapid'
 *
 * async function check(request: Request): Promise<number> {
 *   try {
 *     const { claims } = await verifyVapidAuthorization(
 *       {
 *         authorization: request.headers.get('authorization'),
 *         cryptoKey: request.headers.get('crypto-key'),
 *       },
 *       { audience: new URL(request.url).origin },
 *     )
 *     return claims.sub === undefined ? 401 : 201
 *   } catch (error) {
 *     if (error instanceof VapidError) return error.code === 'ERR_VAPID_KEY_MISMATCH' ? 403 : 401
 *     throw error
 *   }
 * }
 * ```
 */
export async function verifyVapidAuthorization(
  headers: VapidAuthorizationHeaders,
  options: VerifyVapidAuthorizationOptions,
): Promise<VerifiedVapidAuthorization> {
  if (!isObject(options)) throw new TypeError('"options" must be an object')
  assertKnownKeys(options, VERIFY_OPTIONS, 'options')
  const audience = assertAudience(options.audience, 'audience')
  const maxExpiration = options.maxExpirationSeconds ?? MAX_EXPIRATION_SECONDS
  assertInteger(maxExpiration, { min: 1, max: 2 ** 31 }, 'maxExpirationSeconds')
  const tolerance = options.clockToleranceSeconds ?? 0
  assertInteger(tolerance, { min: 0, max: MAX_EXPIRATION_SECONDS }, 'clockToleranceSeconds')
  const requireSubject = options.requireSubject ?? true
  assertOptionalBoolean(requireSubject, 'requireSubject')
  const expected =
    options.publicKey === undefined ? undefined : await expectedKey(options.publicKey)

  const parsed = parseVapidAuthorization(headers)
  let publicKey: Bytes
  if (parsed.key !== undefined) publicKey = decodeSenderKey(parsed.key)
  else if (expected !== undefined) publicKey = expected
  else throw invalidAuthorization('missing "p256ecdsa" key in the Crypto-Key header')
  if (expected !== undefined && !equalBytes(expected, publicKey)) {
    throw new VapidError(
      'ERR_VAPID_KEY_MISMATCH',
      'the token is signed with another key than the subscription is restricted to (RFC 8292 §4.2)',
    )
  }

  const key = await crypto.subtle.importKey(
    'raw',
    publicKey,
    { name: 'ECDSA', namedCurve: 'P-256' },
    false,
    ['verify'],
  )
  let verified: Awaited<ReturnType<typeof compactVerify>>
  try {
    // RFC 8292 §2: ES256 only, whatever the token header claims.
    verified = await compactVerify(parsed.token, key, { algorithms: ['ES256'] })
  } catch (cause) {
    throw new VapidError(
      'ERR_VAPID_INVALID_TOKEN',
      'the token is not a valid ES256 JWS for the key (RFC 8292 §2)',
      { cause },
    )
  }
  let payload: unknown
  try {
    payload = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(verified.payload))
  } catch (cause) {
    throw new VapidError(
      'ERR_VAPID_INVALID_TOKEN',
      'the token payload is not JSON (RFC 7519 §7.2)',
      {
        cause,
      },
    )
  }
  if (!isObject(payload)) {
    throw new VapidError('ERR_VAPID_INVALID_TOKEN', 'the token claims are not a JSON object')
  }
  const claims = checkClaims(payload, { audience, maxExpiration, tolerance, requireSubject })
  return {
    scheme: parsed.scheme,
    token: parsed.token,
    header: verified.protectedHeader,
    claims,
    publicKey,
    applicationServerKey: encodeBase64Url(publicKey),
  }
}
