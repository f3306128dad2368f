/**
 * The RFC 8291 key agreement (§3.1–§3.4): an ECDH P-256 shared secret between the application
 * server's ephemeral key and the user agent's `p256dh` key, combined with the `auth` secret into
 * the input keying material (IKM) that RFC 8188 `aes128gcm` then uses. WebCrypto only.
 *
 * @module
 */

import { utf8 } from './internal/bytes.js'
import { hkdfIkm } from './internal/webcrypto.js'

/** RFC 8291 §3.4: key_info = "WebPush: info" || 0x00 || ua_public || as_public. */
const KEY_INFO_PREFIX = utf8.encode('WebPush: info\0')

/**
 * Inputs of {@link deriveWebPushIkm}, named after RFC 8291 §3.4.
 *
 * @example
 *
 * ```ts
 * import type { WebPushIkmInput } from '@pushcraft/webpush'
 * declare const input: WebPushIkmInput
 * console.log(input.sharedSecret.length) // 32
 * ```
 */
export interface WebPushIkmInput {
  /** `ecdh_secret`: the 32-octet ECDH P-256 shared secret (RFC 8291 §3.1). */
  readonly sharedSecret: Uint8Array
  /** `auth_secret`: the 16-octet authentication secret from the subscription (RFC 8291 §3.2). */
  readonly authSecret: Uint8Array
  /** `ua_public`: the user agent's 65-octet public key, `keys.p256dh` (RFC 8291 §3.1). */
  readonly userAgentPublicKey: Uint8Array
  /** `as_public`: the application server's 65-octet ephemeral public key (RFC 8291 §3.1). */
  readonly applicationServerPublicKey: Uint8Array
}

/**
 * `key_info` of RFC 8291 §3.4: `"WebPush: info" || 0x00 || ua_public || as_public`.
 *
 * @param userAgentPublicKey - `ua_public`, 65 octets.
 * @param applicationServerPublicKey - `as_public`, 65 octets.
 * @returns The 144-octet info string.
 * @example
 *
 * ```ts
 * import { webPushKeyInfo } from '@pushcraft/webpush'
 * declare const uaPublic: Uint8Array, asPublic: Uint8Array
 * webPushKeyInfo(uaPublic, asPublic).length // 144
 * ```
 */
export function webPushKeyInfo(
  userAgentPublicKey: Uint8Array,
  applicationServerPublicKey: Uint8Array,
): Uint8Array<ArrayBuffer> {
  const info = new Uint8Array(
    KEY_INFO_PREFIX.length + userAgentPublicKey.length + applicationServerPublicKey.length,
  )
  info.set(KEY_INFO_PREFIX)
  info.set(userAgentPublicKey, KEY_INFO_PREFIX.length)
  info.set(applicationServerPublicKey, KEY_INFO_PREFIX.length + userAgentPublicKey.length)
  return info
}

function assertLength(bytes: unknown, length: number, name: string): void {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`"${name}" must be a Uint8Array`)
  if (bytes.length !== length) {
    throw new RangeError(`"${name}" must be ${length} octets, got ${bytes.length}`)
  }
}

/**
 * Derives the RFC 8291 §3.4 input keying material: `IKM = HKDF(salt = auth_secret, IKM =
 * ecdh_secret, info = key_info, L = 32)`. Both sides compute it: the application server before
 * encrypting, the user agent (or a test push service) before decrypting with RFC 8188.
 *
 * @param input - The shared secret, the auth secret and both public keys.
 * @returns The 32-octet IKM for RFC 8188 `aes128gcm`.
 * @throws `TypeError`/`RangeError` when an input is not a `Uint8Array` of its RFC length.
 * @example
 *
 * ```ts
 * import { deriveWebPushIkm } from '@pushcraft/webpush'
 * declare const sharedSecret: Uint8Array, authSecret: Uint8Array
 * declare const uaPublic: Uint8Array, asPublic: Uint8Array
 * const ikm = await deriveWebPushIkm({
 *   sharedSecret,
 *   authSecret,
 *   userAgentPublicKey: uaPublic,
 *   applicationServerPublicKey: asPublic,
 * })
 * ```
 */
export function deriveWebPushIkm(input: WebPushIkmInput): Promise<Uint8Array> {
  // Synchronous underneath (ece's HKDF); a promise for API stability, with misuse as a rejection.
  return new Promise((resolve) => {
    assertLength(input.sharedSecret, 32, 'sharedSecret')
    assertLength(input.authSecret, 16, 'authSecret')
    assertLength(input.userAgentPublicKey, 65, 'userAgentPublicKey')
    assertLength(input.applicationServerPublicKey, 65, 'applicationServerPublicKey')
    resolve(
      hkdfIkm(
        input.sharedSecret,
        input.authSecret,
        webPushKeyInfo(input.userAgentPublicKey, input.applicationServerPublicKey),
      ),
    )
  })
}
