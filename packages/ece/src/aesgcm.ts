/**
 * The legacy `aesgcm` content coding (draft-ietf-httpbis-encryption-encoding-03), as used by Web
 * Push before RFC 8291 (draft-ietf-webpush-encryption-04): no in-band header; salt and record
 * size travel in the `Encryption` header field, the sender's public key in `Crypto-Key`.
 *
 * @module
 */

import {
  readMaxPlaintextSize,
  DEFAULT_RECORD_SIZE,
  MIN_KEY_LENGTH,
  MAX_PADDING,
} from './aes128gcm.js'
import { readAead, type AeadBackend } from './aead.js'
import { EceError } from './errors.js'
import { MAX_RECORD_SIZE, SALT_LENGTH } from './header.js'
import { assertBytes, assertInteger, assertOptions } from './internal/assert.js'
import { encodeBase64url } from './internal/base64url.js'
import { randomSalt } from './internal/salt.js'
import { toBufferSource } from './internal/bytes.js'
import { isP256PublicKey } from './internal/p256.js'
import { deriveAesgcmKeys, type AesgcmDhKeys } from './key-schedule.js'
import {
  checkRecords,
  openRecords,
  planRecords,
  recordFormat,
  sealRecords,
  writeRecordPlaintexts,
} from './records.js'

/**
 * Smallest `aesgcm` record size: draft-03 §3.1 requires `rs` above 1, and a record must carry the
 * two-octet padding length plus at least one octet, or no content could ever be encoded.
 */
export const AESGCM_MIN_RECORD_SIZE = 3

/** draft-ietf-webpush-encryption-04 §3.2: the auth secret is 16 octets. */
const AUTH_SECRET_LENGTH = 16

/**
 * Options of {@link encryptAesgcm}.
 *
 * @example
 *
 * ```ts
 * import { encryptAesgcm, type AesgcmEncryptOptions } from '@pushcraft/ece'
 *
 * declare const ecdhSecret: Uint8Array
 * declare const authSecret: Uint8Array
 * declare const p256dh: Uint8Array
 * declare const serverPublicKey: Uint8Array
 * const options: AesgcmEncryptOptions = {
 *   key: ecdhSecret,
 *   authSecret,
 *   dh: { receiverPublicKey: p256dh, senderPublicKey: serverPublicKey },
 * }
 * const { body, headers } = await encryptAesgcm(new TextEncoder().encode('hi'), options)
 * ```
 */
export interface AesgcmEncryptOptions {
  /**
   * The input keying material, at least 16 octets. For Web Push (`authSecret` and `dh` given) it is
   * the raw 32-octet ECDH shared secret; otherwise the explicit key (`Crypto-Key: aesgcm=`).
   */
  key: Uint8Array
  /**
   * The `Encryption` "salt", 16 octets; 16 random octets by default.
   *
   * > [!WARNING]
   * > A fixed salt is for test vectors only: reusing one with the same key breaks AES-GCM.
   */
  salt?: Uint8Array
  /**
   * The `Encryption` "rs": plaintext octets per record, the two-octet padding length included and
   * the tag excluded (draft-03 §3.1): 3 to 2^32 − 1, default {@link DEFAULT_RECORD_SIZE}.
   */
  recordSize?: number
  /** Total zero-padding octets (draft-03 §2), default 0; at most 65535 per record. */
  padding?: number
  /**
   * The 16-octet auth secret (Web Push `auth`): IKM = HKDF(authSecret, key, "Content-Encoding:
   * auth" || 0x00, 32) (draft-ietf-webpush-encryption-04 §3.3).
   */
  authSecret?: Uint8Array
  /** Both public keys, for the "P-256" key-derivation context (draft-03 §4.2). */
  dh?: AesgcmDhKeys
  /**
   * The AES-128-GCM implementation (default `webCryptoAead`); for example one on
   * `node:crypto`, which is faster in Node.js. See {@link AeadBackend}.
   */
  aead?: AeadBackend
}

/**
 * What {@link encryptAesgcm} returns: the body and the header field values that must travel with
 * it.
 *
 * @example
 *
 * ```ts
 * import { encryptAesgcm, type AesgcmEncryptResult } from '@pushcraft/ece'
 *
 * declare const key: Uint8Array
 * const result: AesgcmEncryptResult = await encryptAesgcm(new Uint8Array(3), { key })
 * const headers = { 'Content-Encoding': 'aesgcm', Encryption: result.headers.encryption }
 * ```
 */
export interface AesgcmEncryptResult {
  /** The records. */
  body: Uint8Array<ArrayBuffer>
  /** The salt used (a copy). */
  salt: Uint8Array<ArrayBuffer>
  /** The record size used. */
  recordSize: number
  /** Header field values. */
  headers: {
    /** `Encryption`: `salt=<base64url>; rs=<recordSize>`. */
    encryption: string
    /**
     * `Crypto-Key`: `dh=<base64url sender public key>` when `dh` was given. Web Push senders append
     * `;p256ecdsa=<VAPID key>` for the legacy VAPID scheme.
     */
    cryptoKey?: string
  }
}

/**
 * Options of {@link decryptAesgcm}. `salt`, `recordSize` and `dh.senderPublicKey` come from the
 * received header fields (see {@link parseAesgcmHeaders}) and are treated as untrusted data.
 *
 * @example
 *
 * ```ts
 * import { decryptAesgcm, type AesgcmDecryptOptions } from '@pushcraft/ece'
 *
 * declare const body: Uint8Array
 * declare const key: Uint8Array
 * declare const salt: Uint8Array
 * const options: AesgcmDecryptOptions = { key, salt, recordSize: 4096 }
 * const plaintext = await decryptAesgcm(body, options)
 * ```
 */
export interface AesgcmDecryptOptions {
  /** The input keying material (Web Push: the ECDH shared secret), at least 16 octets. */
  key: Uint8Array
  /** The `Encryption` "salt": 16 octets. */
  salt: Uint8Array
  /** The `Encryption` "rs", default {@link DEFAULT_RECORD_SIZE}. */
  recordSize?: number
  /** The receiver's 16-octet auth secret, when the sender used one. */
  authSecret?: Uint8Array
  /** Both public keys of the "P-256" context, when the sender used one. */
  dh?: AesgcmDhKeys
  /** Reject bodies that could hold more plaintext than this, before decrypting. No limit by default. */
  maxPlaintextSize?: number
  /**
   * The AES-128-GCM implementation (default `webCryptoAead`); for example one on
   * `node:crypto`, which is faster in Node.js. See {@link AeadBackend}.
   */
  aead?: AeadBackend
}

const ENCRYPT_OPTIONS = [
  'key',
  'salt',
  'recordSize',
  'padding',
  'authSecret',
  'dh',
  'aead',
] as const
const DECRYPT_OPTIONS = [
  'key',
  'salt',
  'recordSize',
  'authSecret',
  'dh',
  'maxPlaintextSize',
  'aead',
] as const
const DH_OPTIONS = ['receiverPublicKey', 'senderPublicKey'] as const

/** Checks `dh` shape; the points themselves are checked by the callers, per channel. */
function readDh(dh: unknown): AesgcmDhKeys | undefined {
  if (dh === undefined) return undefined
  assertOptions(dh, 'dh', DH_OPTIONS)
  assertBytes(dh.receiverPublicKey, 'dh.receiverPublicKey')
  assertBytes(dh.senderPublicKey, 'dh.senderPublicKey')
  return { receiverPublicKey: dh.receiverPublicKey, senderPublicKey: dh.senderPublicKey }
}

/** A public key the developer supplied: misuse when it is not a P-256 point. */
function assertOwnPublicKey(key: Uint8Array, name: string): void {
  if (!isP256PublicKey(key)) {
    throw new RangeError(`"${name}" must be a 65-byte uncompressed P-256 point`)
  }
}

/**
 * Encrypts `plaintext` with the legacy `aesgcm` coding (draft-ietf-httpbis-encryption-encoding-03
 * §2) and returns the records with the `Encryption` (and, with `dh`, `Crypto-Key`) values to send.
 * With `authSecret` and `dh` this is the Web Push encryption of draft-ietf-webpush-encryption-04,
 * `key` being the ECDH secret (computed by the caller). Content ending on a record boundary gets a
 * final record with no content, as draft-03 §2 requires.
 *
 * @example
 *
 * ```ts
 * import { encryptAesgcm } from '@pushcraft/ece'
 *
 * const key = crypto.getRandomValues(new Uint8Array(16))
 * const { body, headers } = await encryptAesgcm(new TextEncoder().encode('hello'), { key })
 * // send body with `Content-Encoding: aesgcm` and `Encryption: ${headers.encryption}`
 * ```
 *
 * @param plaintext - The content to encrypt (not modified).
 * @param options - `key`, and optionally `salt`, `recordSize`, `padding`, `authSecret`, `dh`.
 * @returns The body, salt, record size and header field values.
 * @throws `TypeError` when an argument has the wrong type or an options object has an unknown
 *   key.
 * @throws `RangeError` when `key` is shorter than 16 octets, `salt` or `authSecret` is not 16
 *   octets, a `dh` key is not an uncompressed P-256 point, `recordSize` is outside 3 to 2^32 − 1,
 *   or `padding` is negative or cannot be spread (above 65535 per record with `rs` above 65537).
 */
export async function encryptAesgcm(
  plaintext: Uint8Array,
  options: AesgcmEncryptOptions,
): Promise<AesgcmEncryptResult> {
  assertBytes(plaintext, 'plaintext')
  assertOptions(options, 'options', ENCRYPT_OPTIONS)
  const { key, salt, recordSize = DEFAULT_RECORD_SIZE, padding = 0, authSecret } = options
  const aead = readAead(options.aead)
  assertBytes(key, 'key', { min: MIN_KEY_LENGTH })
  if (salt !== undefined) assertBytes(salt, 'salt', SALT_LENGTH)
  assertInteger(
    recordSize,
    'recordSize',
    AESGCM_MIN_RECORD_SIZE,
    MAX_RECORD_SIZE,
    'draft-ietf-httpbis-encryption-encoding-03 §3.1',
  )
  assertInteger(padding, 'padding', 0, MAX_PADDING)
  if (authSecret !== undefined) assertBytes(authSecret, 'authSecret', AUTH_SECRET_LENGTH)
  const dh = readDh(options.dh)
  if (dh !== undefined) {
    assertOwnPublicKey(dh.receiverPublicKey, 'dh.receiverPublicKey')
    assertOwnPublicKey(dh.senderPublicKey, 'dh.senderPublicKey')
  }

  const format = recordFormat('aesgcm', recordSize)
  const plan = planRecords(format, plaintext.length, padding)
  const body = new Uint8Array(plan.length)
  const saltBytes = salt === undefined ? randomSalt(SALT_LENGTH) : salt.slice()
  const derivation = deriveAesgcmKeys(key, saltBytes, authSecret, dh, 'encrypt', aead)
  writeRecordPlaintexts(plan, plaintext, body, 0)
  try {
    const content = await derivation
    await sealRecords(aead, content.key, content.nonce, body, 0, format.recordLength)
  } catch (error) {
    body.fill(0)
    throw error
  }
  const headers: AesgcmEncryptResult['headers'] = {
    encryption: `salt=${encodeBase64url(saltBytes)}; rs=${recordSize}`,
  }
  if (dh !== undefined) headers.cryptoKey = `dh=${encodeBase64url(dh.senderPublicKey)}`
  return { body, salt: saltBytes, recordSize, headers }
}

/**
 * Decrypts a legacy `aesgcm` body (draft-ietf-httpbis-encryption-encoding-03 §2): derives the
 * content key (with the auth-secret step and "P-256" context when given), authenticates every
 * record, then checks each record's padding. Strict and linear in the body length.
 *
 * @example
 *
 * ```ts
 * import { decryptAesgcm, encryptAesgcm } from '@pushcraft/ece'
 *
 * const key = crypto.getRandomValues(new Uint8Array(16))
 * const sent = await encryptAesgcm(new TextEncoder().encode('hello'), { key })
 * const plaintext = await decryptAesgcm(sent.body, { key, salt: sent.salt })
 * ```
 *
 * @param body - The records.
 * @param options - `key`, `salt`, and optionally `recordSize`, `authSecret`, `dh`,
 *   `maxPlaintextSize`.
 * @returns The content as a fresh `Uint8Array`.
 * @throws {@link EceError} `ERR_ECE_INVALID_HEADER` (salt not 16 octets),
 *   `ERR_ECE_INVALID_RECORD_SIZE` (`rs` outside 3 to 2^32 − 1), `ERR_ECE_INVALID_KEY`
 *   (`dh.senderPublicKey` not a P-256 point), `ERR_ECE_TRUNCATED` (empty body, or the last record
 *   is full-size), `ERR_ECE_INVALID_RECORD` (last record shorter than 18 octets),
 *   `ERR_ECE_PLAINTEXT_TOO_LARGE`, `ERR_ECE_DECRYPTION_FAILED` (any authentication failure, one
 *   fixed message) and `ERR_ECE_INVALID_PADDING` (non-zero padding or a padding length past its
 *   record, checked after authentication).
 * @throws `TypeError` / `RangeError` on misuse: wrong types, unknown option keys, `key` shorter
 *   than 16 octets, `authSecret` not 16 octets, `dh.receiverPublicKey` not a P-256 point.
 */
export async function decryptAesgcm(
  body: Uint8Array,
  options: AesgcmDecryptOptions,
): Promise<Uint8Array<ArrayBuffer>> {
  assertBytes(body, 'body')
  assertOptions(options, 'options', DECRYPT_OPTIONS)
  const { key, salt, recordSize = DEFAULT_RECORD_SIZE, authSecret } = options
  const aead = readAead(options.aead)
  assertBytes(key, 'key', { min: MIN_KEY_LENGTH })
  assertBytes(salt, 'salt')
  if (typeof recordSize !== 'number') {
    throw new TypeError(`"recordSize" must be a number, got ${typeof recordSize}`)
  }
  if (authSecret !== undefined) assertBytes(authSecret, 'authSecret', AUTH_SECRET_LENGTH)
  const dh = readDh(options.dh)
  if (dh !== undefined) assertOwnPublicKey(dh.receiverPublicKey, 'dh.receiverPublicKey')
  const maxPlaintextSize = readMaxPlaintextSize(options.maxPlaintextSize)

  // Salt, rs and the sender's key come from the received header fields: untrusted data.
  if (salt.length !== SALT_LENGTH) {
    throw new EceError(
      'ERR_ECE_INVALID_HEADER',
      `"salt" must be ${SALT_LENGTH} octets, got ${salt.length} (draft-ietf-httpbis-encryption-encoding-03 §3.1)`,
    )
  }
  if (
    !Number.isInteger(recordSize) ||
    recordSize < AESGCM_MIN_RECORD_SIZE ||
    recordSize > MAX_RECORD_SIZE
  ) {
    throw new EceError(
      'ERR_ECE_INVALID_RECORD_SIZE',
      `"rs" must be an integer from ${AESGCM_MIN_RECORD_SIZE} to ${MAX_RECORD_SIZE}, got ${recordSize} (draft-ietf-httpbis-encryption-encoding-03 §3.1)`,
    )
  }
  if (dh !== undefined && !isP256PublicKey(dh.senderPublicKey)) {
    throw new EceError('ERR_ECE_INVALID_KEY', 'sender public key "dh" is not a valid P-256 point')
  }

  const data = toBufferSource(body)
  const format = recordFormat('aesgcm', recordSize)
  const count = checkRecords(format, data, 0, maxPlaintextSize)
  const content = await deriveAesgcmKeys(key, salt, authSecret, dh, 'decrypt', aead)
  return openRecords(format, aead, content.key, content.nonce, data, 0, count)
}
