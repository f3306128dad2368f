/**
 * The RFC 8291 §3.1 key agreement on WebCrypto: the `#agreement` backend of every runtime but
 * Node.js (see `agreement-contract.ts`).
 *
 * @module
 */

import type { Agree } from './agreement-contract.js'
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
