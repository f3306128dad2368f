/**
 * Fresh random salts (RFC 8188 §2.1, draft-ietf-httpbis-encryption-encoding-03 §3.1) drawn from a
 * small pool that one `crypto.getRandomValues` call refills: one CSPRNG call per 256 salts
 * instead of one per message (each call has a fixed cost of a few microseconds in Node.js). The
 * salt is public (it travels in the header), every pooled octet is handed out exactly once, and a
 * used region is zeroed, so the pool adds nothing an observer of the bodies does not see anyway.
 * Each JavaScript realm (worker thread, isolate) has its own pool.
 *
 * @module
 */

/** 256 salts of 16 octets; within the 65,536-octet limit of one `getRandomValues` call. */
const POOL_LENGTH = 4096

let pool = new Uint8Array(0)
let offset = 0

/**
 * `length` octets (at most 4096) from the CSPRNG that no other caller receives.
 *
 * @internal
 */
export function randomSalt(length: number): Uint8Array<ArrayBuffer> {
  if (length > POOL_LENGTH) return crypto.getRandomValues(new Uint8Array(length))
  if (offset + length > pool.length) {
    pool = crypto.getRandomValues(new Uint8Array(POOL_LENGTH))
    offset = 0
  }
  const salt = pool.slice(offset, offset + length)
  pool.fill(0, offset, offset + length)
  offset += length
  return salt
}
