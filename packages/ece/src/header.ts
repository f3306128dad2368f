/**
 * The `aes128gcm` content-coding header (RFC 8188 §2.1): `salt (16) | rs (uint32) | idlen (1) |
 * keyid (idlen)`, in front of the records.
 *
 * @module
 */

import { EceError } from './errors.js'
import { assertBytes } from './internal/assert.js'
import { readUint32, writeUint32 } from './internal/bytes.js'

/** RFC 8188 §2.1: the salt is 16 octets. */
export const SALT_LENGTH = 16

/** RFC 8188 §2.1: salt (16) + rs (4) + idlen (1). */
export const FIXED_HEADER_LENGTH = 21

/** RFC 8188 §2.1: "idlen" is one octet. */
export const MAX_KEY_ID_LENGTH = 255

/** RFC 8188 §2.1: "Values [of rs] smaller than 18 are invalid" (16-octet tag + delimiter + 1). */
export const MIN_RECORD_SIZE = 18

/** RFC 8188 §2.1: `rs` is an unsigned 32-bit integer. */
export const MAX_RECORD_SIZE = 0xffffffff

/**
 * The fields of an `aes128gcm` header, as returned by {@link parseHeader}.
 *
 * @example
 *
 * ```ts
 * import { parseHeader, type Aes128gcmHeader } from '@pushcraft/ece'
 *
 * declare const body: Uint8Array
 * const header: Aes128gcmHeader = parseHeader(body)
 * console.log(header.recordSize, header.keyId.length)
 * ```
 */
export interface Aes128gcmHeader {
  /** RFC 8188 "salt": 16 octets (a copy). */
  readonly salt: Uint8Array<ArrayBuffer>
  /** RFC 8188 "rs": the record size in octets, tag included (18 to 2^32 − 1). */
  readonly recordSize: number
  /** RFC 8188 "keyid": 0 to 255 octets (a copy); Web Push puts the sender's public key here. */
  readonly keyId: Uint8Array<ArrayBuffer>
  /** Octets before the first record: 21 + idlen. */
  readonly headerLength: number
}

/**
 * Reads the `aes128gcm` header at the start of `body` (RFC 8188 §2.1) without decrypting.
 * Useful to pick a key by `keyId` (Web Push: the sender's public key) before calling `decrypt`.
 *
 * @example
 *
 * ```ts
 * import { parseHeader } from '@pushcraft/ece'
 *
 * declare const body: Uint8Array
 * const { salt, recordSize, keyId, headerLength } = parseHeader(body)
 * ```
 *
 * @param body - The encrypted content (header and records), or at least its header.
 * @returns Fresh copies of salt and keyid, the record size and the header length.
 * @throws {@link EceError} `ERR_ECE_INVALID_HEADER` when the body is shorter than 21 octets or
 *   `idlen` runs past it; `ERR_ECE_INVALID_RECORD_SIZE` when `rs` is below 18.
 * @throws `TypeError` when `body` is not a `Uint8Array`.
 */
export function parseHeader(body: Uint8Array): Aes128gcmHeader {
  assertBytes(body, 'body')
  if (body.length < FIXED_HEADER_LENGTH) {
    throw new EceError(
      'ERR_ECE_INVALID_HEADER',
      `header needs ${FIXED_HEADER_LENGTH} octets, got ${body.length} (RFC 8188 §2.1)`,
    )
  }
  const recordSize = readUint32(body, SALT_LENGTH)
  const idlen = body[FIXED_HEADER_LENGTH - 1] ?? 0
  const headerLength = FIXED_HEADER_LENGTH + idlen
  if (body.length < headerLength) {
    throw new EceError(
      'ERR_ECE_INVALID_HEADER',
      `"idlen" ${idlen} runs past the body of ${body.length} octets (RFC 8188 §2.1)`,
    )
  }
  if (recordSize < MIN_RECORD_SIZE) {
    throw new EceError(
      'ERR_ECE_INVALID_RECORD_SIZE',
      `"rs" must be at least ${MIN_RECORD_SIZE}, got ${recordSize} (RFC 8188 §2.1)`,
    )
  }
  return {
    salt: body.slice(0, SALT_LENGTH),
    recordSize,
    keyId: body.slice(FIXED_HEADER_LENGTH, headerLength),
    headerLength,
  }
}

/**
 * Writes the header into `target` at offset 0 and returns its length. Callers validated the
 * fields (salt 16 octets, rs in range, keyid at most 255 octets).
 *
 * @internal
 */
export function writeHeader(
  target: Uint8Array,
  salt: Uint8Array,
  recordSize: number,
  keyId: Uint8Array,
): number {
  target.set(salt, 0)
  writeUint32(target, SALT_LENGTH, recordSize)
  target[FIXED_HEADER_LENGTH - 1] = keyId.length
  target.set(keyId, FIXED_HEADER_LENGTH)
  return FIXED_HEADER_LENGTH + keyId.length
}
