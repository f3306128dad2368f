/// <reference types="node" />
/**
 * The RFC 8291 §3.1 key agreement on `node:crypto`: the `#agreement` backend in Node.js (see
 * `agreement-contract.ts`), chosen by the `node` condition of package.json `imports`.
 * Synchronous: `ECDH#generateKeys` returns `as_public` uncompressed, and `ECDH#computeSecret`
 * decodes `ua_public`, checks that it is on the curve (OpenSSL `EC_POINT_oct2point`) and returns
 * the x-coordinate of the shared point, in ≈ 110 µs of one thread where the WebCrypto path spends
 * about as much main-thread time on dispatch alone and more on the thread pool.
 *
 * @module
 */

import { createECDH } from 'node:crypto'
import { notOnCurve, type Agree } from './agreement-contract.js'

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
