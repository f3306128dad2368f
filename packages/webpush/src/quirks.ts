/**
 * Per-service rules, applied by endpoint host. RFC 8030 leaves room that the big push services
 * fill differently; each rule here is documented in the package README with its evidence:
 *
 * - Apple (`*.push.apple.com`): VAPID required, the `sub` contact must be a real `mailto:` or
 *   `https:` (Apple answers 403 `BadJwtToken` otherwise), `aes128gcm` only.
 * - Windows / Edge (WNS, `*.notify.windows.com`): `TTL: 0` is answered 400 ("Ttl value conflicts
 *   with X-WNS-Cache-Policy"), so 0 becomes 1; the `?token=` query of the endpoint is kept.
 * - Mozilla autopush (`*.push.services.mozilla.com`): Firefox on Android receives through an FCM
 *   bridge with a smaller budget, so padding stops at that budget.
 * - FCM (`fcm.googleapis.com`): TTL is capped at 4 weeks, FCM's maximum.
 *
 * @module
 */

import { WebPushError } from './errors.js'
import { MAX_BODY_BYTES, type ContentEncoding } from './padding.js'

/**
 * The push services with known rules; `'other'` for every other endpoint.
 *
 * @example
 *
 * ```ts
 * import type { PushServiceId } from '@pushcraft/webpush'
 * const service: PushServiceId = 'apple'
 * ```
 */
export type PushServiceId = 'apple' | 'fcm' | 'mozilla' | 'wns' | 'other'

/**
 * The rules {@link buildPushRequest} applies for one push service.
 *
 * @example
 *
 * ```ts
 * import { pushServiceRules } from '@pushcraft/webpush'
 * pushServiceRules('https://web.push.apple.com/QGx…').requiresVapid // true
 * ```
 */
export interface PushServiceRules {
  readonly service: PushServiceId
  /** Bodies above this are refused before encrypting (RFC 8030 §7.2: 4096 everywhere). */
  readonly maxBodyBytes: number
  /** Padding never grows the body past this, per content coding. */
  readonly paddingBudget: Readonly<Record<ContentEncoding, number>>
  /** Smaller `TTL` values are raised to this (WNS: 1). */
  readonly minTtl: number
  /** Larger `TTL` values are lowered to this (FCM: 4 weeks). */
  readonly maxTtl: number
  /** The service refuses messages without VAPID (Apple). */
  readonly requiresVapid: boolean
  /** The service checks that the VAPID `sub` is a reachable contact (Apple). */
  readonly strictSubject: boolean
  /** The content codings the service's user agents accept. */
  readonly contentEncodings: readonly ContentEncoding[]
}

/**
 * The body budget of Firefox for Android, in octets, per coding. Autopush hands messages for
 * Android to FCM as base64url inside a JSON data map (with the channel id and the coding headers)
 * limited to 4096 octets, and answers 413 errno 104 "This message is intended for a constrained
 * device and is limited in size" beyond it. That leaves about 3015 octets of `aes128gcm` body and
 * about 2840 of `aesgcm` (whose headers travel in the map too); these values keep a margin.
 *
 * @example
 *
 * ```ts
 * import { FIREFOX_ANDROID_BODY_BUDGET } from '@pushcraft/webpush'
 * console.log(FIREFOX_ANDROID_BODY_BUDGET.aes128gcm) // 3000
 * ```
 */
export const FIREFOX_ANDROID_BODY_BUDGET: Readonly<Record<ContentEncoding, number>> = Object.freeze(
  { aes128gcm: 3000, aesgcm: 2800 },
)

/** FCM keeps messages for at most 4 weeks. */
const FCM_MAX_TTL = 2_419_200
const MAX_TTL = 2_147_483_647
const BOTH: readonly ContentEncoding[] = Object.freeze(['aes128gcm', 'aesgcm'])
const FULL_BUDGET = Object.freeze({ aes128gcm: MAX_BODY_BYTES, aesgcm: MAX_BODY_BYTES })

const BASE: Omit<PushServiceRules, 'service'> = Object.freeze({
  maxBodyBytes: MAX_BODY_BYTES,
  paddingBudget: FULL_BUDGET,
  minTtl: 0,
  maxTtl: MAX_TTL,
  requiresVapid: false,
  strictSubject: false,
  contentEncodings: BOTH,
})

const RULES: Readonly<Record<PushServiceId, PushServiceRules>> = Object.freeze({
  other: Object.freeze({ ...BASE, service: 'other' }),
  apple: Object.freeze({
    ...BASE,
    service: 'apple',
    requiresVapid: true,
    strictSubject: true,
    // Safari's PushManager.supportedContentEncodings is ['aes128gcm'].
    contentEncodings: Object.freeze(['aes128gcm'] as const),
  }),
  fcm: Object.freeze({ ...BASE, service: 'fcm', maxTtl: FCM_MAX_TTL }),
  mozilla: Object.freeze({
    ...BASE,
    service: 'mozilla',
    paddingBudget: FIREFOX_ANDROID_BODY_BUDGET,
  }),
  wns: Object.freeze({ ...BASE, service: 'wns', minTtl: 1 }),
})

function hostOf(endpoint: string | URL): string {
  if (endpoint instanceof URL) return endpoint.hostname.toLowerCase()
  try {
    return new URL(endpoint).hostname.toLowerCase()
  } catch {
    return ''
  }
}

function isUnder(host: string, domain: string): boolean {
  return host === domain || host.endsWith(`.${domain}`)
}

/**
 * Identifies the push service of an endpoint by its host.
 *
 * @param endpoint - The subscription endpoint.
 * @returns `'apple'` (`*.push.apple.com`), `'fcm'` (`fcm.googleapis.com`,
 *   `android.googleapis.com`), `'mozilla'` (`*.push.services.mozilla.com`), `'wns'`
 *   (`*.notify.windows.com`) or `'other'`.
 * @example
 *
 * ```ts
 * import { identifyPushService } from '@pushcraft/webpush'
 * identifyPushService('https://fcm.googleapis.com/fcm/send/abc') // 'fcm'
 * ```
 */
export function identifyPushService(endpoint: string | URL): PushServiceId {
  return serviceOfHost(hostOf(endpoint))
}

function serviceOfHost(host: string): PushServiceId {
  if (isUnder(host, 'push.apple.com')) return 'apple'
  if (host === 'fcm.googleapis.com' || host === 'android.googleapis.com') return 'fcm'
  if (isUnder(host, 'push.services.mozilla.com')) return 'mozilla'
  if (isUnder(host, 'notify.windows.com')) return 'wns'
  return 'other'
}

/**
 * The rules applied to messages for an endpoint (see the module description and the README).
 *
 * @param endpoint - The subscription endpoint, or a {@link PushServiceId}.
 * @returns The frozen rules.
 * @example
 *
 * ```ts
 * import { pushServiceRules } from '@pushcraft/webpush'
 * pushServiceRules('https://wns2-par02p.notify.windows.com/w/?token=BQYAAA').minTtl // 1
 * ```
 */
export function pushServiceRules(endpoint: string | URL): PushServiceRules {
  if (typeof endpoint === 'string' && Object.hasOwn(RULES, endpoint)) {
    return RULES[endpoint as PushServiceId]
  }
  return RULES[identifyPushService(endpoint)]
}

/**
 * The rules for an already parsed, lower-case host name (the request builder's fast path).
 *
 * @internal
 */
export function rulesForHost(host: string): PushServiceRules {
  return RULES[serviceOfHost(host)]
}

// RFC 6761, RFC 6762 and RFC 8375 special-use names that no outside contact resolves, plus the
// commonly used private suffixes.
const UNREACHABLE_SUFFIXES = [
  'localhost',
  'local',
  'test',
  'invalid',
  'example',
  'internal',
  'lan',
  'home.arpa',
]

/**
 * Whether a VAPID contact is one Apple accepts: `mailto:` with an address at a resolvable
 * domain name, or an `https:` URL on one. Apple answers 403 `BadJwtToken` for contacts such as
 * `mailto:admin@localhost`, a bare host name or an IP address.
 *
 * @param subject - The VAPID `sub` (RFC 8292 §2.1).
 * @returns `true` when the contact is acceptable.
 * @example
 *
 * ```ts
 * import { isReachableVapidSubject } from '@pushcraft/webpush'
 * isReachableVapidSubject('mailto:push@example.com') // true
 * isReachableVapidSubject('mailto:push@server.local') // false
 * ```
 */
export function isReachableVapidSubject(subject: string): boolean {
  let host: string
  if (subject.startsWith('mailto:')) {
    const address = subject.slice(7).split('?')[0] ?? ''
    const at = address.lastIndexOf('@')
    if (at <= 0 || /\s/.test(address)) return false
    host = address.slice(at + 1)
  } else if (subject.startsWith('https://')) {
    try {
      host = new URL(subject).hostname
    } catch {
      return false
    }
  } else {
    return false
  }
  const name = host.toLowerCase().replace(/\.$/, '')
  // A domain name with at least two labels, not an IPv4 literal nor an IPv6 literal.
  if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(name) || /^[\d.]+$/.test(name)) return false
  return !UNREACHABLE_SUFFIXES.some((suffix) => name === suffix || name.endsWith(`.${suffix}`))
}

function quirk(field: string, reason: string, message: string): WebPushError {
  return new WebPushError('ERR_WEBPUSH_QUIRK', message, { field, reason })
}

/**
 * Applies a service's rules to the request settings, returning the adjusted TTL.
 *
 * @internal
 */
export function applyServiceRules(
  rules: PushServiceRules,
  settings: {
    readonly ttl: number
    readonly contentEncoding: ContentEncoding
    readonly hasVapid: boolean
    readonly subject: string | undefined
  },
): { readonly ttl: number } {
  if (!rules.contentEncodings.includes(settings.contentEncoding)) {
    throw quirk(
      'contentEncoding',
      'content-encoding',
      `the ${rules.service} push service accepts ${rules.contentEncodings.join(', ')} only, not ${settings.contentEncoding}`,
    )
  }
  if (rules.requiresVapid && !settings.hasVapid) {
    throw quirk(
      'vapid',
      'vapid-required',
      `the ${rules.service} push service requires VAPID (RFC 8292)`,
    )
  }
  if (
    rules.strictSubject &&
    settings.subject !== undefined &&
    !isReachableVapidSubject(settings.subject)
  ) {
    throw quirk(
      'vapid.subject',
      'vapid-subject',
      `the ${rules.service} push service rejects VAPID subjects that are not a mailto: or https: contact at a public domain (it answers 403 BadJwtToken)`,
    )
  }
  const ttl = Math.min(rules.maxTtl, Math.max(rules.minTtl, settings.ttl))
  return { ttl }
}
