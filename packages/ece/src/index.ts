/**
 * HTTP Encrypted Content-Encoding on WebCrypto alone (or an AES-GCM backend you bring): `aes128gcm` (RFC 8188) and the legacy
 * `aesgcm` (draft-ietf-httpbis-encryption-encoding-03, as used by draft-ietf-webpush-encryption-04).
 *
 * @module
 */

export { webCryptoAead, type AeadBackend, type AeadKey } from './aead.js'
export {
  DEFAULT_RECORD_SIZE,
  decrypt,
  encrypt,
  type ContentEncoding,
  type DecryptOptions,
  type EncryptOptions,
  type KeyLookup,
} from './aes128gcm.js'
export {
  decryptAesgcm,
  encryptAesgcm,
  type AesgcmDecryptOptions,
  type AesgcmEncryptOptions,
  type AesgcmEncryptResult,
} from './aesgcm.js'
export {
  parseAesgcmHeaders,
  type AesgcmHeaderParams,
  type AesgcmHeaders,
} from './aesgcm-headers.js'
export { EceError, type EceErrorCode } from './errors.js'
export { parseHeader, type Aes128gcmHeader } from './header.js'
export { hkdf, type HkdfOptions } from './hkdf.js'
export type { AesgcmDhKeys } from './key-schedule.js'
