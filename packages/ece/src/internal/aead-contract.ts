/**
 * The contract of the AEAD_AES_128_GCM backend behind the `#aead` import (RFC 5116 §5.1, as RFC
 * 8188 §2 and draft-ietf-httpbis-encryption-encoding-03 §2 use it). Two implementations: WebCrypto
 * (`aead.ts`, every runtime) and `node:crypto` (`aead-node.ts`, selected by the `node` import
 * condition in Node.js only, where WebCrypto's per-call dispatch costs more than the cipher).
 * Records, nonces and the key schedule stay in one place above it; the backend only seals and
 * opens one record with one 16-octet key and one 12-octet nonce.
 *
 * @module
 */

/**
 * An AES-128-GCM key imported by a backend: a non-extractable `CryptoKey` (WebCrypto) or a secret
 * `KeyObject` (Node.js). Opaque to the rest of the package.
 */
export interface ContentKey {
  readonly type: string
}

/** Imports the 16-octet CEK; the caller zeroes its copy afterwards. */
export type ImportContentKey = (
  cek: Uint8Array<ArrayBuffer>,
  usage: 'encrypt' | 'decrypt',
) => ContentKey | Promise<ContentKey>

/** Seals one record: returns ciphertext || 16-octet tag. */
export type SealRecord = (
  key: ContentKey,
  nonce: Uint8Array<ArrayBuffer>,
  plaintext: Uint8Array<ArrayBuffer>,
) => Uint8Array | Promise<Uint8Array>

/**
 * Opens one record (ciphertext || tag) and returns its plaintext; throws (or rejects) when the
 * tag does not verify, without releasing any plaintext.
 */
export type OpenRecord = (
  key: ContentKey,
  nonce: Uint8Array<ArrayBuffer>,
  sealed: Uint8Array<ArrayBuffer>,
) => Uint8Array<ArrayBuffer> | Promise<Uint8Array<ArrayBuffer>>
