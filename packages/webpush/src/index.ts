/**
 * `@pushcraft/webpush`: the Web Push client (RFC 8030, RFC 8291, RFC 8292). Everything of the pure
 * `@pushcraft/webpush/request` entry, plus the undici sender.
 *
 * @module
 */

// Core (pure, undici-free): everything of `@pushcraft/webpush/request`.
export * from './request-entry.js'

// Transport (undici sender, client, bulk, retries, classification, hooks).
export {
  MAX_RESPONSE_BODY_BYTES,
  PushServiceError,
  classifyPushResponse,
  createPushResult,
  isPushServiceError,
  isRetryableError,
  parseRetryAfter,
} from './response.js'
export type {
  PushResponseClassification,
  PushResult,
  PushServiceErrorKind,
  PushServiceResponse,
} from './response.js'
export {
  DEFAULT_RETRY_OPTIONS,
  computeRetryDelay,
  remainingTtl,
  resolveRetryOptions,
  withRetry,
} from './retry.js'
export type { ResolvedRetryOptions, RetryAttempt, RetryEvent, RetryOptions } from './retry.js'
export { DIAGNOSTICS_CHANNELS, combineHooks } from './hooks.js'
export type { PushHooks, PushOutcome, PushRequestEndEvent, PushRequestStartEvent } from './hooks.js'
export { sendPushMessage, sendPushRequest } from './send.js'
export type { SendPushMessageOptions, TransportOptions } from './send.js'
export { PushClient } from './client.js'
export type {
  PushClientConnectOptions,
  PushClientOptions,
  PushClientProxy,
  PushClientSendManyOptions,
  PushClientSendOptions,
} from './client.js'
export { sendMany } from './bulk.js'
export type {
  BulkOptions,
  SendFunction,
  SendManyOptions,
  SendManyPayload,
  SendManyProgress,
  SendManyResult,
} from './bulk.js'
