/**
 * TypeBox schemas of the API: request validation, response serialization and the OpenAPI
 * document come from these one definitions.
 *
 * @module
 */

import { Type, type Static } from 'typebox'

/**
 * Every error answer: `{ statusCode, error, code, message, detail }` (`detail` repeats `message`,
 * as FastAPI's `HTTPException` answers, so clients of the reference app keep working).
 *
 * @example
 *
 * ```ts
 * import { ErrorBody } from './schemas.js'
 * console.log(ErrorBody.required)
 * ```
 */
export const ErrorBody = Type.Object(
  {
    statusCode: Type.Integer(),
    error: Type.String({ description: 'The HTTP reason phrase' }),
    code: Type.String({ description: 'Stable error code, e.g. ERR_NO_SUBSCRIBERS' }),
    message: Type.String(),
    detail: Type.String({ description: 'Same as message (FastAPI-compatible)' }),
    field: Type.Optional(Type.String()),
    reason: Type.Optional(Type.String()),
  },
  { $id: 'ErrorBody', title: 'Error' },
)

/** Tags a subscriber may opt into: lower-case topic names (no `user:` namespaces). */
const PublicTag = Type.String({ pattern: '^[a-z0-9][a-z0-9_.-]{0,63}$' })
/** Tags an admin may set, e.g. `user:42`. */
const AdminTag = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}$' })

/**
 * `POST /api/push/subscriptions`: the browser's `PushSubscription.toJSON()` (RFC 8030 §4, RFC 8291
 * §2 keys), plus optional `encoding` (from `PushManager.supportedContentEncodings`) and topic tags.
 *
 * @example
 *
 * ```ts
 * import type { SubscriptionBody } from './schemas.js'
 * const body: SubscriptionBody = { endpoint: 'https://fcm.googleapis.com/fcm/send/x', keys: { p256dh: 'B…', auth: 'A…' } }
 * ```
 */
export const SubscriptionBody = Type.Object(
  {
    endpoint: Type.String({ minLength: 1, maxLength: 2048 }),
    expirationTime: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
    keys: Type.Object({
      p256dh: Type.String({ minLength: 1, maxLength: 256 }),
      auth: Type.String({ minLength: 1, maxLength: 128 }),
    }),
    encoding: Type.Optional(Type.Union([Type.Literal('aes128gcm'), Type.Literal('aesgcm')])),
    applicationServerKey: Type.Optional(
      Type.String({
        maxLength: 256,
        description: 'The key the browser subscribed with (base64url)',
      }),
    ),
    tags: Type.Optional(Type.Array(PublicTag, { maxItems: 20, uniqueItems: true })),
  },
  { title: 'PushSubscriptionJSON' },
)
/** The static type of {@link SubscriptionBody}. */
export type SubscriptionBody = Static<typeof SubscriptionBody>

/**
 * `DELETE /api/push/subscriptions`.
 *
 * @example
 *
 * ```ts
 * import type { EndpointBody } from './schemas.js'
 * const body: EndpointBody = { endpoint: 'https://fcm.googleapis.com/fcm/send/x' }
 * ```
 */
export const EndpointBody = Type.Object({
  endpoint: Type.String({ minLength: 1, maxLength: 2048 }),
})
/** The static type of {@link EndpointBody}. */
export type EndpointBody = Static<typeof EndpointBody>

/**
 * `POST /api/push/self-test`: the endpoint and its `auth` secret, which only the subscribed
 * browser knows (so nobody else can trigger pushes to it).
 *
 * @example
 *
 * ```ts
 * import type { SelfTestBody } from './schemas.js'
 * const body: SelfTestBody = { endpoint: 'https://fcm.googleapis.com/fcm/send/x', auth: 'q1…' }
 * ```
 */
export const SelfTestBody = Type.Object({
  endpoint: Type.String({ minLength: 1, maxLength: 2048 }),
  auth: Type.String({ minLength: 1, maxLength: 128 }),
})
/** The static type of {@link SelfTestBody}. */
export type SelfTestBody = Static<typeof SelfTestBody>

/**
 * `PUT /api/push/subscriptions/tags` (admin): replace a subscription's tags.
 *
 * @example
 *
 * ```ts
 * import type { TagsBody } from './schemas.js'
 * const body: TagsBody = { endpoint: 'https://fcm.googleapis.com/fcm/send/x', tags: ['user:42'] }
 * ```
 */
export const TagsBody = Type.Object({
  endpoint: Type.String({ minLength: 1, maxLength: 2048 }),
  tags: Type.Array(AdminTag, { maxItems: 50, uniqueItems: true }),
})
/** The static type of {@link TagsBody}. */
export type TagsBody = Static<typeof TagsBody>

/**
 * `POST /api/push/broadcasts` (admin): the notification and the RFC 8030 §5.2–5.4 headers.
 *
 * @example
 *
 * ```ts
 * import type { BroadcastBody } from './schemas.js'
 * const body: BroadcastBody = { title: 'Release 2.0', body: 'Out now', url: '/app/', ttl: 3600 }
 * ```
 */
export const BroadcastBody = Type.Object({
  title: Type.String({ minLength: 1, maxLength: 200 }),
  body: Type.Optional(Type.String({ maxLength: 1000 })),
  url: Type.Optional(
    Type.String({
      maxLength: 2048,
      pattern: '^(/(?!/)|https://)',
      description: 'Opened on click: a path or an https URL',
    }),
  ),
  icon: Type.Optional(Type.String({ maxLength: 2048, pattern: '^(/(?!/)|https://)' })),
  tag: Type.Optional(
    Type.String({ maxLength: 128, description: 'Notification tag (replaces older ones)' }),
  ),
  ttl: Type.Optional(
    Type.Integer({ minimum: 0, maximum: 2_419_200, description: 'RFC 8030 §5.2 TTL, seconds' }),
  ),
  urgency: Type.Optional(
    Type.Union([
      Type.Literal('very-low'),
      Type.Literal('low'),
      Type.Literal('normal'),
      Type.Literal('high'),
    ]),
  ),
  topic: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9_-]{1,32}$',
      description: 'RFC 8030 §5.4 Topic (replaces a pending message)',
    }),
  ),
  tags: Type.Optional(
    Type.Array(AdminTag, {
      minItems: 1,
      maxItems: 50,
      uniqueItems: true,
      description: 'Only subscriptions with any of these tags',
    }),
  ),
  declarative: Type.Optional(
    Type.Boolean({ description: 'Send the Declarative Web Push JSON shape ({"web_push":8030,…})' }),
  ),
})
/** The static type of {@link BroadcastBody}. */
export type BroadcastBody = Static<typeof BroadcastBody>

/**
 * A broadcast as the API returns it.
 *
 * @example
 *
 * ```ts
 * import { Broadcast } from './schemas.js'
 * console.log(Broadcast.title)
 * ```
 */
export const Broadcast = Type.Object(
  {
    id: Type.String(),
    status: Type.Union([
      Type.Literal('queued'),
      Type.Literal('running'),
      Type.Literal('completed'),
      Type.Literal('failed'),
      Type.Literal('interrupted'),
    ]),
    total: Type.Integer(),
    delivered: Type.Integer(),
    failed: Type.Integer(),
    removed: Type.Integer(),
    resubscribe: Type.Integer(),
    retried: Type.Integer(),
    pending: Type.Integer({ description: 'total − delivered − failed − removed − resubscribe' }),
    error: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
    startedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    finishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    message: Type.Unknown(),
    tags: Type.Union([Type.Array(Type.String()), Type.Null()]),
    links: Type.Object({ self: Type.String(), events: Type.String() }),
  },
  { $id: 'Broadcast', title: 'Broadcast' },
)
/** The static type of {@link Broadcast}. */
export type Broadcast = Static<typeof Broadcast>

/**
 * One send outcome of a broadcast.
 *
 * @example
 *
 * ```ts
 * import { Outcome } from './schemas.js'
 * console.log(Outcome.title)
 * ```
 */
export const Outcome = Type.Object(
  {
    seq: Type.Integer(),
    subscriptionId: Type.Union([Type.Integer(), Type.Null()]),
    service: Type.String(),
    outcome: Type.String(),
    statusCode: Type.Union([Type.Integer(), Type.Null()]),
    detail: Type.Union([Type.String(), Type.Null()]),
    at: Type.String({ format: 'date-time' }),
  },
  { title: 'SendOutcome' },
)

/**
 * A subscription in the admin listing (no key material).
 *
 * @example
 *
 * ```ts
 * import { SubscriptionItem } from './schemas.js'
 * console.log(SubscriptionItem.title)
 * ```
 */
export const SubscriptionItem = Type.Object(
  {
    id: Type.Integer(),
    endpoint: Type.String(),
    service: Type.String(),
    encoding: Type.String(),
    userAgent: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    lastSuccessAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    lastFailureAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    failureCount: Type.Integer(),
    vapidKeyId: Type.Union([Type.String(), Type.Null()]),
    needsResubscribe: Type.Boolean(),
    tags: Type.Array(Type.String()),
  },
  { title: 'SubscriptionSummary' },
)

/**
 * `POST /api/push/send-test` answer: the reference app's `{ sent, removed }` plus counts.
 *
 * @example
 *
 * ```ts
 * import { SendTestResult } from './schemas.js'
 * console.log(SendTestResult.title)
 * ```
 */
export const SendTestResult = Type.Object(
  {
    sent: Type.Literal(true),
    removed: Type.Array(Type.String(), {
      description: 'Endpoints deleted because the push service said they are gone',
    }),
    delivered: Type.Integer(),
    failed: Type.Integer(),
    resubscribe: Type.Integer({ description: 'Marked for resubscription (VAPID key mismatch)' }),
    total: Type.Integer(),
  },
  { title: 'SendTestResult' },
)
