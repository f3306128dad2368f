/**
 * HKDF with SHA-256 (RFC 5869 §2) on the synchronous HMAC of `./sha256.ts`. The key schedules need
 * one Extract and one or two short Expands per message; done in JavaScript they cost a few
 * microseconds instead of a WebCrypto round trip each (see docs/adr/2026-11-23-pure-js-hkdf.md).
 *
 * @module
 */

import {
  DIGEST_LENGTH,
  hmacFinish,
  hmacKey,
  hmacStart,
  hmacUpdate,
  hmacUpdateByte,
  wipeScratch,
  type HmacKey,
} from './sha256.js'

/** RFC 5869 §2.3: L <= 255 * HashLen. */
export const MAX_HKDF_LENGTH: number = 255 * DIGEST_LENGTH

/**
 * RFC 5869 §2.2: PRK = HMAC-Hash(salt, IKM), returned as a prepared HMAC key (PRK is only ever
 * used as the key of HKDF-Expand). An empty salt is HashLen zeros: HMAC pads keys with zeros, so
 * both give the same PRK.
 *
 * @internal
 */
export function hkdfExtract(salt: Uint8Array, ikm: Uint8Array): HmacKey {
  const saltKey = hmacKey(salt)
  const prkBytes = new Uint8Array(DIGEST_LENGTH)
  hmacStart(saltKey)
  hmacUpdate(ikm)
  hmacFinish(saltKey, prkBytes)
  saltKey.fill(0)
  const prk = hmacKey(prkBytes)
  prkBytes.fill(0)
  wipeScratch()
  return prk
}

/**
 * RFC 5869 §2.3: OKM = first L octets of T(1) || T(2) || …, with T(0) empty and T(i) =
 * HMAC-Hash(PRK, T(i-1) || info || i), written into `out` at `offset`. `length` is at most
 * {@link MAX_HKDF_LENGTH} (checked by the callers).
 *
 * @internal
 */
export function hkdfExpandInto(
  prk: HmacKey,
  info: Uint8Array,
  length: number,
  out: Uint8Array,
  offset = 0,
): void {
  for (let i = 1, done = 0; done < length; i += 1) {
    const take = Math.min(DIGEST_LENGTH, length - done)
    hmacStart(prk)
    // T(i-1) is the previous output block, already in `out`.
    if (i > 1) hmacUpdate(out.subarray(offset + done - DIGEST_LENGTH, offset + done))
    hmacUpdate(info)
    hmacUpdateByte(i)
    // Only the last block can be partial, and it is never needed again as T(i-1).
    hmacFinish(prk, out, offset + done, take)
    done += take
  }
  wipeScratch()
}

/**
 * HKDF-Expand(HKDF-Extract(salt, IKM), info, L) in one call (RFC 5869 §2).
 *
 * @internal
 */
export function hkdfSha256(
  salt: Uint8Array,
  ikm: Uint8Array,
  info: Uint8Array,
  length: number,
): Uint8Array<ArrayBuffer> {
  const prk = hkdfExtract(salt, ikm)
  const okm = new Uint8Array(length)
  hkdfExpandInto(prk, info, length, okm)
  prk.fill(0)
  return okm
}
