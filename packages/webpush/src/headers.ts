/**
 * The Web Push request headers an application server controls (RFC 8030 §5.2–§5.4): `TTL`,
 * `Urgency` and `Topic`, their validation, a helper that turns any key into a valid `Topic`, and
 * the rules for custom headers next to the managed ones.
 *
 * @module
 */

import { assertInteger, describe } from './internal/assert.js'
import { encodeBase64Url } from './internal/base64.js'
import { bufferSource, utf8 } from './internal/bytes.js'

/**
 * The `Urgency` values of RFC 8030 §5.3, lowest first.
 *
 * @example
 *
 * ```ts
 * import type { Urgency } from '@pushcraft/webpush'
 * const urgency: Urgency = 'high'
 * ```
 */
export type Urgency = 'very-low' | 'low' | 'normal' | 'high'

/**
 * Every {@link Urgency}, lowest first (RFC 8030 §5.3).
 *
 * @example
 *
 * ```ts
 * import { URGENCIES } from '@pushcraft/webpush'
 * console.log(URGENCIES.includes('normal')) // true
 * ```
 */
export const URGENCIES: readonly Urgency[] = Object.freeze(['very-low', 'low', 'normal', 'high'])

/**
 * The default `TTL`: 4 weeks (2,419,200 seconds), the longest FCM keeps a message.
 *
 * @example
 *
 * ```ts
 * import { DEFAULT_TTL } from '@pushcraft/webpush'
 * console.log(DEFAULT_TTL / 86_400) // 28 days
 * ```
 */
export const DEFAULT_TTL = 2_419_200

/**
 * The largest `TTL` accepted: `TTL` is a delta-seconds value (RFC 8030 §5.2), and RFC 9111 §1.2.2
 * caps delta-seconds at 2^31 - 1.
 *
 * @example
 *
 * ```ts
 * import { MAX_TTL } from '@pushcraft/webpush'
 * console.log(MAX_TTL) // 2147483647
 * ```
 */
export const MAX_TTL = 2_147_483_647

/**
 * The longest `Topic`: 32 characters of the base64url alphabet (RFC 8030 §5.4).
 *
 * @example
 *
 * ```ts
 * import { MAX_TOPIC_LENGTH } from '@pushcraft/webpush'
 * console.log(MAX_TOPIC_LENGTH) // 32
 * ```
 */
export const MAX_TOPIC_LENGTH = 32

/**
 * The headers {@link buildPushRequest} manages, lower-case. Custom headers may not repeat any of
 * them, in any letter case.
 *
 * @example
 *
 * ```ts
 * import { MANAGED_HEADERS } from '@pushcraft/webpush'
 * console.log(MANAGED_HEADERS.includes('ttl')) // true
 * ```
 */
export const MANAGED_HEADERS: readonly string[] = Object.freeze([
  'ttl',
  'urgency',
  'topic',
  'content-encoding',
  'content-type',
  'content-length',
  'encryption',
  'crypto-key',
  'authorization',
  'host',
  'connection',
  'transfer-encoding',
])

const MANAGED = new Set(MANAGED_HEADERS)
const TOPIC = /^[A-Za-z0-9_-]{1,32}$/
// RFC 9110 §5.1 (field-name = token) and §5.5 (no CR, LF or NUL in a field value).
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const BAD_VALUE = /[\r\n\0]/

/**
 * Validates a `TTL` (RFC 8030 §5.2): whole seconds from 0 to {@link MAX_TTL}. `0` asks the push
 * service to deliver now or drop the message.
 *
 * @param ttl - Seconds the push service may keep an undelivered message.
 * @returns `ttl`.
 * @throws `TypeError` when not an integer; `RangeError` when negative or above {@link MAX_TTL}.
 * @example
 *
 * ```ts
 * import { validateTtl } from '@pushcraft/webpush'
 * validateTtl(3600) // 3600
 * ```
 */
export function validateTtl(ttl: unknown): number {
  return assertInteger(ttl, { min: 0, max: MAX_TTL }, 'ttl')
}

/**
 * Whether `value` is an {@link Urgency} (RFC 8030 §5.3).
 *
 * @param value - Anything.
 * @returns `true` for `'very-low'`, `'low'`, `'normal'` or `'high'`.
 * @example
 *
 * ```ts
 * import { isUrgency } from '@pushcraft/webpush'
 * isUrgency('urgent') // false
 * ```
 */
export function isUrgency(value: unknown): value is Urgency {
  return value === 'very-low' || value === 'low' || value === 'normal' || value === 'high'
}

/**
 * Validates an `Urgency` value (RFC 8030 §5.3).
 *
 * @param urgency - The candidate value.
 * @returns `urgency`, typed.
 * @throws `TypeError` when not a string; `RangeError` when not one of {@link URGENCIES}.
 * @example
 *
 * ```ts
 * import { validateUrgency } from '@pushcraft/webpush'
 * validateUrgency('low') // 'low'
 * ```
 */
export function validateUrgency(urgency: unknown): Urgency {
  if (isUrgency(urgency)) return urgency
  if (typeof urgency !== 'string') {
    throw new TypeError(`"urgency" must be a string, got ${describe(urgency)}`)
  }
  throw new RangeError(
    `"urgency" must be one of ${URGENCIES.join(', ')} (RFC 8030 §5.3), got "${urgency.slice(0, 40)}"`,
  )
}

/**
 * Whether `value` is a valid `Topic`: 1 to 32 characters of the base64url alphabet (RFC 8030 §5.4).
 *
 * @param value - Anything.
 * @returns `true` for a valid topic.
 * @example
 *
 * ```ts
 * import { isValidTopic } from '@pushcraft/webpush'
 * isValidTopic('inbox-42') // true
 * isValidTopic('inbox 42') // false
 * ```
 */
export function isValidTopic(value: unknown): value is string {
  return typeof value === 'string' && TOPIC.test(value)
}

/**
 * Validates a `Topic` (RFC 8030 §5.4): at most 32 characters, all from the URL- and filename-safe
 * base64 alphabet. To use an arbitrary key (a conversation id, a URL), hash it with
 * {@link topicFromKey}.
 *
 * @param topic - The candidate topic.
 * @returns `topic`.
 * @throws `TypeError` when not a string; `RangeError` when empty, too long or outside the alphabet.
 * @example
 *
 * ```ts
 * import { validateTopic } from '@pushcraft/webpush'
 * validateTopic('chat-7') // 'chat-7'
 * ```
 */
export function validateTopic(topic: unknown): string {
  if (typeof topic !== 'string') {
    throw new TypeError(`"topic" must be a string, got ${describe(topic)}`)
  }
  if (TOPIC.test(topic)) return topic
  if (topic.length === 0 || topic.length > MAX_TOPIC_LENGTH) {
    throw new RangeError(
      `"topic" must be 1 to ${MAX_TOPIC_LENGTH} characters (RFC 8030 §5.4), got ${topic.length}`,
    )
  }
  throw new RangeError(
    '"topic" must use only the base64url alphabet A-Z a-z 0-9 - _ (RFC 8030 §5.4); hash other keys with topicFromKey()',
  )
}

/**
 * Hashes any key into a valid `Topic` (RFC 8030 §5.4): the first 32 base64url characters (192
 * bits) of SHA-256 over the key's UTF-8 bytes. Equal keys give equal topics, so a newer message
 * replaces an undelivered older one with the same key; the key itself is not revealed to the push
 * service.
 *
 * @param key - Any string (UTF-8 encoded) or bytes.
 * @returns A 32-character topic.
 * @throws `TypeError` when `key` is neither a string nor a `Uint8Array`.
 * @example
 *
 * ```ts
 * import { topicFromKey } from '@pushcraft/webpush'
 * const topic = await topicFromKey('conversation:8f1d…')
 * console.log(topic.length) // 32
 * ```
 */
export async function topicFromKey(key: string | Uint8Array): Promise<string> {
  let bytes: Uint8Array
  if (typeof key === 'string') bytes = utf8.encode(key)
  else if (key instanceof Uint8Array) bytes = key
  else throw new TypeError(`"key" must be a string or a Uint8Array, got ${describe(key)}`)
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bufferSource(bytes)))
  // 24 octets encode to exactly 32 base64url characters.
  return encodeBase64Url(digest.subarray(0, 24))
}

/**
 * Custom headers, as a record or as `[name, value]` pairs (a `Headers` object qualifies).
 *
 * @example
 *
 * ```ts
 * import type { CustomHeaders } from '@pushcraft/webpush'
 * const headers: CustomHeaders = { 'X-WNS-Cache-Policy': 'cache' }
 * ```
 */
export type CustomHeaders =
  Readonly<Record<string, string>> | Iterable<readonly [name: string, value: string]>

/**
 * Validates custom headers and returns them with lower-case names. Rejects invalid names or values,
 * a name given twice in different letter cases, and names of {@link MANAGED_HEADERS}.
 *
 * @param headers - The custom headers.
 * @returns A new record with lower-case names.
 * @throws `TypeError` for an invalid name or value, a duplicate, or a managed header.
 * @internal
 */
export function normalizeCustomHeaders(headers: CustomHeaders): Record<string, string> {
  const out: Record<string, string> = {}
  const entries: Iterable<readonly [string, string]> =
    Symbol.iterator in headers
      ? (headers as Iterable<readonly [string, string]>)
      : Object.entries(headers as Record<string, string>)
  for (const entry of entries) {
    const [name, value] = entry as readonly [unknown, unknown]
    if (typeof name !== 'string' || !TOKEN.test(name)) {
      throw new TypeError(`custom header name ${JSON.stringify(String(name))} is not a valid token`)
    }
    if (typeof value !== 'string' || BAD_VALUE.test(value)) {
      throw new TypeError(`custom header "${name}" must be a string without CR, LF or NUL`)
    }
    const lower = name.toLowerCase()
    if (MANAGED.has(lower)) {
      throw new TypeError(
        `custom header "${name}" duplicates a managed header; use the matching option instead`,
      )
    }
    if (Object.hasOwn(out, lower)) {
      throw new TypeError(`custom header "${name}" is given twice (header names ignore case)`)
    }
    out[lower] = value
  }
  return out
}

/**
 * The values of the Web Push headers the sender reports and reuses (RFC 8030 §5.2–§5.4, and the
 * RFC 8188 §2 `Content-Encoding`).
 *
 * @internal Used by the sender; not exported from the package entries.
 */
export interface MessageHeaderValues {
  readonly ttl: string | undefined
  readonly urgency: string | undefined
  readonly topic: string | undefined
  readonly contentEncoding: string | undefined
}

const UPPER_CASE = /[A-Z]/

/**
 * Reads `TTL`, `Urgency`, `Topic` and `Content-Encoding` from a request's headers. Names are
 * case-insensitive (RFC 9110 §5.1): `buildPushRequest` writes them lower-case, so its requests are
 * read directly (`lowerCase: true`); any other record is scanned once, the first name matching in
 * any case winning.
 *
 * @internal Used by the sender; not exported from the package entries.
 * @param headers - The request headers.
 * @param lowerCase - `true` when every name is known to be lower-case.
 * @returns The four values, `undefined` when absent.
 */
export function readMessageHeaders(
  headers: Readonly<Record<string, string>>,
  lowerCase: boolean,
): MessageHeaderValues {
  if (lowerCase) {
    return {
      ttl: headers['ttl'],
      urgency: headers['urgency'],
      topic: headers['topic'],
      contentEncoding: headers['content-encoding'],
    }
  }
  let ttl: string | undefined
  let urgency: string | undefined
  let topic: string | undefined
  let contentEncoding: string | undefined
  for (const name in headers) {
    if (!Object.hasOwn(headers, name)) continue
    const value = headers[name]
    switch (UPPER_CASE.test(name) ? name.toLowerCase() : name) {
      case 'ttl':
        ttl ??= value
        break
      case 'urgency':
        urgency ??= value
        break
      case 'topic':
        topic ??= value
        break
      case 'content-encoding':
        contentEncoding ??= value
        break
      default:
    }
  }
  return { ttl, urgency, topic, contentEncoding }
}
