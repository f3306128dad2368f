// Type-level regression tests for the transport (checked by `pnpm run typecheck`): the failure
// kinds and outcomes are closed unions, results narrow on `ok`, option bags reject typos.
import { expectTypeOf } from 'vitest'
import {
  PushClient,
  sendMany,
  sendPushMessage,
  type PushOutcome,
  type PushServiceError,
  type WebPushError,
  type PushResult,
  type PushServiceErrorKind,
  type PushSubscriptionJSON,
  type RetryOptions,
  type SendManyResult,
} from '../src/index.ts'

declare const subscription: PushSubscriptionJSON

expectTypeOf<PushServiceErrorKind>().toEqualTypeOf<
  | 'gone'
  | 'vapidKeyMismatch'
  | 'badJwt'
  | 'unauthorized'
  | 'payloadTooLarge'
  | 'rateLimited'
  | 'transient'
  | 'badRequest'
>()
expectTypeOf<PushOutcome>().toEqualTypeOf<
  PushServiceErrorKind | 'success' | 'timeout' | 'aborted' | 'requestFailed'
>()

expectTypeOf<PushServiceError>().toExtend<WebPushError>()
expectTypeOf<PushServiceError['code']>().toExtend<WebPushError['code']>()
expectTypeOf<PushServiceError['retryAfter']>().toEqualTypeOf<number | undefined>()
expectTypeOf<PushServiceError['isGone']>().toEqualTypeOf<boolean>()

expectTypeOf(sendPushMessage(subscription, 'x', {})).resolves.toEqualTypeOf<PushResult>()
expectTypeOf(
  sendPushMessage(subscription, null, { ttl: 0, retry: true }),
).resolves.toEqualTypeOf<PushResult>()

// @ts-expect-error -- unknown option
void sendPushMessage(subscription, 'x', { tll: 60 })
// @ts-expect-error -- retry options reject typos
const typo: RetryOptions = { maxAttempt: 3 }
expectTypeOf(typo).toEqualTypeOf<RetryOptions>()

declare const item: SendManyResult<PushSubscriptionJSON & { id: number }>
if (item.ok) {
  expectTypeOf(item.result).toEqualTypeOf<PushResult>()
  expectTypeOf(item.subscription.id).toEqualTypeOf<number>()
} else {
  expectTypeOf(item.error).toExtend<WebPushError>()
}

expectTypeOf(
  sendMany([subscription], 'x', { send: () => Promise.resolve({} as PushResult) }),
).toEqualTypeOf<AsyncIterable<SendManyResult>>()

const client = new PushClient({ connections: 8, allowH2: true, ttl: 60 })
expectTypeOf(client.send(subscription, 'x')).resolves.toEqualTypeOf<PushResult>()
expectTypeOf(client.close()).toEqualTypeOf<Promise<void>>()
// @ts-expect-error -- unknown client option
const misspelt = new PushClient({ conections: 8 })
expectTypeOf(misspelt).toEqualTypeOf<PushClient>()
