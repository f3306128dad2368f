/// <reference types="node" />
/**
 * The crypto backend on `node:crypto`: the `#backend` in Node.js (see `backend-contract.ts`),
 * chosen by the `node` condition of package.json `imports`. Both parts are synchronous.
 *
 * Key agreement (RFC 8291 §3.1): `ECDH#generateKeys` returns `as_public` uncompressed, and `ECDH#computeSecret`
 * decodes `ua_public`, checks that it is on the curve (OpenSSL `EC_POINT_oct2point`) and returns
 * the x-coordinate of the shared point, in ≈ 110 µs of one thread where the WebCrypto path spends
 * about as much main-thread time on dispatch alone and more on the thread pool.
 *
 * AES-128-GCM for `@pushcraft/ece` (its `aead` option; RFC 8188 §2, a 128-bit tag): one OpenSSL
 * call per record on the calling thread. The CEK lives in a secret `KeyObject` (native memory),
 * so ece can zero its bytes; `open` releases plaintext only after `final()` verified the tag.
 *
 * @module
 */

import {
  createCipheriv,
  createDecipheriv,
  createECDH,
  createSecretKey,
  type KeyObject,
} from 'node:crypto'
import type { AeadKey } from '@pushcraft/ece'
import { notOnCurve, type Agree, type BackendAead } from './backend-contract.js'

/** One fresh key pair per message (RFC 8291 §3.1); the ECDH object is dropped afterwards. */
export const agree: Agree = (userAgentPublicKey) => {
  const ecdh = createECDH('prime256v1')
  const applicationServerPublicKey = ecdh.generateKeys()
  let sharedSecret: Uint8Array
  try {
    sharedSecret = ecdh.computeSecret(userAgentPublicKey)
  } catch (cause) {
    throw notOnCurve(cause)
  }
  return [applicationServerPublicKey, sharedSecret]
}

const TAG_LENGTH = 16

/** This backend's AES key: a secret `KeyObject`. */
interface NodeAeadKey extends AeadKey {
  readonly keyObject: KeyObject
}

const keyObjectOf = (key: AeadKey): KeyObject => (key as NodeAeadKey).keyObject

/** AES-128-GCM on `node:crypto` for ece's `aead` option. */
export const aead: BackendAead = {
  importKey: (cek): NodeAeadKey => ({ type: 'secret', keyObject: createSecretKey(cek) }),
  seal(key, nonce, plaintext) {
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
  },
  open(key, nonce, sealed) {
    if (sealed.length < TAG_LENGTH) throw new RangeError('record shorter than its tag')
    const split = sealed.length - TAG_LENGTH
    const decipher = createDecipheriv('aes-128-gcm', keyObjectOf(key), nonce, {
      authTagLength: TAG_LENGTH,
    })
    decipher.setAuthTag(sealed.subarray(split))
    const opened = new Uint8Array(split)
    const head = decipher.update(sealed.subarray(0, split))
    opened.set(head)
    head.fill(0)
    try {
      const tail = decipher.final()
      if (tail.length > 0) opened.set(tail, split - tail.length)
    } catch (error) {
      opened.fill(0)
      throw error
    }
    return opened
  },
}
