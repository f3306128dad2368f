// Types for the http_ece 1.2.1 dev dependency (it ships none), limited to what the interop tests use.
declare module 'http_ece' {
  import type { ECDH } from 'node:crypto'

  interface HttpEceParams {
    version?: 'aes128gcm' | 'aesgcm'
    key?: Uint8Array
    salt?: Uint8Array
    rs?: number
    pad?: number
    keyid?: string | Uint8Array
    authSecret?: Uint8Array
    dh?: Uint8Array
    privateKey?: ECDH
  }

  export function encrypt(buffer: Buffer, params: HttpEceParams): Buffer
  export function decrypt(buffer: Buffer, params: HttpEceParams): Buffer
}
