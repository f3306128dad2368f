/**
 * Message Encryption for Web Push (RFC 8291) with `aes128gcm` (RFC 8188), and the legacy `aesgcm`
 * coding (draft-ietf-webpush-encryption-04): payload size checks, padding, and the encryption
 * itself on top of `@pushcraft/ece`.
 *
 * @module
 */

import { WebPushError } from './errors.js'
import { describe } from './internal/assert.js'
import { utf8 } from './internal/bytes.js'
import {
  encryptPayload,
  type EncryptionInput,
  type EncryptionResult,
} from './internal/encryption.js'
import {
  MAX_BODY_BYTES,
  encryptedBodySize,
  maxPayloadBytes,
  paddingLength,
  validatePadding,
  type ContentEncoding,
  type PaddingStrategy,
} from './padding.js'
import {
  subscriptionParts,
  type PushSubscriptionJSON,
  type SubscriptionParts,
} from './subscription.js'

/**
 * A push message payload: text (sent as UTF-8) or bytes.
 *
 * @example
 *
 * ```ts
 * import type { PushPayload } from '@pushcraft/webpush'
 * const payload: PushPayload = JSON.stringify({ title: 'Hello' })
 * ```
 */
export type PushPayload = string | Uint8Array

/**
 * Options of {@link encryptPushMessage}.
 *
 * @example
 *
 * ```ts
 * import type { EncryptPushMessageOptions } from '@pushcraft/webpush'
 * const options: EncryptPushMessageOptions = { contentEncoding: 'aes128gcm', padding: 'max' }
 * ```
 */
export interface EncryptPushMessageOptions {
  /** The content coding: `'aes128gcm'` (RFC 8291, the default) or the legacy `'aesgcm'`. */
  readonly contentEncoding?: ContentEncoding
  /** How to pad the payload (default `'none'`). */
  readonly padding?: PaddingStrategy
  /** A body budget below 4096 octets, for push services with smaller limits. */
  readonly maxBodyBytes?: number
  /** Accept `http:` endpoints (local test push services only). */
  readonly allowHttp?: boolean
}

/**
 * An encrypted push message: the body and the headers that describe its coding.
 *
 * @example
 *
 * ```ts
 * import type { EncryptedPushMessage } from '@pushcraft/webpush'
 * declare const message: EncryptedPushMessage
 * console.log(message.headers['content-encoding']) // 'aes128gcm'
 * ```
 */
export interface EncryptedPushMessage {
  /** The request body. */
  readonly body: Uint8Array
  readonly contentEncoding: ContentEncoding
  /**
   * Lower-case header names: `content-encoding`, and for `aesgcm` also `encryption` (`salt=…`) and
   * `crypto-key` (`dh=…`; a legacy VAPID `p256ecdsa=…` joins it with `;`).
   */
  readonly headers: Readonly<Record<string, string>>
}

/** Validated encryption settings, shared with the request builder. */
export interface EncryptionSettings {
  readonly contentEncoding: ContentEncoding
  readonly padding: PaddingStrategy
  /** The hard body limit: larger bodies are refused before encrypting. */
  readonly maxBodyBytes: number
  /** How far padding may grow the body (a service's smaller budget, e.g. Firefox on Android). */
  readonly paddingBudget: number
}

/**
 * Turns a payload into bytes, copying nothing: strings are UTF-8 encoded, bytes used as given
 * (ece never mutates its input).
 *
 * @internal
 */
export function payloadBytes(payload: unknown): Uint8Array {
  if (typeof payload === 'string') return utf8.encode(payload)
  if (payload instanceof Uint8Array) return payload
  throw new TypeError(`"payload" must be a string, a Uint8Array or null, got ${describe(payload)}`)
}

/**
 * Checks, before any cryptography, that the encrypted body stays inside the budget.
 *
 * @internal
 */
export function assertPayloadFits(
  length: number,
  padding: number,
  settings: Pick<EncryptionSettings, 'contentEncoding' | 'maxBodyBytes'>,
): void {
  const { contentEncoding, maxBodyBytes } = settings
  const size = encryptedBodySize(length, { contentEncoding, padding })
  if (size <= maxBodyBytes) return
  const limit = maxPayloadBytes({ contentEncoding, maxBodyBytes })
  throw new WebPushError(
    'ERR_WEBPUSH_PAYLOAD_TOO_LARGE',
    `a payload of ${length} bytes encrypts to a ${size}-byte ${contentEncoding} body, over the ` +
      `${maxBodyBytes}-byte limit (RFC 8030 §7.2, RFC 8291 §4); at most ${limit} bytes of payload fit`,
    { field: 'payload', reason: 'too-large' },
  )
}

/**
 * The padding octets for a payload under validated settings (never past either budget).
 *
 * @internal
 */
export function paddingFor(length: number, settings: EncryptionSettings): number {
  return paddingLength(length, settings.padding, {
    contentEncoding: settings.contentEncoding,
    paddingBudget: Math.min(settings.paddingBudget, settings.maxBodyBytes),
  })
}

/**
 * What runs the RFC 8291 encryption of one message: {@link encryptPayload} on the calling thread
 * by default; `PushClient` can put an encryption thread pool here.
 *
 * @internal
 */
export type Encryptor = (input: EncryptionInput) => Promise<EncryptionResult>

/**
 * The request-option key under which `PushClient` passes its {@link Encryptor} to
 * `buildPushRequest`: a symbol, so it is not part of the public options and never collides.
 *
 * @internal
 */
export const kEncryptor: unique symbol = Symbol('pushcraft.encryptor')

/**
 * Encrypts a payload for decoded subscription parts with validated settings.
 *
 * @internal
 */
export async function encryptForParts(
  parts: SubscriptionParts,
  plaintext: Uint8Array,
  settings: EncryptionSettings,
  encryptor: Encryptor = encryptPayload,
): Promise<EncryptedPushMessage> {
  const padding = paddingFor(plaintext.length, settings)
  assertPayloadFits(plaintext.length, padding, settings)
  const cache = parts.keyCache
  const result = await encryptor({
    userAgentPublicKey: parts.p256dh,
    authSecret: parts.auth,
    plaintext,
    contentEncoding: settings.contentEncoding,
    padding,
    // A validated subscription imports its key once (WebCrypto); later messages reuse it.
    ...(cache === undefined ? {} : { keyCache: cache }),
  })
  // Defence in depth: the size formula and ece agree, or nothing leaves this function.
  if (result.body.length > settings.maxBodyBytes) {
    throw new WebPushError(
      'ERR_WEBPUSH_PAYLOAD_TOO_LARGE',
      `the encrypted body is ${result.body.length} bytes, over the ${settings.maxBodyBytes}-byte limit`,
      { field: 'payload', reason: 'too-large' },
    )
  }
  const headers: Record<string, string> = { 'content-encoding': settings.contentEncoding }
  if (result.encryption !== undefined) headers['encryption'] = result.encryption
  if (result.cryptoKey !== undefined) headers['crypto-key'] = result.cryptoKey
  return { body: result.body, contentEncoding: settings.contentEncoding, headers }
}

/**
 * Validates the encryption options of a developer.
 *
 * @internal
 */
export function encryptionSettings(options: {
  readonly contentEncoding?: unknown
  readonly padding?: unknown
  readonly maxBodyBytes?: unknown
}): Omit<EncryptionSettings, 'paddingBudget'> {
  const contentEncoding = options.contentEncoding ?? 'aes128gcm'
  if (contentEncoding !== 'aes128gcm' && contentEncoding !== 'aesgcm') {
    throw new TypeError(`"contentEncoding" must be 'aes128gcm' or 'aesgcm'`)
  }
  const padding = options.padding === undefined ? 'none' : validatePadding(options.padding)
  let maxBodyBytes = MAX_BODY_BYTES
  if (options.maxBodyBytes !== undefined) {
    const value = options.maxBodyBytes
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      throw new TypeError(`"maxBodyBytes" must be an integer, got ${describe(value)}`)
    }
    // RFC 8030 §7.2 only guarantees 4096 octets; a budget must leave room for the overhead.
    const minimum = encryptedBodySize(0, { contentEncoding })
    if (value < minimum || value > MAX_BODY_BYTES) {
      throw new RangeError(
        `"maxBodyBytes" must be between ${minimum} and ${MAX_BODY_BYTES}, got ${value}`,
      )
    }
    maxBodyBytes = value
  }
  return { contentEncoding, padding, maxBodyBytes }
}

/**
 * Encrypts a payload for a subscription (RFC 8291): a fresh ephemeral ECDH P-256 key pair per
 * message, `"WebPush: info"` key derivation, then RFC 8188 `aes128gcm` with the ephemeral public
 * key as `keyid` and `rs` 4096 in a single record (or legacy `aesgcm`). Use
 * {@link buildPushRequest} for a complete request; this is for custom transports.
 *
 * @param subscription - A {@link PushSubscriptionJSON} or a {@link ValidatedSubscription}.
 * @param payload - Text (UTF-8) or bytes.
 * @param options - Content coding, padding, body budget.
 * @returns The body and its coding headers.
 * @throws {@link WebPushError} `ERR_WEBPUSH_INVALID_SUBSCRIPTION` for a bad subscription;
 *   `ERR_WEBPUSH_PAYLOAD_TOO_LARGE` when the body would exceed the budget (4096 octets: at most
 *   {@link MAX_PAYLOAD_BYTES} octets of `aes128gcm` payload). `TypeError`/`RangeError` for bad
 *   options.
 * @example
 *
 * ```ts
 * import { encryptPushMessage, type PushSubscriptionJSON } from '@pushcraft/webpush'
 * declare const subscription: PushSubscriptionJSON
 * const { body, headers } = await encryptPushMessage(subscription, 'Hello', { padding: 'max' })
 * console.log(body.length, headers['content-encoding']) // 4096 'aes128gcm'
 * ```
 */
export async function encryptPushMessage(
  subscription: PushSubscriptionJSON,
  payload: PushPayload,
  options?: EncryptPushMessageOptions,
): Promise<EncryptedPushMessage> {
  const settings = encryptionSettings(options ?? {})
  const parts = subscriptionParts(subscription, options?.allowHttp === true)
  return encryptForParts(parts, payloadBytes(payload), {
    ...settings,
    paddingBudget: settings.maxBodyBytes,
  })
}
