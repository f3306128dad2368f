/**
 * Scripted answers for the mock push service: make a subscription gone, rate-limit it, fail it,
 * slow it down, or answer exactly like a given push service does.
 *
 * @module
 */

import type { MockResponse, PushRejectionReason, PushServiceName } from './services.js'

/**
 * A scripted answer, made by {@link gone}, {@link rateLimited}, {@link serverError},
 * {@link delay}, {@link serviceAnswer} or {@link respond}, and installed with
 * `MockPushService.behave()`.
 *
 * @example
 *
 * ```ts
 * import { gone, type Behaviour } from '@pushcraft/testing'
 * const behaviour: Behaviour = gone(410)
 * ```
 */
export type Behaviour =
  | { readonly kind: 'gone'; readonly status: 404 | 410 }
  | { readonly kind: 'rateLimited'; readonly retryAfter?: number | string | undefined }
  | {
      readonly kind: 'serverError'
      readonly status: number
      readonly retryAfter?: number | string | undefined
    }
  | { readonly kind: 'delay'; readonly ms: number; readonly then?: Behaviour | undefined }
  | {
      readonly kind: 'serviceAnswer'
      readonly reason: PushRejectionReason
      readonly service?: PushServiceName | undefined
      readonly variant?: 'classic' | 'current' | undefined
    }
  | { readonly kind: 'respond'; readonly response: MockResponse }

/**
 * The subscription is gone: answers 410 (unsubscribed or expired, the default) or 404 in the
 * subscription's service style, and from then on treats the subscription as deleted.
 *
 * @param status - 410 (default) or 404.
 * @returns The behaviour.
 * @throws `RangeError` for another status.
 * @example
 *
 * ```ts
 * import { createMockPushService, gone } from '@pushcraft/testing'
 * const service = await createMockPushService()
 * const subscription = await service.createSubscription()
 * service.behave(subscription, gone(410))
 * await service.close()
 * ```
 */
export function gone(status: 404 | 410 = 410): Behaviour {
  // Checked at run time too: JavaScript callers are not held to the type.
  if (!([404, 410] as unknown[]).includes(status)) {
    throw new RangeError(`"status" must be 404 or 410, got ${String(status)}`)
  }
  return { kind: 'gone', status }
}

/**
 * Rate-limits the sender: 429 with `Retry-After` (406 + `X-WNS-Status: channelthrottled` for WNS).
 *
 * @param options - `retryAfter`: seconds or an HTTP date for the `Retry-After` header.
 * @returns The behaviour.
 * @example
 *
 * ```ts
 * import { rateLimited } from '@pushcraft/testing'
 * const behaviour = rateLimited({ retryAfter: 30 })
 * ```
 */
export function rateLimited(options: { readonly retryAfter?: number | string } = {}): Behaviour {
  return { kind: 'rateLimited', retryAfter: options.retryAfter }
}

/**
 * Fails with a 5xx status in the subscription's service style.
 *
 * @param status - 500–599, default 503.
 * @param options - `retryAfter` for the `Retry-After` header.
 * @returns The behaviour.
 * @throws `RangeError` for a status outside 500–599.
 * @example
 *
 * ```ts
 * import { serverError } from '@pushcraft/testing'
 * const behaviour = serverError(502)
 * ```
 */
export function serverError(
  status = 503,
  options: { readonly retryAfter?: number | string } = {},
): Behaviour {
  if (!Number.isInteger(status) || status < 500 || status > 599) {
    throw new RangeError(`"status" must be an integer from 500 to 599, got ${String(status)}`)
  }
  return { kind: 'serverError', status, retryAfter: options.retryAfter }
}

/**
 * Waits `ms` milliseconds before answering, then handles the request normally (or with `then`).
 *
 * @param ms - The delay in milliseconds.
 * @param then - What to answer after the delay; by default the normal strict handling.
 * @returns The behaviour.
 * @throws `RangeError` for a negative or non-finite delay.
 * @example
 *
 * ```ts
 * import { delay, serverError } from '@pushcraft/testing'
 * const slow = delay(200)
 * const slowFailure = delay(200, serverError(504))
 * ```
 */
export function delay(ms: number, then?: Behaviour): Behaviour {
  if (!Number.isFinite(ms) || ms < 0)
    throw new RangeError(`"ms" must be a finite number >= 0, got ${String(ms)}`)
  return { kind: 'delay', ms, then }
}

/**
 * Answers exactly like a push service refusing the message for `reason` (see
 * {@link serviceResponse}), e.g. FCM's 403 for a VAPID key mismatch.
 *
 * @param reason - Why the service refuses.
 * @param options - `service`: which service's answer, by default the subscription's own;
 *   `variant`: `'current'` for a service's newer wording (see {@link serviceResponse}).
 * @returns The behaviour.
 * @example
 *
 * ```ts
 * import { serviceAnswer } from '@pushcraft/testing'
 * const mismatch = serviceAnswer('vapidKeyMismatch', { service: 'fcm' })
 * ```
 */
export function serviceAnswer(
  reason: PushRejectionReason,
  options: { readonly service?: PushServiceName; readonly variant?: 'classic' | 'current' } = {},
): Behaviour {
  return { kind: 'serviceAnswer', reason, service: options.service, variant: options.variant }
}

/**
 * Answers with exactly this response.
 *
 * @param response - Status, headers (lower-case names) and body.
 * @returns The behaviour.
 * @example
 *
 * ```ts
 * import { respond } from '@pushcraft/testing'
 * const teapot = respond({ status: 418, headers: { 'content-type': 'text/plain' }, body: 'no' })
 * ```
 */
export function respond(response: MockResponse): Behaviour {
  return { kind: 'respond', response }
}
