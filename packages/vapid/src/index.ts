/**
 * `@pushcraft/vapid`: Voluntary Application Server Identification for Web Push (RFC 8292) on jose
 * and WebCrypto — keys, tokens, `Authorization` headers in both forms, verification, a token cache
 * and key rotation.
 *
 * @module
 */

export { audienceFromEndpoint } from './audience.js'
export {
  createVapidAuthorization,
  type CreateVapidAuthorizationOptions,
  type VapidAuthorization,
  type VapidScheme,
} from './authorization.js'
export {
  MIN_RESIGN_INTERVAL_SECONDS,
  VapidTokenCache,
  type VapidTokenCacheOptions,
  type VapidTokenCacheRequest,
  type VapidTokenCacheStats,
} from './cache.js'
export {
  VapidError,
  type VapidClaimName,
  type VapidErrorCode,
  type VapidErrorOptions,
} from './errors.js'
export {
  createVapidToken,
  DEFAULT_EXPIRATION_SECONDS,
  MAX_EXPIRATION_SECONDS,
  type CreateVapidTokenOptions,
} from './jwt.js'
export {
  VapidKeyring,
  type ImportVapidKeyringOptions,
  type VapidKeyringOptions,
} from './keyring.js'
export {
  exportVapidKeys,
  generateVapidKeys,
  importVapidKeys,
  importVapidPublicKey,
  type ExportedVapidKeys,
  type ExportedVapidKeysByFormat,
  type ExportVapidKeysOptions,
  type GenerateVapidKeysOptions,
  type VapidKeyFormat,
  type VapidKeyInput,
  type VapidKeyPairInput,
  type VapidKeys,
  type VapidPrivateKeyInput,
  type VapidPublicKey,
  type VapidPublicKeyInput,
} from './keys.js'
export { validateVapidSubject } from './subject.js'
export {
  parseVapidAuthorization,
  verifyVapidAuthorization,
  type ParsedVapidAuthorization,
  type VapidAuthorizationHeaders,
  type VapidClaims,
  type VerifiedVapidAuthorization,
  type VerifyVapidAuthorizationOptions,
} from './verify.js'
