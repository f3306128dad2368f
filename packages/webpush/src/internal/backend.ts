/**
 * The crypto backend on WebCrypto: the `#backend` of every runtime but Node.js (see
 * `backend-contract.ts`): the RFC 8291 §3.1 key agreement here, ece's default AES-128-GCM.
 *
 * @module
 */

import type { Agree, BackendAead } from './backend-contract.js'
import {
  computeSharedSecret,
  exportPublicKey,
  generateEphemeralKeyPair,
  importUserAgentKey,
} from './webcrypto.js'

/**
 * Each WebCrypto call runs as soon as its inputs exist, and the ones that run in a thread pool
 * (Node, Deno) are issued before the ones that run on the calling thread, so they overlap: key
 * generation before the import of `ua_public`, the ECDH before the export of `as_public`. A
 * validated subscription imports `ua_public` once and reuses the key.
 */
export const agree: Agree = async (userAgentPublicKey, cache) => {
  const [pair, userAgentKey] = await Promise.all([
    generateEphemeralKeyPair(),
    cache === undefined
      ? importUserAgentKey(userAgentPublicKey)
      : (cache.key ??= importUserAgentKey(userAgentPublicKey)),
  ])
  const [secret, publicKey] = await Promise.all([
    computeSharedSecret(pair.privateKey, userAgentKey),
    exportPublicKey(pair.publicKey),
  ])
  return [publicKey, secret]
}

/** `undefined`: ece's own default (`webCryptoAead`). */
export const aead: BackendAead = undefined
