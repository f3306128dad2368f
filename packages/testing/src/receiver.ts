/**
 * The user agent's side of Web Push message encryption: key pairs for subscriptions, and
 * decryption of `aes128gcm` (RFC 8291 §3.4 + RFC 8188) and legacy `aesgcm`
 * (draft-ietf-webpush-encryption-04) bodies, the way a browser does it.
 *
 * @module
 */

import { EceError, decrypt, decryptAesgcm, parseAesgcmHeaders } from '@pushcraft/ece'
import { concat, toBase64Url, toBuffer, utf8, randomBytes } from './internal/bytes.js'
import { hkdf } from './internal/hkdf.js'

/**
 * The private half of a subscription, as a browser keeps it: the ECDH P-256 key pair behind
 * `keys.p256dh` and the 16-byte `keys.auth` secret (RFC 8291 §2).
 *
 * @example
 *
 * ```ts
 * import { generateUserAgentKeys } from '@pushcraft/testing'
 * const keys = await generateUserAgentKeys()
 * console.log(keys.p256dh, keys.auth)
 * ```
 */
export interface UserAgentKeys {
  /** The ECDH private key (`ua_private`, RFC 8291 §3.1); not extractable. */
  readonly privateKey: CryptoKey
  /** The 65-byte uncompressed public point (`ua_public`). */
  readonly publicKey: Uint8Array
  /** The 16-byte authentication secret (`auth_secret`, RFC 8291 §3.2). */
  readonly authSecret: Uint8Array
  /** `publicKey` as unpadded base64url, the subscription's `keys.p256dh`. */
  readonly p256dh: string
  /** `authSecret` as unpadded base64url, the subscription's `keys.auth`. */
  readonly auth: string
}

/**
 * Generates the keys a browser creates for a new push subscription (RFC 8291 §2).
 *
 * @returns A fresh ECDH P-256 key pair and a random 16-byte auth secret.
 * @example
 *
 * ```ts
 * import { generateUserAgentKeys } from '@pushcraft/testing'
 * const { p256dh, auth } = await generateUserAgentKeys()
 * const subscription = { endpoint: 'https://push.example/x', keys: { p256dh, auth } }
 * ```
 */
export async function generateUserAgentKeys(): Promise<UserAgentKeys> {
  const pair = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, [
    'deriveBits',
  ])
  const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey))
  const authSecret = randomBytes(16)
  return {
    privateKey: pair.privateKey,
    publicKey,
    authSecret,
    p256dh: toBase64Url(publicKey),
    auth: toBase64Url(authSecret),
  }
}

/**
 * Imports user agent keys from raw bytes, e.g. the `ua_private` of a published test vector.
 *
 * @param options - `privateKey`: the 32-byte P-256 scalar; `publicKey`: its 65-byte point;
 *   `authSecret`: 16 bytes.
 * @returns The keys, usable with {@link decryptPushMessage}.
 * @throws `TypeError`/`RangeError` when a value has the wrong type or length.
 * @example
 *
 * ```ts
 * import { importUserAgentKeys } from '@pushcraft/testing'
 * import { rfc8291AppendixA as v } from '@pushcraft/testing/fixtures'
 * const keys = await importUserAgentKeys({
 *   privateKey: v.receiver.privateKey,
 *   publicKey: v.receiver.publicKey,
 *   authSecret: v.receiver.authSecret,
 * })
 * ```
 */
export async function importUserAgentKeys(options: {
  readonly privateKey: Uint8Array
  readonly publicKey: Uint8Array
  readonly authSecret: Uint8Array
}): Promise<UserAgentKeys> {
  assertBytes(options.privateKey, 32, 'privateKey')
  assertBytes(options.publicKey, 65, 'publicKey')
  assertBytes(options.authSecret, 16, 'authSecret')
  const publicKey = toBuffer(options.publicKey)
  const jwk: JsonWebKey = {
    kty: 'EC',
    crv: 'P-256',
    d: toBase64Url(options.privateKey),
    x: toBase64Url(publicKey.subarray(1, 33)),
    y: toBase64Url(publicKey.subarray(33, 65)),
  }
  const privateKey = await crypto.subtle.importKey(
    'jwk',
    jwk,
    { name: 'ECDH', namedCurve: 'P-256' },
    false,
    ['deriveBits'],
  )
  const authSecret = toBuffer(options.authSecret)
  return {
    privateKey,
    publicKey,
    authSecret,
    p256dh: toBase64Url(publicKey),
    auth: toBase64Url(authSecret),
  }
}

/**
 * What {@link decryptPushMessage} needs from the HTTP request besides the body.
 *
 * @example
 *
 * ```ts
 * import type { PushMessageHeaders } from '@pushcraft/testing'
 * const headers: PushMessageHeaders = { contentEncoding: 'aes128gcm' }
 * ```
 */
export interface PushMessageHeaders {
  /** `Content-Encoding`: `aes128gcm` or `aesgcm`. */
  readonly contentEncoding: string
  /** `Encryption` (legacy `aesgcm` only): `salt=…; rs=…`. */
  readonly encryption?: string | undefined
  /** `Crypto-Key` (legacy `aesgcm` only): `dh=…` and possibly `p256ecdsa=…`. */
  readonly cryptoKey?: string | undefined
}

/**
 * Decrypts a Web Push message body as the receiving browser would.
 *
 * - `aes128gcm` (RFC 8291 §3.4): the sender's public key is the `keyid` of the RFC 8188 header;
 *   IKM = HKDF(auth_secret, ECDH(ua_private, as_public), "WebPush: info" || 0x00 || ua_public ||
 *   as_public, 32), then RFC 8188 decryption.
 * - `aesgcm` (draft-ietf-webpush-encryption-04 §3): the sender's key is `Crypto-Key: dh=…`, the
 *   salt and record size come from `Encryption`.
 *
 * @param body - The request body (ciphertext).
 * @param headers - The content coding and, for `aesgcm`, the `Encryption`/`Crypto-Key` values.
 * @param keys - The subscription's private keys.
 * @returns The plaintext.
 * @throws `EceError` from `@pushcraft/ece` (`ERR_ECE_*` codes) when the body, the headers or the
 *   sender's key are bad; `TypeError` when `headers.contentEncoding` is not a Web Push coding.
 * @example
 *
 * ```ts
 * import { decryptPushMessage, generateUserAgentKeys } from '@pushcraft/testing'
 * const keys = await generateUserAgentKeys()
 * declare const body: Uint8Array
 * const plaintext = await decryptPushMessage(body, { contentEncoding: 'aes128gcm' }, keys)
 * ```
 */
export async function decryptPushMessage(
  body: Uint8Array,
  headers: PushMessageHeaders,
  keys: Pick<UserAgentKeys, 'privateKey' | 'publicKey' | 'authSecret'>,
): Promise<Uint8Array> {
  const coding = headers.contentEncoding.trim().toLowerCase()
  if (coding === 'aes128gcm') {
    return decrypt(body, {
      // RFC 8291 §4: the keyid of the RFC 8188 header carries the sender's public key.
      keyLookup: (senderPublicKey) => deriveAes128gcmKey(keys, senderPublicKey),
    })
  }
  if (coding === 'aesgcm') {
    const parsed = parseAesgcmHeaders({
      encryption: headers.encryption ?? '',
      ...(headers.cryptoKey === undefined ? {} : { cryptoKey: headers.cryptoKey }),
    })
    if (parsed.dh === undefined) {
      // Let ece name the problem with its own code: an aesgcm Web Push message needs `dh`.
      return decryptAesgcm(body, { key: new Uint8Array(0), salt: parsed.salt })
    }
    const sharedSecret = await ecdh(keys.privateKey, parsed.dh)
    return decryptAesgcm(body, {
      key: sharedSecret,
      salt: parsed.salt,
      recordSize: parsed.recordSize,
      authSecret: keys.authSecret,
      dh: { receiverPublicKey: keys.publicKey, senderPublicKey: parsed.dh },
    })
  }
  throw new TypeError(`"contentEncoding" must be "aes128gcm" or "aesgcm", got "${coding}"`)
}

const WEBPUSH_INFO = utf8('WebPush: info\0')

/** RFC 8291 §3.3/§3.4: the IKM handed to RFC 8188 for one sender key. */
async function deriveAes128gcmKey(
  keys: Pick<UserAgentKeys, 'privateKey' | 'publicKey' | 'authSecret'>,
  senderPublicKey: Uint8Array,
): Promise<Uint8Array> {
  const sharedSecret = await ecdh(keys.privateKey, senderPublicKey)
  const info = concat(WEBPUSH_INFO, keys.publicKey, senderPublicKey)
  return hkdf(keys.authSecret, sharedSecret, info, 32)
}

/** ECDH(privateKey, peer) → 32-byte x coordinate; a bad peer point throws (WebCrypto DataError). */
async function ecdh(privateKey: CryptoKey, peerPublicKey: Uint8Array): Promise<Uint8Array> {
  let peer: CryptoKey
  try {
    peer = await crypto.subtle.importKey(
      'raw',
      toBuffer(peerPublicKey),
      { name: 'ECDH', namedCurve: 'P-256' },
      false,
      [],
    )
  } catch (cause) {
    throw new EceError(
      'ERR_ECE_INVALID_KEY',
      `the sender's public key is not a valid P-256 point (${peerPublicKey.length} bytes)`,
      { cause },
    )
  }
  return new Uint8Array(
    await crypto.subtle.deriveBits({ name: 'ECDH', public: peer }, privateKey, 256),
  )
}

function assertBytes(value: unknown, length: number, name: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`"${name}" must be a Uint8Array`)
  if (value.length !== length) {
    throw new RangeError(`"${name}" must be ${length} bytes, got ${value.length}`)
  }
}
