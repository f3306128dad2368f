/// <reference types="node" />
/**
 * AEAD_AES_128_GCM on `node:crypto`: the `#aead` backend in Node.js (see `aead-contract.ts`),
 * chosen by the `node` condition of package.json `imports`. Synchronous: one OpenSSL call per
 * record on the calling thread, where WebCrypto spends more time handing the same work to the
 * thread pool and back than the cipher takes. The CEK lives in a secret `KeyObject` (native
 * memory), so the caller can zero its bytes. A 128-bit tag, as RFC 8188 §2 requires.
 *
 * @module
 */

import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject } from 'node:crypto'
import type { ContentKey, ImportContentKey, OpenRecord, SealRecord } from './aead-contract.js'

const TAG_LENGTH = 16

/** This backend's {@link ContentKey}: a secret `KeyObject` (native memory). */
interface NodeContentKey extends ContentKey {
  readonly keyObject: KeyObject
}

const keyObjectOf = (key: ContentKey): KeyObject => (key as NodeContentKey).keyObject

/** The CEK as a secret `KeyObject`; usage is enforced by the callers (one direction each). */
export const importContentKey: ImportContentKey = (cek): NodeContentKey => ({
  type: 'node:crypto',
  keyObject: createSecretKey(cek),
})

/** Ciphertext || tag in one fresh array. */
export const sealRecord: SealRecord = (key, nonce, plaintext) => {
  const cipher = createCipheriv('aes-128-gcm', keyObjectOf(key), nonce, {
    authTagLength: TAG_LENGTH,
  })
  const sealed = new Uint8Array(plaintext.length + TAG_LENGTH)
  const head = cipher.update(plaintext)
  sealed.set(head)
  const tail = cipher.final()
  if (tail.length > 0) sealed.set(tail, head.length)
  sealed.set(cipher.getAuthTag(), plaintext.length)
  return sealed
}

/**
 * Plaintext only after `final()` verified the tag: `update()` output is never returned on its
 * own, and a failed check throws (the caller maps it to `ERR_ECE_DECRYPTION_FAILED`).
 */
export const openRecord: OpenRecord = (key, nonce, sealed) => {
  if (sealed.length < TAG_LENGTH) throw new RangeError('record shorter than its tag')
  const split = sealed.length - TAG_LENGTH
  const decipher = createDecipheriv('aes-128-gcm', keyObjectOf(key), nonce, {
    authTagLength: TAG_LENGTH,
  })
  decipher.setAuthTag(sealed.subarray(split))
  const opened = new Uint8Array(split)
  const head = decipher.update(sealed.subarray(0, split))
  opened.set(head)
  try {
    const tail = decipher.final()
    if (tail.length > 0) opened.set(tail, head.length)
  } catch (error) {
    opened.fill(0)
    head.fill(0)
    throw error
  }
  head.fill(0)
  return opened
}
