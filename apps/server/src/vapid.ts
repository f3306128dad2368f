/**
 * The server's VAPID key handling (RFC 8292 §3.2): import the configured key, or generate one and
 * export it as PKCS#8 PEM for the data directory, and the token cache the sender shares. Key
 * management comes from `@pushcraft/webpush`, which re-exports `@pushcraft/vapid`'s functions: the
 * server depends on webpush only (STYLE §4).
 *
 * @module
 */

import {
  VapidTokenCache,
  exportVapidKeys,
  generateVapidKeys,
  importVapidKeys,
  type VapidKeys,
} from '@pushcraft/webpush'

export { VapidTokenCache }

/**
 * The application server's key pair, as `@pushcraft/webpush` (re-exporting `@pushcraft/vapid`)
 * represents it.
 *
 * @example
 *
 * ```ts
 * import type { ServerVapidKeys } from './vapid.js'
 * const show = (keys: ServerVapidKeys): string => keys.applicationServerKey
 * ```
 */
export type ServerVapidKeys = VapidKeys

/**
 * Imports a private key given as pywebpush accepts it: PEM text (PKCS#8 or SEC1), DER bytes,
 * base64 DER, or the raw base64url private scalar; with an optional public key that must match.
 *
 * @param material - PEM/base64 text, or DER bytes read from a file.
 * @param publicKey - The base64url public key (`VAPID_PUBLIC`), when given.
 * @returns The key pair.
 * @throws The `VapidError` `ERR_VAPID_INVALID_KEY` (re-exported by `@pushcraft/webpush`) for bad key
 *   material.
 * @example
 *
 * ```ts
 * import { importKeys } from './vapid.js'
 * const keys = await importKeys(process.env.VAPID_PRIVATE ?? '', undefined)
 * ```
 */
export function importKeys(
  material: string | Uint8Array,
  publicKey: string | undefined,
): Promise<ServerVapidKeys> {
  if (typeof material === 'string') {
    return publicKey === undefined
      ? importVapidKeys(material)
      : importVapidKeys({ privateKey: material, publicKey, format: 'auto' })
  }
  return importVapidKeys(
    publicKey === undefined
      ? { privateKey: material, format: 'der' }
      : { privateKey: material, publicKey, format: 'der' },
  )
}

/**
 * Generates a new, extractable key pair (it is persisted once, then re-imported at each start).
 *
 * @returns The key pair.
 * @example
 *
 * ```ts
 * import { generateKeys } from './vapid.js'
 * const keys = await generateKeys()
 * ```
 */
export function generateKeys(): Promise<ServerVapidKeys> {
  return generateVapidKeys({ extractable: true })
}

/**
 * Exports the private key as PKCS#8 PEM, the format the data directory keeps.
 *
 * @param keys - An extractable key pair.
 * @returns The PEM text.
 * @example
 *
 * ```ts
 * import { exportPrivateKeyPem, generateKeys } from './vapid.js'
 * const pem = await exportPrivateKeyPem(await generateKeys())
 * ```
 */
export async function exportPrivateKeyPem(keys: ServerVapidKeys): Promise<string> {
  const { privateKey } = await exportVapidKeys(keys, { format: 'pkcs8-pem' })
  return privateKey
}
