/**
 * The `aud` claim of a VAPID token: the origin of the push resource (RFC 8292 §2, RFC 6454 §6.1).
 *
 * @module
 */

import { parseUrl } from './internal/url.js'

function toUrl(value: string | URL, name: string): URL {
  if (value instanceof URL) return value
  // A URL from another realm (an iframe, an edge runtime's VM) fails instanceof: use its href.
  const text: unknown =
    typeof value === 'object' && (value as unknown) !== null
      ? (value as { href?: unknown }).href
      : value
  if (typeof text !== 'string') throw new TypeError(`"${name}" must be a string or URL`)
  const url = parseUrl(text)
  if (url === undefined) throw new TypeError(`"${name}" must be an absolute URL`)
  return url
}

/**
 * Derives the `aud` claim from a push subscription's endpoint: the serialization of its origin
 * (RFC 8292 §2 — scheme, lower-cased host, non-default port; no path, query or fragment).
 *
 * `http:` endpoints are accepted (local and test push services); validating that a subscription
 * is `https:` is the caller's job (`@pushcraft/webpush` does it).
 *
 * @param endpoint - The push resource URL (`subscription.endpoint`).
 * @returns The origin, for example `'https://fcm.googleapis.com'`.
 * @throws `TypeError` when `endpoint` is not an absolute `http:`/`https:` URL.
 * @example
 *
 * ```ts
 * import { audienceFromEndpoint } from '@pushcraft/vapid'
 *
 * audienceFromEndpoint('https://fcm.googleapis.com/fcm/send/abc:def') // 'https://fcm.googleapis.com'
 * ```
 */
export function audienceFromEndpoint(endpoint: string | URL): string {
  const url = toUrl(endpoint, 'endpoint')
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TypeError(`"endpoint" must be an https: (or http:) URL, got scheme "${url.protocol}"`)
  }
  return url.origin
}

/**
 * Throws a `TypeError` unless `audience` is exactly an `http:`/`https:` origin serialization, the
 * only form RFC 8292 §2 allows for `aud`. Returns it.
 */
export function assertAudience(audience: unknown, name: string): string {
  if (typeof audience !== 'string') throw new TypeError(`"${name}" must be a string`)
  const url = parseUrl(audience)
  if (
    url === undefined ||
    (url.protocol !== 'https:' && url.protocol !== 'http:') ||
    url.origin !== audience
  ) {
    throw new TypeError(
      `"${name}" must be the origin of the push service, such as "https://push.example.net" ` +
        '(RFC 8292 §2); derive it with audienceFromEndpoint(endpoint)',
    )
  }
  return audience
}
