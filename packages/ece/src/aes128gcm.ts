/**
 * HTTP Encrypted Content-Encoding `aes128gcm` (RFC 8188): {@link encrypt} and {@link decrypt} of
 * whole bodies (header and records), on WebCrypto alone.
 *
 * @module
 */

import { readAead, type AeadBackend } from './aead.js'
import { EceError } from './errors.js'
import {
  FIXED_HEADER_LENGTH,
  MAX_KEY_ID_LENGTH,
  MAX_RECORD_SIZE,
  MIN_RECORD_SIZE,
  parseHeader,
  SALT_LENGTH,
  writeHeader,
} from './header.js'
import { assertBytes, assertInteger, assertOptions, isBytes } from './internal/assert.js'
import { randomSalt } from './internal/salt.js'
import { toBufferSource, utf8 } from './internal/bytes.js'
import { deriveAes128gcmKeys } from './key-schedule.js'
import {
  checkRecords,
  openRecords,
  planRecords,
  recordFormat,
  sealRecords,
  writeRecordPlaintexts,
} from './records.js'

/**
 * The content codings this package implements: `aes128gcm` (RFC 8188) and the legacy `aesgcm`
 * (draft-ietf-httpbis-encryption-encoding-03, as used by draft-ietf-webpush-encryption-04).
 *
 * @example
 *
 * ```ts
 * import type { ContentEncoding } from '@pushcraft/ece'
 *
 * const encoding: ContentEncoding = 'aes128gcm'
 * ```
 */
export type ContentEncoding = 'aes128gcm' | 'aesgcm'

/**
 * The default record size `rs` in octets: 4096 (RFC 8188 §2.1 for `aes128gcm`, tag included;
 * draft-03 §3.1 for `aesgcm`, tag excluded). Web Push messages fit in one record of this size.
 *
 * @example
 *
 * ```ts
 * import { DEFAULT_RECORD_SIZE, encrypt } from '@pushcraft/ece'
 *
 * declare const key: Uint8Array
 * const body = await encrypt(new Uint8Array(10), { key, recordSize: DEFAULT_RECORD_SIZE })
 * ```
 */
export const DEFAULT_RECORD_SIZE = 4096

/** Smallest input keying material accepted: 16 octets (128 bits). */
export const MIN_KEY_LENGTH = 16

/** The padding option is bounded like `rs`; larger values are almost certainly a mistake. */
export const MAX_PADDING = 0xffffffff

/**
 * Options of {@link encrypt} (RFC 8188).
 *
 * @example
 *
 * ```ts
 * import { encrypt, type EncryptOptions } from '@pushcraft/ece'
 *
 * const options: EncryptOptions = { key: crypto.getRandomValues(new Uint8Array(16)), padding: 32 }
 * const body = await encrypt(new TextEncoder().encode('hello'), options)
 * ```
 */
export interface EncryptOptions {
  /**
   * RFC 8188 "IKM", the input keying material: at least 16 octets. Web Push passes the 32-octet
   * IKM of RFC 8291 §3.4.
   */
  key: Uint8Array
  /**
   * RFC 8188 "salt": 16 octets; by default 16 random octets, which is what production code
   * wants.
   *
   * > [!WARNING]
   * > A fixed salt is for test vectors only. Reusing a salt with the same key reuses the content
   * > key and nonce, which breaks AES-GCM.
   */
  salt?: Uint8Array
  /**
   * RFC 8188 "rs", the record size in octets, tag included: 18 to 2^32 − 1, default
   * {@link DEFAULT_RECORD_SIZE}.
   */
  recordSize?: number
  /**
   * RFC 8188 "keyid" for the header, at most 255 octets (a string is UTF-8 encoded); empty by
   * default. Web Push puts the sender's 65-octet public key here.
   */
  keyId?: Uint8Array | string
  /**
   * Total zero-padding octets to add (RFC 8188 §2), default 0. Padding goes into the first
   * records, the content after it, and every record but the last is full, so no record exceeds
   * `rs`. It hides the content length up to the padding.
   */
  padding?: number
  /**
   * The AES-128-GCM implementation (default `webCryptoAead`); for example one on
   * `node:crypto`, which is faster in Node.js. See {@link AeadBackend}.
   */
  aead?: AeadBackend
}

/**
 * A key lookup by RFC 8188 "keyid": receives the header's keyid (a copy) and returns the input
 * keying material, or `undefined` when it knows no such key.
 *
 * @example
 *
 * ```ts
 * import { decrypt, type KeyLookup } from '@pushcraft/ece'
 *
 * const keys = new Map<string, Uint8Array>()
 * const keyLookup: KeyLookup = (keyId) => keys.get(new TextDecoder().decode(keyId))
 * declare const body: Uint8Array
 * const plaintext = await decrypt(body, { keyLookup })
 * ```
 */
export type KeyLookup = (
  keyId: Uint8Array<ArrayBuffer>,
) => Uint8Array | undefined | Promise<Uint8Array | undefined>

/**
 * Options of {@link decrypt}: either a `key` or a `keyLookup`, and an optional size limit.
 *
 * @example
 *
 * ```ts
 * import { decrypt, type DecryptOptions } from '@pushcraft/ece'
 *
 * declare const body: Uint8Array
 * declare const key: Uint8Array
 * const options: DecryptOptions = { key, maxPlaintextSize: 4096 }
 * const plaintext = await decrypt(body, options)
 * ```
 */
export type DecryptOptions = (
  | {
      /** RFC 8188 "IKM": at least 16 octets. The header's keyid is not consulted. */
      key: Uint8Array
      keyLookup?: never
    }
  | {
      key?: never
      /** Finds the IKM for the header's keyid (Web Push: the sender's public key). */
      keyLookup: KeyLookup
    }
) & {
  /**
   * Reject bodies that could hold more plaintext than this many octets (body length minus header
   * and per-record overhead), before any decryption. No limit by default.
   */
  maxPlaintextSize?: number
  /**
   * The AES-128-GCM implementation (default `webCryptoAead`); for example one on
   * `node:crypto`, which is faster in Node.js. See {@link AeadBackend}.
   */
  aead?: AeadBackend
}

const ENCRYPT_OPTIONS = ['key', 'salt', 'recordSize', 'keyId', 'padding', 'aead'] as const
const DECRYPT_OPTIONS = ['key', 'keyLookup', 'maxPlaintextSize', 'aead'] as const

/**
 * Checks `maxPlaintextSize` (shared with `aesgcm`).
 *
 * @internal
 */
export function readMaxPlaintextSize(value: unknown): number {
  if (value === undefined) return Number.POSITIVE_INFINITY
  assertInteger(value, 'maxPlaintextSize', 0, Number.MAX_SAFE_INTEGER)
  return value
}

/** Runs the caller's key lookup for a keyid from the data. */
async function lookUpKey(
  keyLookup: KeyLookup,
  keyId: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array> {
  const found = await keyLookup(keyId)
  if (found === undefined) {
    throw new EceError('ERR_ECE_INVALID_KEY', 'no key for the header\'s "keyid" (RFC 8188 §2.1)')
  }
  assertBytes(found, 'key returned by keyLookup', { min: MIN_KEY_LENGTH })
  return found
}

/**
 * Encrypts `plaintext` with the `aes128gcm` content coding (RFC 8188 §2) and returns the whole
 * body: header (salt, rs, keyid) followed by the records. Content of up to `rs` − 17 octets
 * (with padding) is one record, the Web Push case, sealed with a single AES-GCM call; longer
 * content is split into records sealed in parallel.
 *
 * @example
 *
 * ```ts
 * import { encrypt } from '@pushcraft/ece'
 *
 * const key = crypto.getRandomValues(new Uint8Array(16))
 * const body = await encrypt(new TextEncoder().encode('I am the walrus'), { key })
 * ```
 *
 * @param plaintext - The content to encrypt (not modified).
 * @param options - `key` (IKM), and optionally `salt`, `recordSize`, `keyId`, `padding`.
 * @returns A fresh `Uint8Array`: 21 + keyid octets of header, then the records.
 * @throws `TypeError` when an argument has the wrong type or `options` has an unknown key.
 * @throws `RangeError` when `key` is shorter than 16 octets, `salt` is not 16 octets, `keyId` is
 *   longer than 255 octets, `recordSize` is outside 18 to 2^32 − 1 (RFC 8188 §2.1) or `padding`
 *   is negative or not an integer.
 */
export async function encrypt(
  plaintext: Uint8Array,
  options: EncryptOptions,
): Promise<Uint8Array<ArrayBuffer>> {
  assertBytes(plaintext, 'plaintext')
  assertOptions(options, 'options', ENCRYPT_OPTIONS)
  const { key, salt, recordSize = DEFAULT_RECORD_SIZE, keyId, padding = 0 } = options
  const aead = readAead(options.aead)
  assertBytes(key, 'key', { min: MIN_KEY_LENGTH })
  if (salt !== undefined) assertBytes(salt, 'salt', SALT_LENGTH)
  assertInteger(recordSize, 'recordSize', MIN_RECORD_SIZE, MAX_RECORD_SIZE, 'RFC 8188 §2.1')
  assertInteger(padding, 'padding', 0, MAX_PADDING)
  let keyIdBytes: Uint8Array
  if (keyId === undefined) keyIdBytes = new Uint8Array(0)
  else if (typeof keyId === 'string') keyIdBytes = utf8(keyId)
  else if (isBytes(keyId)) keyIdBytes = keyId
  else throw new TypeError('"keyId" must be a Uint8Array or a string')
  if (keyIdBytes.length > MAX_KEY_ID_LENGTH) {
    throw new RangeError(
      `"keyId" must be at most ${MAX_KEY_ID_LENGTH} bytes, got ${keyIdBytes.length} (RFC 8188 §2.1)`,
    )
  }

  const plan = planRecords(recordFormat('aes128gcm', recordSize), plaintext.length, padding)
  const headerLength = FIXED_HEADER_LENGTH + keyIdBytes.length
  const body = new Uint8Array(headerLength + plan.length)
  const saltBytes = salt ?? randomSalt(SALT_LENGTH)
  // The key schedule is synchronous; only the AES key import is pending while the records are laid
  // out here.
  const derivation = deriveAes128gcmKeys(key, saltBytes, 'encrypt', aead)
  writeHeader(body, saltBytes, recordSize, keyIdBytes)
  writeRecordPlaintexts(plan, plaintext, body, headerLength)
  try {
    const content = await derivation
    await sealRecords(aead, content.key, content.nonce, body, headerLength, recordSize)
  } catch (error) {
    body.fill(0)
    throw error
  }
  return body
}

/**
 * Decrypts an `aes128gcm` body (RFC 8188 §2): reads the header, derives the content key from
 * `key` (or from `keyLookup(keyid)`), authenticates every record, then checks delimiters and
 * padding. Strict and linear in the body length; records are opened in parallel.
 *
 * @example
 *
 * ```ts
 * import { decrypt, encrypt } from '@pushcraft/ece'
 *
 * const key = crypto.getRandomValues(new Uint8Array(16))
 * const body = await encrypt(new TextEncoder().encode('hello'), { key })
 * const text = new TextDecoder().decode(await decrypt(body, { key }))
 * ```
 *
 * @param body - The encrypted content: header followed by records.
 * @param options - `key` or `keyLookup`, and optionally `maxPlaintextSize`.
 * @returns The content as a fresh `Uint8Array`.
 * @throws {@link EceError} `ERR_ECE_INVALID_HEADER` (truncated header, `idlen` past the body),
 *   `ERR_ECE_INVALID_RECORD_SIZE` (`rs` below 18), `ERR_ECE_INVALID_RECORD` (last record shorter
 *   than 17 octets), `ERR_ECE_PLAINTEXT_TOO_LARGE`, `ERR_ECE_INVALID_KEY` (`keyLookup` returned
 *   no key), `ERR_ECE_DECRYPTION_FAILED` (any authentication failure, one fixed message),
 *   `ERR_ECE_INVALID_PADDING` (missing or wrong delimiter, checked after authentication) and
 *   `ERR_ECE_TRUNCATED` (no records, or the last record is not marked final).
 * @throws `TypeError` / `RangeError` on misuse: wrong types, both or neither of `key` and
 *   `keyLookup`, a key shorter than 16 octets (also when returned by `keyLookup`).
 */
export async function decrypt(
  body: Uint8Array,
  options: DecryptOptions,
): Promise<Uint8Array<ArrayBuffer>> {
  assertBytes(body, 'body')
  assertOptions(options, 'options', DECRYPT_OPTIONS)
  const { key, keyLookup } = options
  const aead = readAead(options.aead)
  if ((key === undefined) === (keyLookup === undefined)) {
    throw new TypeError('"options" needs exactly one of "key" and "keyLookup"')
  }
  if (key !== undefined) assertBytes(key, 'key', { min: MIN_KEY_LENGTH })
  if (keyLookup !== undefined && typeof keyLookup !== 'function') {
    throw new TypeError('"keyLookup" must be a function')
  }
  const maxPlaintextSize = readMaxPlaintextSize(options.maxPlaintextSize)

  const data = toBufferSource(body)
  const header = parseHeader(data)
  const format = recordFormat('aes128gcm', header.recordSize)
  const count = checkRecords(format, data, header.headerLength, maxPlaintextSize)

  const ikm =
    options.keyLookup === undefined ? options.key : await lookUpKey(options.keyLookup, header.keyId)
  const content = await deriveAes128gcmKeys(ikm, header.salt, 'decrypt', aead)
  return openRecords(format, aead, content.key, content.nonce, data, header.headerLength, count)
}
