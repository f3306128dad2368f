/**
 * Key schedules of both codings: the content-encryption key (CEK) and base nonce from HKDF
 * (RFC 8188 §2.2–2.3; draft-ietf-httpbis-encryption-encoding-03 §3.2–3.3 and §4.2 for `aesgcm`
 * with its "P-256" DH context; draft-ietf-webpush-encryption-04 §3.3 for the auth secret), and the
 * per-record nonce.
 *
 * @module
 */

import type { AeadBackend, AeadKey } from './aead.js'
import { utf8 } from './internal/bytes.js'
import { hkdfExpandInto, hkdfExtract, hkdfSha256 } from './internal/hkdf.js'
import { P256_PUBLIC_KEY_LENGTH } from './internal/p256.js'

/** AEAD_AES_128_GCM key length (RFC 8188 §2.2). */
const KEY_LENGTH = 16

/** AEAD_AES_128_GCM nonce length (RFC 8188 §2.3). */
export const NONCE_LENGTH = 12

/** RFC 8188 §2.2: cek_info = "Content-Encoding: aes128gcm" || 0x00. */
const AES128GCM_CEK_INFO = utf8('Content-Encoding: aes128gcm\0')

/** RFC 8188 §2.3 (and draft-03 §3.3 before the context): "Content-Encoding: nonce" || 0x00. */
const NONCE_INFO = utf8('Content-Encoding: nonce\0')

/** draft-03 §3.2: "Content-Encoding: aesgcm" || 0x00, followed by the context. */
const AESGCM_CEK_INFO = utf8('Content-Encoding: aesgcm\0')

/** draft-ietf-webpush-encryption-04 §3.3: "Content-Encoding: auth" || 0x00. */
const AUTH_INFO = utf8('Content-Encoding: auth\0')

/** draft-03 §4.2: the label of the P-256 DH context, followed by 0x00. */
const P256_LABEL = utf8('P-256\0')

/** draft-ietf-webpush-encryption-04 §3.3: the combined IKM is 32 octets. */
const AUTH_IKM_LENGTH = 32

/**
 * A derived content key ready for use: the imported AES-GCM key and the 12-octet base nonce.
 *
 * @internal
 */
export interface ContentKeys {
  readonly key: AeadKey
  readonly nonce: Uint8Array<ArrayBuffer>
}

/**
 * PRK = HKDF-Extract(salt, IKM); CEK = HKDF-Expand(PRK, cekInfo, 16); NONCE = HKDF-Expand(PRK,
 * nonceInfo, 12). The HKDF runs synchronously in JavaScript (a few microseconds); the CEK is then
 * imported by the AEAD backend (by default a non-extractable WebCrypto key) and its bytes zeroed.
 *
 * @internal
 */
export async function deriveContentKeys(
  ikm: Uint8Array,
  salt: Uint8Array,
  cekInfo: Uint8Array,
  nonceInfo: Uint8Array,
  usage: 'encrypt' | 'decrypt',
  aead: AeadBackend,
): Promise<ContentKeys> {
  const prk = hkdfExtract(salt, ikm)
  const cek = new Uint8Array(KEY_LENGTH)
  const nonce = new Uint8Array(NONCE_LENGTH)
  hkdfExpandInto(prk, cekInfo, KEY_LENGTH, cek)
  hkdfExpandInto(prk, nonceInfo, NONCE_LENGTH, nonce)
  prk.fill(0)
  try {
    return { key: await aead.importKey(cek, usage), nonce }
  } finally {
    cek.fill(0)
  }
}

/**
 * The `aes128gcm` key schedule (RFC 8188 §2.2–2.3).
 *
 * @internal
 */
export function deriveAes128gcmKeys(
  ikm: Uint8Array,
  salt: Uint8Array,
  usage: 'encrypt' | 'decrypt',
  aead: AeadBackend,
): Promise<ContentKeys> {
  return deriveContentKeys(ikm, salt, AES128GCM_CEK_INFO, NONCE_INFO, usage, aead)
}

/**
 * The `aesgcm` info strings (draft-03 §3.2–3.3): `"Content-Encoding: aesgcm" || 0x00 || context`
 * and `"Content-Encoding: nonce" || 0x00 || context`.
 *
 * @internal
 */
export function aesgcmInfo(context: Uint8Array): { cekInfo: Uint8Array; nonceInfo: Uint8Array } {
  const cekInfo = new Uint8Array(AESGCM_CEK_INFO.length + context.length)
  cekInfo.set(AESGCM_CEK_INFO)
  cekInfo.set(context, AESGCM_CEK_INFO.length)
  const nonceInfo = new Uint8Array(NONCE_INFO.length + context.length)
  nonceInfo.set(NONCE_INFO)
  nonceInfo.set(context, NONCE_INFO.length)
  return { cekInfo, nonceInfo }
}

/**
 * The "P-256" DH context of draft-03 §4.2: `"P-256" || 0x00 || uint16(65) || receiver public key
 * || uint16(65) || sender public key`. Receiver = user agent, sender = application server. Both
 * keys were validated as 65-octet points by the caller.
 *
 * @internal
 */
export function p256Context(
  receiverPublicKey: Uint8Array,
  senderPublicKey: Uint8Array,
): Uint8Array {
  const context = new Uint8Array(P256_LABEL.length + 2 * (2 + P256_PUBLIC_KEY_LENGTH))
  let offset = 0
  context.set(P256_LABEL, offset)
  offset += P256_LABEL.length
  for (const key of [receiverPublicKey, senderPublicKey]) {
    context[offset] = key.length >>> 8
    context[offset + 1] = key.length & 0xff
    context.set(key, offset + 2)
    offset += 2 + key.length
  }
  return context
}

/**
 * draft-ietf-webpush-encryption-04 §3.3: IKM = HKDF(salt = auth secret, IKM = ECDH secret,
 * info = "Content-Encoding: auth" || 0x00, L = 32).
 *
 * @internal
 */
export function combineAuthSecret(
  ikm: Uint8Array,
  authSecret: Uint8Array,
): Uint8Array<ArrayBuffer> {
  return hkdfSha256(authSecret, ikm, AUTH_INFO, AUTH_IKM_LENGTH)
}

/**
 * Writes the nonce of record `seq` into `target` (12 octets): NONCE = base XOR SEQ, with SEQ the
 * record's sequence number as a 96-bit big-endian integer (RFC 8188 §2.3; draft-03 §3.3). SEQ
 * stays below 2^53, so only the last 8 octets change.
 *
 * @internal
 */
export function writeRecordNonce(base: Uint8Array, seq: number, target: Uint8Array): void {
  target.set(base)
  const high = Math.floor(seq / 0x100000000)
  for (let i = 0; i < 4; i += 1) {
    const shift = 24 - 8 * i
    target[4 + i] = (base[4 + i] ?? 0) ^ ((high >>> shift) & 0xff)
    target[8 + i] = (base[8 + i] ?? 0) ^ ((seq >>> shift) & 0xff)
  }
}

/**
 * The public keys of the `aesgcm` "P-256" DH context (draft-03 §4.2), both 65-octet uncompressed
 * points: receiver = user agent (`p256dh`), sender = application server (the `dh` of
 * `Crypto-Key`).
 *
 * @example
 *
 * ```ts
 * import type { AesgcmDhKeys } from '@pushcraft/ece'
 *
 * declare const p256dh: Uint8Array
 * declare const serverPublicKey: Uint8Array
 * const dh: AesgcmDhKeys = { receiverPublicKey: p256dh, senderPublicKey: serverPublicKey }
 * ```
 */
export interface AesgcmDhKeys {
  /** The user agent's public key (Web Push `p256dh`), 65 octets. */
  receiverPublicKey: Uint8Array
  /** The application server's public key (`Crypto-Key: dh=`), 65 octets. */
  senderPublicKey: Uint8Array
}

const NO_CONTEXT = new Uint8Array(0)

/**
 * The `aesgcm` key schedule: the auth-secret step when `authSecret` is given
 * (draft-ietf-webpush-encryption-04 §3.3), then CEK and nonce with the "P-256" context when `dh` is
 * given and an empty context otherwise (draft-03 §3.2–3.3, §4.2).
 *
 * @internal
 */
export function deriveAesgcmKeys(
  key: Uint8Array,
  salt: Uint8Array,
  authSecret: Uint8Array | undefined,
  dh: AesgcmDhKeys | undefined,
  usage: 'encrypt' | 'decrypt',
  aead: AeadBackend,
): Promise<ContentKeys> {
  const ikm = authSecret === undefined ? key : combineAuthSecret(key, authSecret)
  const context =
    dh === undefined ? NO_CONTEXT : p256Context(dh.receiverPublicKey, dh.senderPublicKey)
  const { cekInfo, nonceInfo } = aesgcmInfo(context)
  try {
    return deriveContentKeys(ikm, salt, cekInfo, nonceInfo, usage, aead)
  } finally {
    // The derivation above read `ikm` synchronously; only the AES import is still pending.
    if (ikm !== key) ikm.fill(0)
  }
}
