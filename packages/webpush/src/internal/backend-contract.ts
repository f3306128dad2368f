/**
 * The contract of the crypto backend behind the `#backend` import: the RFC 8291 §3.1 key
 * agreement (a fresh ephemeral ECDH P-256 key pair per message and the shared secret with
 * `ua_public`), and the AES-128-GCM backend handed to `@pushcraft/ece` (its `aead` option). Two
 * implementations: WebCrypto (`backend.ts`, every runtime; ece's default AES-GCM) and
 * `node:crypto` (`backend-node.ts`, selected by the `node` import condition in Node.js only,
 * where each WebCrypto call costs more main-thread time in dispatch than OpenSSL takes for the
 * work). ADR 2026-11-23-node-crypto-backends.
 *
 * @module
 */

import type { AeadBackend } from '@pushcraft/ece'
import { WebPushError } from '../errors.js'

/** The AES-128-GCM backend for ece's `aead` option, or `undefined` for ece's WebCrypto default. */
export type BackendAead = AeadBackend | undefined

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
