/**
 * The AEAD_AES_128_GCM primitive under both codings (RFC 5116 §5.1 with a 128-bit tag, as RFC 8188
 * §2 and draft-ietf-httpbis-encryption-encoding-03 §2 use it), as a small replaceable backend:
 * {@link webCryptoAead} (the default, WebCrypto) or one the caller brings, for example one on
 * `node:crypto`, which is faster in Node.js where each WebCrypto call costs a thread-pool round
 * trip. Records, nonces, padding and the key schedule stay in this package; a backend only imports
 * a 16-octet content-encryption key and seals or opens one record with one 12-octet nonce.
 *
 * @module
 */

/**
 * A content-encryption key imported by an {@link AeadBackend}: opaque to this package (a
 * non-extractable `CryptoKey` for {@link webCryptoAead}).
 *
 * @example
 *
 * ```ts
 * import type { AeadKey } from '@pushcraft/ece'
 * declare const key: AeadKey
 * console.log(key.type) // 'secret'
 * ```
 */
export interface AeadKey {
  readonly type: string
}

/**
 * An AES-128-GCM implementation for {@link encrypt}, {@link decrypt}, {@link encryptAesgcm} and
 * {@link decryptAesgcm} (`aead` option). Each method may return its result or a promise of it.
 * `open` must not release any plaintext unless the tag verified, and must throw (or reject)
 * otherwise; this package maps every such failure to `ERR_ECE_DECRYPTION_FAILED`.
 *
 * @example
 *
 * ```ts
 * // A backend that counts records around the default one. In Node.js, a backend on
 * // `createCipheriv('aes-128-gcm', …)` / `createDecipheriv` is synchronous and faster (the
 * // package README shows one).
 * import { encrypt, webCryptoAead, type AeadBackend } from '@pushcraft/ece'
 *
 * let records = 0
 * const counting: AeadBackend = {
 *   importKey: (cek, usage) => webCryptoAead.importKey(cek, usage),
 *   seal: (key, nonce, plaintext) => (records++, webCryptoAead.seal(key, nonce, plaintext)),
 *   open: (key, nonce, sealed) => webCryptoAead.open(key, nonce, sealed),
 * }
 * declare const key: Uint8Array
 * const body = await encrypt(new TextEncoder().encode('hi'), { key, aead: counting })
 * ```
 */
export interface AeadBackend {
  /**
   * Imports the 16-octet CEK for one direction. The caller zeroes its array afterwards, so a
   * backend that keeps the key must copy it (or hold it natively).
   */
  importKey(cek: Uint8Array<ArrayBuffer>, usage: 'encrypt' | 'decrypt'): AeadKey | Promise<AeadKey>
  /** Seals one record: returns ciphertext || 16-octet tag. */
  seal(
    key: AeadKey,
    nonce: Uint8Array<ArrayBuffer>,
    plaintext: Uint8Array<ArrayBuffer>,
  ): Uint8Array | Promise<Uint8Array>
  /** Opens one record (ciphertext || tag); throws or rejects when the tag does not verify. */
  open(
    key: AeadKey,
    nonce: Uint8Array<ArrayBuffer>,
    sealed: Uint8Array<ArrayBuffer>,
  ): Uint8Array<ArrayBuffer> | Promise<Uint8Array<ArrayBuffer>>
}

const TAG_BITS = 128

/**
 * AES-128-GCM on WebCrypto (`crypto.subtle`): the default {@link AeadBackend} in every runtime.
 *
 * @example
 *
 * ```ts
 * import { encrypt, webCryptoAead } from '@pushcraft/ece'
 * declare const key: Uint8Array
 * const body = await encrypt(new Uint8Array(3), { key, aead: webCryptoAead }) // same as no `aead`
 * ```
 */
export const webCryptoAead: AeadBackend = {
  importKey: (cek, usage) => crypto.subtle.importKey('raw', cek, 'AES-GCM', false, [usage]),
  seal: async (key, nonce, plaintext) =>
    new Uint8Array(
      await crypto.subtle.encrypt(
        { name: 'AES-GCM', iv: nonce, tagLength: TAG_BITS },
        key as AeadKey & CryptoKey,
        plaintext,
      ),
    ),
  open: async (key, nonce, sealed) =>
    new Uint8Array(
      await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: nonce, tagLength: TAG_BITS },
        key as AeadKey & CryptoKey,
        sealed,
      ),
    ),
}

/**
 * Reads the `aead` option: the default backend when absent, a `TypeError` unless an object with
 * the three methods.
 *
 * @internal
 */
export function readAead(value: unknown): AeadBackend {
  if (value === undefined) return webCryptoAead
  if (
    typeof value !== 'object' ||
    value === null ||
    !('importKey' in value && 'seal' in value && 'open' in value) ||
    typeof value.importKey !== 'function' ||
    typeof value.seal !== 'function' ||
    typeof value.open !== 'function'
  ) {
    throw new TypeError('"aead" must be an object with importKey, seal and open functions')
  }
  return value as AeadBackend
}
