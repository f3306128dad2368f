/**
 * `@pushcraft/webpush/request`: the pure, runtime-agnostic half of the package (RFC 8030 request
 * building, RFC 8291 encryption, subscriptions, per-service rules, Declarative Web Push). It
 * imports neither undici nor `node:*`, so it bundles for Workers, Deno, Bun and browsers.
 *
 * @module
 */

export { WebPushError, isWebPushError } from './errors.js'
export type { WebPushErrorCode, WebPushErrorOptions } from './errors.js'

export { MAX_ENDPOINT_LENGTH, isValidSubscription, validateSubscription } from './subscription.js'
export type {
  PushSubscriptionJSON,
  SubscriptionErrorReason,
  ValidateSubscriptionOptions,
  ValidatedSubscription,
} from './subscription.js'

export { deriveWebPushIkm, webPushKeyInfo } from './key-agreement.js'
export type { WebPushIkmInput } from './key-agreement.js'

export { encryptPushMessage } from './encrypt.js'
export type { EncryptPushMessageOptions, EncryptedPushMessage, PushPayload } from './encrypt.js'

export {
  MAX_AESGCM_PAYLOAD_BYTES,
  MAX_BODY_BYTES,
  MAX_PAYLOAD_BYTES,
  encryptedBodySize,
  maxPayloadBytes,
  paddingLength,
} from './padding.js'
export type { ContentEncoding, PaddingStrategy } from './padding.js'

export {
  DEFAULT_TTL,
  MANAGED_HEADERS,
  MAX_TOPIC_LENGTH,
  MAX_TTL,
  URGENCIES,
  isUrgency,
  isValidTopic,
  topicFromKey,
  validateTopic,
  validateTtl,
  validateUrgency,
} from './headers.js'
export type { CustomHeaders, Urgency } from './headers.js'

export { buildPushRequest, toCurl } from './request.js'
export type {
  CurlCommand,
  CurlOptions,
  PushRequest,
  PushRequestOptions,
  VapidCredentials,
  VapidHeaders,
  VapidOption,
} from './request.js'

export {
  FIREFOX_ANDROID_BODY_BUDGET,
  identifyPushService,
  isReachableVapidSubject,
  pushServiceRules,
} from './quirks.js'
export type { PushServiceId, PushServiceRules } from './quirks.js'

export {
  DECLARATIVE_WEB_PUSH,
  buildDeclarativePushMessage,
  isDeclarativePushMessage,
  validateDeclarativePushMessage,
} from './declarative.js'
export type {
  DeclarativeNotification,
  DeclarativeNotificationAction,
  DeclarativePushMessage,
  DeclarativePushMessageInit,
  ValidateDeclarativeOptions,
} from './declarative.js'

// VAPID (RFC 8292) key management, re-exported from `@pushcraft/vapid` so that an application
// needs only this package to generate, import, export and cache its keys.
export {
  VapidError,
  VapidKeyring,
  VapidTokenCache,
  exportVapidKeys,
  generateVapidKeys,
  importVapidKeys,
  importVapidPublicKey,
} from '@pushcraft/vapid'
export type {
  ExportedVapidKeys,
  VapidErrorCode,
  VapidKeyFormat,
  VapidKeyInput,
  VapidKeys,
  VapidPublicKey,
} from '@pushcraft/vapid'
