/**
 * The message encryption core (RFC 8291 §3 for `aes128gcm`, draft-ietf-webpush-encryption-04 for
 * `aesgcm`), composing the key agreement with `@pushcraft/ece`. Its deterministic inputs (a fixed
 * ephemeral key pair and salt) exist for the published vectors only and are deliberately not part
 * of the public API (STYLE §16.3): the vector tests import this module directly.
 *
 * @module
 */

import { encrypt, encryptAesgcm } from '@pushcraft/ece'
import { webPushKeyInfo } from '../key-agreement.js'
import type { ContentEncoding } from '../padding.js'
import {
  computeSharedSecret,
  exportPublicKey,
  generateEphemeralKeyPair,
  hkdfIkm,
  importUserAgentKey,
} from './webcrypto.js'

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
  /** `ua_public` already imported (a validated subscription's cached key), if available. */
  readonly userAgentKey?: Promise<CryptoKey>
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
 * Encrypts one push message: a fresh ECDH P-256 key pair (unless fixed for a vector), the shared
 * secret with `ua_public`, then the coding's key schedule and `@pushcraft/ece`.
 *
 * Awaits are kept to what the data dependencies need: key generation runs alongside the import of
 * `ua_public`, and the export of `as_public` alongside the ECDH.
 */
export async function encryptPayload(input: EncryptionInput): Promise<EncryptionResult> {
  let privateKey: CryptoKey
  let applicationServerPublicKey: Uint8Array
  let sharedSecret: Uint8Array
  if (input.ephemeral === undefined) {
    const [pair, userAgentKey] = await Promise.all([
      generateEphemeralKeyPair(),
      input.userAgentKey ?? importUserAgentKey(input.userAgentPublicKey),
    ])
    privateKey = pair.privateKey
    ;[applicationServerPublicKey, sharedSecret] = await Promise.all([
      exportPublicKey(pair.publicKey),
      computeSharedSecret(privateKey, userAgentKey),
    ])
  } else {
    privateKey = input.ephemeral.privateKey
    applicationServerPublicKey = input.ephemeral.publicKey
    sharedSecret = await computeSharedSecret(
      privateKey,
      await importUserAgentKey(input.userAgentPublicKey),
    )
  }

  if (input.contentEncoding === 'aesgcm') {
    // draft-ietf-webpush-encryption-04 §3: ece combines the auth secret and the "P-256" context.
    const result = await encryptAesgcm(input.plaintext, {
      key: sharedSecret,
      authSecret: input.authSecret,
      dh: {
        receiverPublicKey: input.userAgentPublicKey,
        senderPublicKey: applicationServerPublicKey,
      },
      padding: input.padding,
      ...(input.salt === undefined ? {} : { salt: input.salt }),
    })
    return {
      body: result.body,
      applicationServerPublicKey,
      encryption: result.headers.encryption,
      ...(result.headers.cryptoKey === undefined ? {} : { cryptoKey: result.headers.cryptoKey }),
    }
  }

  // RFC 8291 §3.4: IKM from the shared secret, the auth secret and key_info.
  const ikm = await hkdfIkm(
    sharedSecret,
    input.authSecret,
    webPushKeyInfo(input.userAgentPublicKey, applicationServerPublicKey),
  )
  // RFC 8291 §4: keyid = as_public, rs = 4096, one record.
  const body = await encrypt(input.plaintext, {
    key: ikm,
    recordSize: RECORD_SIZE,
    keyId: applicationServerPublicKey,
    padding: input.padding,
    ...(input.salt === undefined ? {} : { salt: input.salt }),
  })
  ikm.fill(0)
  return { body, applicationServerPublicKey }
}
