/**
 * AEAD_AES_128_GCM on WebCrypto: the `#aead` backend of every runtime but Node.js (see
 * `aead-contract.ts`). A 128-bit tag, as RFC 8188 §2 requires.
 *
 * @module
 */

import type { ContentKey, ImportContentKey, OpenRecord, SealRecord } from './aead-contract.js'

const TAG_BITS = 128

/** The CEK as a non-extractable AES-GCM `CryptoKey` for one direction. */
export const importContentKey: ImportContentKey = (cek, usage) =>
  crypto.subtle.importKey('raw', cek, 'AES-GCM', false, [usage])

/** `AES-GCM` encrypt: WebCrypto appends the tag. */
export const sealRecord: SealRecord = async (key, nonce, plaintext) =>
  new Uint8Array(
    await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv: nonce, tagLength: TAG_BITS },
      key as ContentKey & CryptoKey,
      plaintext,
    ),
  )

/** `AES-GCM` decrypt: rejects with `OperationError` when the tag does not verify. */
export const openRecord: OpenRecord = async (key, nonce, sealed) =>
  new Uint8Array(
    await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: nonce, tagLength: TAG_BITS },
      key as ContentKey & CryptoKey,
      sealed,
    ),
  )
