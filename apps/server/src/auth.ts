/**
 * Admin authentication: an `Authorization: Bearer <token>` header (RFC 6750 §2.1) compared in
 * constant time with the configured token.
 *
 * @module
 */

import { createHash, timingSafeEqual } from 'node:crypto'

import { ApiError } from './errors.js'

/**
 * Extracts the token of a `Bearer` authorization header (RFC 6750 §2.1; the scheme is
 * case-insensitive, RFC 9110 §11.1).
 *
 * @param header - The `Authorization` header value.
 * @returns The token, or `undefined` when absent or another scheme.
 * @example
 *
 * ```ts
 * import { bearerToken } from './auth.js'
 * bearerToken('Bearer abc') // 'abc'
 * ```
 */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined
  const match = /^bearer[ ]+([A-Za-z0-9\-._~+/]+=*)[ ]*$/i.exec(header)
  return match?.[1]
}

/**
 * Compares two secrets in constant time. Both are hashed first, so neither the content nor the
 * length of the expected token leaks through timing.
 *
 * @param given - What the client sent.
 * @param expected - The configured token.
 * @returns Whether they are equal.
 * @example
 *
 * ```ts
 * import { safeEqual } from './auth.js'
 * safeEqual('a', 'a') // true
 * ```
 */
export function safeEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest()
  const b = createHash('sha256').update(expected).digest()
  return timingSafeEqual(a, b)
}

/**
 * Checks an admin request's authorization header.
 *
 * @param header - The `Authorization` header.
 * @param token - The admin token.
 * @throws {@link ApiError} 401 `ERR_UNAUTHORIZED` when missing or wrong.
 * @example
 *
 * ```ts
 * import { assertAdmin } from './auth.js'
 * assertAdmin('Bearer 0123456789abcdef', '0123456789abcdef')
 * ```
 */
export function assertAdmin(header: string | undefined, token: string): void {
  const given = bearerToken(header)
  if (given === undefined) {
    throw new ApiError(
      401,
      'ERR_UNAUTHORIZED',
      'admin route: send Authorization: Bearer <ADMIN_TOKEN>',
    )
  }
  if (!safeEqual(given, token)) {
    throw new ApiError(401, 'ERR_UNAUTHORIZED', 'admin route: the bearer token is not valid')
  }
}
