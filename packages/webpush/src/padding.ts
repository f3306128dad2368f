/**
 * Payload size budget and padding for Web Push messages. RFC 8030 §7.2 only obliges push services
 * to accept bodies of up to 4096 octets; RFC 8291 §4 derives the largest `aes128gcm` plaintext
 * from it. Padding (RFC 8188 §2, RFC 8291 §4) hides the length of a message; every strategy here
 * stays inside the body budget.
 *
 * @module
 */

import { assertInteger } from './internal/assert.js'

/**
 * A Web Push content coding: RFC 8188 `aes128gcm` (RFC 8291), or the legacy `aesgcm`
 * (draft-ietf-httpbis-encryption-encoding-03 with draft-ietf-webpush-encryption-04).
 *
 * @example
 *
 * ```ts
 * import type { ContentEncoding } from '@pushcraft/webpush'
 * const encoding: ContentEncoding = 'aes128gcm'
 * ```
 */
export type ContentEncoding = 'aes128gcm' | 'aesgcm'

/**
 * The largest encrypted body every push service must accept, in octets (RFC 8030 §7.2).
 *
 * @example
 *
 * ```ts
 * import { MAX_BODY_BYTES } from '@pushcraft/webpush'
 * console.log(MAX_BODY_BYTES) // 4096
 * ```
 */
export const MAX_BODY_BYTES = 4096

/**
 * The largest `aes128gcm` plaintext, in octets: 4096 minus the 86-octet header (16 salt + 4 rs + 1
 * idlen + 65 keyid), the 1-octet padding delimiter and the 16-octet AEAD tag (RFC 8291 §4).
 *
 * @example
 *
 * ```ts
 * import { MAX_PAYLOAD_BYTES } from '@pushcraft/webpush'
 * console.log(MAX_PAYLOAD_BYTES) // 3993
 * ```
 */
export const MAX_PAYLOAD_BYTES = 3993

/**
 * The largest legacy `aesgcm` plaintext, in octets: 4096 minus the 2-octet padding length and the
 * 16-octet tag of a single record (draft-ietf-httpbis-encryption-encoding-03 §2).
 *
 * @example
 *
 * ```ts
 * import { MAX_AESGCM_PAYLOAD_BYTES } from '@pushcraft/webpush'
 * console.log(MAX_AESGCM_PAYLOAD_BYTES) // 4078
 * ```
 */
export const MAX_AESGCM_PAYLOAD_BYTES = 4078

// RFC 8188 §2.1 header (salt 16 + rs 4 + idlen 1 + keyid 65), delimiter 1, tag 16.
const AES128GCM_OVERHEAD = 86 + 1 + 16
// draft-ietf-httpbis-encryption-encoding-03 §2: a 2-octet padding length, then the tag.
const AESGCM_OVERHEAD = 2 + 16

/**
 * How to pad a payload before encryption (RFC 8291 §4 recommends padding to hide lengths):
 *
 * - `'none'`: no padding (the default);
 * - `{ bucket: n }`: pad up to the next multiple of `n` octets (an empty payload to `n`), so that
 *   only the bucket leaks;
 * - `'max'`: pad every message to the full body budget, so that no length leaks.
 *
 * Padding never makes a body exceed the budget: a bucket that would is capped at the budget.
 *
 * @example
 *
 * ```ts
 * import type { PaddingStrategy } from '@pushcraft/webpush'
 * const padding: PaddingStrategy = { bucket: 256 }
 * ```
 */
export type PaddingStrategy = 'none' | 'max' | { readonly bucket: number }

/**
 * The encrypted body size for a payload, in octets: one record with `rs` 4096 as RFC 8291 §4
 * requires for `aes128gcm`, one record for `aesgcm`.
 *
 * @param payloadBytes - The plaintext length in octets.
 * @param options - The content coding and the padding length in octets.
 * @returns The body length in octets.
 * @example
 *
 * ```ts
 * import { encryptedBodySize } from '@pushcraft/webpush'
 * encryptedBodySize(41, { contentEncoding: 'aes128gcm' }) // 144, as in RFC 8291 §5
 * ```
 */
export function encryptedBodySize(
  payloadBytes: number,
  options?: { readonly contentEncoding?: ContentEncoding; readonly padding?: number },
): number {
  const overhead = options?.contentEncoding === 'aesgcm' ? AESGCM_OVERHEAD : AES128GCM_OVERHEAD
  return payloadBytes + (options?.padding ?? 0) + overhead
}

/**
 * The largest plaintext that fits a body budget, in octets.
 *
 * @param options - The content coding (default `aes128gcm`) and the body budget (default
 *   {@link MAX_BODY_BYTES}).
 * @returns The largest payload length in octets (0 when even an empty payload does not fit).
 * @example
 *
 * ```ts
 * import { maxPayloadBytes } from '@pushcraft/webpush'
 * maxPayloadBytes() // 3993
 * maxPayloadBytes({ contentEncoding: 'aesgcm' }) // 4078
 * ```
 */
export function maxPayloadBytes(options?: {
  readonly contentEncoding?: ContentEncoding
  readonly maxBodyBytes?: number
}): number {
  const budget = options?.maxBodyBytes ?? MAX_BODY_BYTES
  return Math.max(0, budget - encryptedBodySize(0, options))
}

/**
 * Validates a {@link PaddingStrategy} given by the developer.
 *
 * @param strategy - The candidate strategy.
 * @returns The strategy.
 * @throws `TypeError` for an unknown strategy; `RangeError` for a bucket outside 1..4096.
 * @internal
 */
export function validatePadding(strategy: unknown): PaddingStrategy {
  if (strategy === 'none' || strategy === 'max') return strategy
  if (typeof strategy === 'object' && strategy !== null && 'bucket' in strategy) {
    const keys = Object.keys(strategy)
    if (keys.length === 1) {
      assertInteger(strategy.bucket, { min: 1, max: MAX_BODY_BYTES }, 'padding.bucket')
      return strategy as { readonly bucket: number }
    }
  }
  throw new TypeError(`"padding" must be 'none', 'max' or { bucket: number }`)
}

/**
 * The number of padding octets a strategy adds to a payload, never growing the body past
 * `paddingBudget` (and never below zero: a payload already past the budget gets no padding).
 *
 * @param payloadBytes - The plaintext length in octets.
 * @param strategy - The padding strategy.
 * @param options - The content coding and the body budget padding may use (default 4096).
 * @returns Padding octets to add.
 * @example
 *
 * ```ts
 * import { paddingLength } from '@pushcraft/webpush'
 * paddingLength(100, { bucket: 256 }) // 156
 * paddingLength(100, 'max') // 3893: the body becomes exactly 4096 octets
 * ```
 */
export function paddingLength(
  payloadBytes: number,
  strategy: PaddingStrategy,
  options?: { readonly contentEncoding?: ContentEncoding; readonly paddingBudget?: number },
): number {
  if (strategy === 'none') return 0
  const limit = maxPayloadBytes({
    ...(options?.contentEncoding === undefined ? {} : { contentEncoding: options.contentEncoding }),
    maxBodyBytes: options?.paddingBudget ?? MAX_BODY_BYTES,
  })
  const target =
    strategy === 'max'
      ? limit
      : Math.min(limit, Math.max(1, Math.ceil(payloadBytes / strategy.bucket)) * strategy.bucket)
  return Math.max(0, target - payloadBytes)
}
