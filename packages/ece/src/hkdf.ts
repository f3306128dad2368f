/**
 * HKDF with SHA-256 (RFC 5869), synchronous: the key derivation of both content codings, exported
 * so that layered protocols (RFC 8291 Web Push derives the `aes128gcm` IKM with it) use the same
 * code and skip a WebCrypto round trip per derivation.
 *
 * @module
 */

import { assertBytes, assertInteger, assertOptions } from './internal/assert.js'
import { hkdfSha256, MAX_HKDF_LENGTH } from './internal/hkdf.js'

/**
 * Options of {@link hkdf}, named after RFC 5869 §2.
 *
 * @example
 *
 * ```ts
 * import { hkdf, type HkdfOptions } from '@pushcraft/ece'
 *
 * const options: HkdfOptions = {
 *   salt: new Uint8Array(16),
 *   ikm: crypto.getRandomValues(new Uint8Array(32)),
 *   info: new TextEncoder().encode('example\0'),
 *   length: 32,
 * }
 * const okm = hkdf(options)
 * ```
 */
export interface HkdfOptions {
  /**
   * RFC 5869 §2.2 "salt", any length; an empty salt means HashLen zero octets. Not secret, but
   * should be random per use where the protocol allows (RFC 5869 §3.1).
   */
  salt: Uint8Array
  /** RFC 5869 §2.2 "IKM", the input keying material (secret), any length. */
  ikm: Uint8Array
  /** RFC 5869 §2.3 "info", the context and application specific information; may be empty. */
  info: Uint8Array
  /** RFC 5869 §2.3 "L", the output length in octets: 1 to 8160 (255 × 32). */
  length: number
}

const HKDF_OPTIONS = ['salt', 'ikm', 'info', 'length'] as const

/**
 * HKDF-SHA-256 (RFC 5869 §2): `HKDF-Expand(HKDF-Extract(salt, IKM), info, L)`. Synchronous, in
 * plain JavaScript (typed arrays only), byte-identical to WebCrypto's `deriveBits` with `{ name:
 * 'HKDF', hash: 'SHA-256' }`. Suited to the short inputs of key schedules; the computation has no
 * branches or table look-ups that depend on secret data, and its scratch memory is wiped after each
 * call.
 *
 * @example
 *
 * ```ts
 * import { hkdf } from '@pushcraft/ece'
 *
 * // RFC 8291 §3.4: IKM = HKDF(auth_secret, ecdh_secret, key_info, 32)
 * declare const authSecret: Uint8Array
 * declare const ecdhSecret: Uint8Array
 * declare const keyInfo: Uint8Array
 * const ikm = hkdf({ salt: authSecret, ikm: ecdhSecret, info: keyInfo, length: 32 })
 * ```
 *
 * @param options - `salt`, `ikm`, `info` and the output `length`.
 * @returns A fresh `Uint8Array` of `length` octets (the OKM).
 * @throws `TypeError` when `options` is not an object, has an unknown key, or `salt`, `ikm` or
 *   `info` is not a `Uint8Array`.
 * @throws `RangeError` when `length` is not an integer from 1 to 8160 (RFC 5869 §2.3).
 */
export function hkdf(options: HkdfOptions): Uint8Array<ArrayBuffer> {
  assertOptions(options, 'options', HKDF_OPTIONS)
  const { salt, ikm, info, length } = options
  assertBytes(salt, 'salt')
  assertBytes(ikm, 'ikm')
  assertBytes(info, 'info')
  assertInteger(length, 'length', 1, MAX_HKDF_LENGTH, 'RFC 5869 §2.3')
  return hkdfSha256(salt, ikm, info, length)
}
