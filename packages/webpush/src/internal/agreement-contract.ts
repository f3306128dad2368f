/**
 * The contract of the RFC 8291 §3.1 key agreement backend behind the `#agreement` import: a fresh
 * ephemeral ECDH P-256 key pair per message and the shared secret with `ua_public`. Two
 * implementations: WebCrypto (`agreement.ts`, every runtime) and `node:crypto`
 * (`agreement-node.ts`, selected by the `node` import condition in Node.js only, where the four
 * WebCrypto calls cost more main-thread time in dispatch than OpenSSL takes for the work).
 *
 * @module
 */

import { WebPushError } from '../errors.js'

/** Where a validated subscription keeps its imported `ua_public` between messages (WebCrypto). */
export interface UserAgentKeyCache {
  key?: Promise<CryptoKey>
}

/**
 * `as_public` (the 65-octet uncompressed ephemeral public key) and `ecdh_secret` (32 octets) for
 * one message. Rejects or throws {@link WebPushError} `ERR_WEBPUSH_INVALID_SUBSCRIPTION` (reason
 * `not-on-curve`) when `ua_public` is not a point on P-256.
 */
export type Agree = (
  userAgentPublicKey: Uint8Array,
  cache: UserAgentKeyCache | undefined,
) =>
  | Promise<[applicationServerPublicKey: Uint8Array, sharedSecret: Uint8Array]>
  | [applicationServerPublicKey: Uint8Array, sharedSecret: Uint8Array]

/** The one error of a `p256dh` that decodes but is not a point on P-256 (SEC 1 §3.2.2.1). */
export function notOnCurve(cause: unknown): WebPushError {
  return new WebPushError(
    'ERR_WEBPUSH_INVALID_SUBSCRIPTION',
    '"keys.p256dh" is not a point on P-256',
    { cause, field: 'keys.p256dh', reason: 'not-on-curve' },
  )
}
