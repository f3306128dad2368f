// Type-level regression tests for the core API (checked by `tsc -p tsconfig.json`, i.e. the
// package's typecheck script): error codes, literal unions and option bags are API.
import { expectTypeOf } from 'vitest'
import type {
  ContentEncoding,
  PaddingStrategy,
  PushRequest,
  PushRequestOptions,
  PushServiceId,
  PushSubscriptionJSON,
  Urgency,
  ValidatedSubscription,
  WebPushError,
  WebPushErrorCode,
} from '@pushcraft/webpush/request'
import { buildPushRequest, validateSubscription } from '@pushcraft/webpush/request'

expectTypeOf<WebPushErrorCode>().toEqualTypeOf<
  | 'ERR_WEBPUSH_INVALID_SUBSCRIPTION'
  | 'ERR_WEBPUSH_PAYLOAD_TOO_LARGE'
  | 'ERR_WEBPUSH_PUSH_SERVICE'
  | 'ERR_WEBPUSH_REQUEST_FAILED'
  | 'ERR_WEBPUSH_INVALID_DECLARATIVE'
  | 'ERR_WEBPUSH_QUIRK'
>()
expectTypeOf<Urgency>().toEqualTypeOf<'very-low' | 'low' | 'normal' | 'high'>()
expectTypeOf<ContentEncoding>().toEqualTypeOf<'aes128gcm' | 'aesgcm'>()
expectTypeOf<PushServiceId>().toEqualTypeOf<'apple' | 'fcm' | 'mozilla' | 'wns' | 'other'>()
expectTypeOf<PaddingStrategy>().toEqualTypeOf<'none' | 'max' | { readonly bucket: number }>()
expectTypeOf<ValidatedSubscription>().toExtend<PushSubscriptionJSON>()
expectTypeOf(validateSubscription).returns.toEqualTypeOf<ValidatedSubscription>()
expectTypeOf(buildPushRequest).returns.resolves.toEqualTypeOf<PushRequest>()
expectTypeOf<PushRequest['method']>().toEqualTypeOf<'POST'>()
expectTypeOf<PushRequest['body']>().toExtend<Uint8Array | null>()

declare const error: WebPushError
if (error.code === 'ERR_WEBPUSH_PAYLOAD_TOO_LARGE')
  expectTypeOf(error.code).toEqualTypeOf<'ERR_WEBPUSH_PAYLOAD_TOO_LARGE'>()
expectTypeOf(error.field).toEqualTypeOf<string | undefined>()

// Option bags reject typos and wrong literals.
// @ts-expect-error -- `TTL` is spelled `ttl`
const typo: PushRequestOptions = { TTL: 60 }
// @ts-expect-error -- not an RFC 8030 urgency
const urgent: PushRequestOptions = { urgency: 'urgent' }
// @ts-expect-error -- not a content coding of this package
const coding: PushRequestOptions = { contentEncoding: 'aesgcm128' }
// @ts-expect-error -- payloads are text or bytes
void buildPushRequest({ endpoint: '', keys: { p256dh: '', auth: '' } }, 42)
expectTypeOf([typo, urgent, coding]).toBeArray()
