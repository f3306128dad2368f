/**
 * The message encryption core (RFC 8291 §3 for `aes128gcm`, draft-ietf-webpush-encryption-04 for
 * `aesgcm`), composing the key agreement with `@pushcraft/ece`. Its deterministic inputs (a fixed
 * ephemeral key pair and salt) exist for the published vectors only and are deliberately not part
 * of the public API (STYLE §16.3): the vector tests import this module directly.
 *
 * @module
 */

import {
  encrypt,
  encryptAesgcm,
  type AesgcmEncryptOptions,
  type EncryptOptions,
} from '@pushcraft/ece'
import { aead, agree as agreeFresh } from '#backend'
import { webPushKeyInfo } from '../key-agreement.js'
import type { ContentEncoding } from '../padding.js'
import type { UserAgentKeyCache } from './backend-contract.js'
import { computeSharedSecret, hkdfIkm, importUserAgentKey } from './webcrypto.js'

/** RFC 8291 §4: "rs" of 4096, so the single record holds any payload that fits the 4096 budget. */
const RECORD_SIZE = 4096

/** A fixed application server key pair, for vectors only. */
export interface FixedEphemeralKey {
  readonly privateKey: CryptoKey
  /** `as_public`, 65 octets. */
  readonly publicKey: Uint8Array
}

/** Inputs of {@link encryptPayload}. Callers validated every length already. */
export interface EncryptionInput {
  /** `ua_public`, 65 octets. */
  readonly userAgentPublicKey: Uint8Array
  /** `auth_secret`, 16 octets. */
  readonly authSecret: Uint8Array
  readonly plaintext: Uint8Array
  readonly contentEncoding: ContentEncoding
  /** Padding octets (RFC 8188 §2 / draft-03 §2); the caller kept the body inside the budget. */
  readonly padding: number
  /** A validated subscription's cache of its imported `ua_public` (used by WebCrypto only). */
  readonly keyCache?: UserAgentKeyCache
  /** Vectors only: the application server key pair instead of a fresh one. */
  readonly ephemeral?: FixedEphemeralKey
  /** Vectors only: the 16-octet salt instead of a random one. */
  readonly salt?: Uint8Array
}

/** What {@link encryptPayload} produces. */
export interface EncryptionResult {
  readonly body: Uint8Array
  /** `as_public`: the ephemeral public key (in the `aes128gcm` header, or `Crypto-Key: dh=`). */
  readonly applicationServerPublicKey: Uint8Array
  /** `aesgcm` only: the `Encryption` header value (`salt=…`, plus `rs=…` when not 4096). */
  readonly encryption?: string
  /** `aesgcm` only: the `dh=…` parameter of the `Crypto-Key` header. */
  readonly cryptoKey?: string
}

/**
 * The key agreement (RFC 8291 §3.1): `as_public` and `ecdh_secret`. A fresh key pair comes from
 * the `#backend` backend (node:crypto in Node.js, WebCrypto elsewhere); a fixed one (vectors
 * only) goes through WebCrypto.
 */
async function agree(
  input: EncryptionInput,
): Promise<[applicationServerPublicKey: Uint8Array, sharedSecret: Uint8Array]> {
  if (input.ephemeral !== undefined) {
    const userAgentKey = await importUserAgentKey(input.userAgentPublicKey)
    const secret = await computeSharedSecret(input.ephemeral.privateKey, userAgentKey)
    return [input.ephemeral.publicKey, secret]
  }
  return agreeFresh(input.userAgentPublicKey, input.keyCache)
}

/**
 * Encrypts one push message: a fresh ECDH P-256 key pair (unless fixed for a vector), the shared
 * secret with `ua_public`, then the coding's key schedule and `@pushcraft/ece`. After the key
 * agreement, the only WebCrypto work left is ece's AES-GCM: both HKDF steps (RFC 8291 §3.4 here,
 * RFC 8188 §2.2–2.3 in ece) are synchronous.
 */
export async function encryptPayload(input: EncryptionInput): Promise<EncryptionResult> {
  const [applicationServerPublicKey, sharedSecret] = await agree(input)

  if (input.contentEncoding === 'aesgcm') {
    // draft-ietf-webpush-encryption-04 §3: ece combines the auth secret and the "P-256" context.
    const options: AesgcmEncryptOptions = {
      key: sharedSecret,
      authSecret: input.authSecret,
      dh: {
        receiverPublicKey: input.userAgentPublicKey,
        senderPublicKey: applicationServerPublicKey,
      },
      padding: input.padding,
    }
    // node:crypto's AES-GCM in Node.js (the `#backend` condition), ece's WebCrypto elsewhere.
    if (aead !== undefined) options.aead = aead
    if (input.salt !== undefined) options.salt = input.salt
    try {
      const result = await encryptAesgcm(input.plaintext, options)
      const encrypted: EncryptionResult = {
        body: result.body,
        applicationServerPublicKey,
        encryption: result.headers.encryption,
      }
      return result.headers.cryptoKey === undefined
        ? encrypted
        : { ...encrypted, cryptoKey: result.headers.cryptoKey }
    } finally {
      sharedSecret.fill(0)
    }
  }

  // RFC 8291 §3.4: IKM from the shared secret, the auth secret and key_info.
  const ikm = hkdfIkm(
    sharedSecret,
    input.authSecret,
    webPushKeyInfo(input.userAgentPublicKey, applicationServerPublicKey),
  )
  sharedSecret.fill(0)
  // RFC 8291 §4: keyid = as_public, rs = 4096, one record.
  const options: EncryptOptions = {
    key: ikm,
    recordSize: RECORD_SIZE,
    keyId: applicationServerPublicKey,
    padding: input.padding,
  }
  if (aead !== undefined) options.aead = aead
  if (input.salt !== undefined) options.salt = input.salt
  try {
    return { body: await encrypt(input.plaintext, options), applicationServerPublicKey }
  } finally {
    ikm.fill(0)
  }
}
