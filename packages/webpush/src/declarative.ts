/**
 * Declarative Web Push (Push API § declarative push message; Safari 18.4+): a JSON payload,
 * marked by `"web_push": 8030`, from which the user agent shows a notification itself, without a
 * service worker. A typed builder and a validator that applies the parser rules of the Push API
 * and the Notifications API, so a message is refused here rather than ignored on a device.
 *
 * @module
 */

import { WebPushError } from './errors.js'
import { assertKnownKeys, describe } from './internal/assert.js'

/**
 * The value of the `web_push` member that marks a declarative push message.
 *
 * @example
 *
 * ```ts
 * import { DECLARATIVE_WEB_PUSH } from '@pushcraft/webpush'
 * console.log(DECLARATIVE_WEB_PUSH) // 8030
 * ```
 */
export const DECLARATIVE_WEB_PUSH = 8030

/**
 * A notification action button. In a declarative message each action navigates.
 *
 * @example
 *
 * ```ts
 * import type { DeclarativeNotificationAction } from '@pushcraft/webpush'
 * const reply: DeclarativeNotificationAction = {
 *   action: 'reply',
 *   title: 'Reply',
 *   navigate: 'https://mail.example/compose?reply=12',
 * }
 * ```
 */
export interface DeclarativeNotificationAction {
  /** The action identifier. */
  readonly action: string
  /** The button label. */
  readonly title: string
  /** The URL opened when the button is activated. */
  readonly navigate: string
  /** An icon URL. */
  readonly icon?: string
}

/**
 * The `notification` member: the Notifications API options plus the required `navigate` URL.
 *
 * @example
 *
 * ```ts
 * import type { DeclarativeNotification } from '@pushcraft/webpush'
 * const notification: DeclarativeNotification = {
 *   title: 'Ada emailed ‘London’',
 *   body: 'Did you hear about the tube strikes?',
 *   navigate: 'https://email.example/message/12',
 * }
 * ```
 */
export interface DeclarativeNotification {
  /** The title (required). */
  readonly title: string
  /** The URL opened when the notification is activated (required). */
  readonly navigate: string
  readonly dir?: 'auto' | 'ltr' | 'rtl'
  /** A BCP 47 language tag. */
  readonly lang?: string
  readonly body?: string
  /** Notifications with the same tag replace each other. */
  readonly tag?: string
  /** Image URL. */
  readonly image?: string
  /** Icon URL. */
  readonly icon?: string
  /** Badge URL. */
  readonly badge?: string
  /** A vibration pattern in milliseconds. */
  readonly vibrate?: number | readonly number[]
  /** Milliseconds since the epoch. */
  readonly timestamp?: number
  /** Alert again when replacing a notification with the same `tag` (needs `tag`). */
  readonly renotify?: boolean
  /** No sound or vibration (not with `vibrate`). */
  readonly silent?: boolean
  readonly requireInteraction?: boolean
  /** Any JSON value, handed to the service worker. */
  readonly data?: unknown
  readonly actions?: readonly DeclarativeNotificationAction[]
}

/**
 * A declarative push message as sent on the wire (snake_case members, as the Push API defines).
 *
 * @example
 *
 * ```ts
 * import type { DeclarativePushMessage } from '@pushcraft/webpush'
 * const message: DeclarativePushMessage = {
 *   web_push: 8030,
 *   notification: { title: 'Hello', navigate: 'https://app.example/' },
 *   app_badge: 3,
 * }
 * ```
 */
export interface DeclarativePushMessage {
  readonly web_push: typeof DECLARATIVE_WEB_PUSH
  readonly notification: DeclarativeNotification
  /** The app badge number (Badging API), a non-negative integer. */
  readonly app_badge?: number
  /** When `true`, a service worker may change the notification in a `push` event first. */
  readonly mutable?: boolean
}

/**
 * Input of {@link buildDeclarativePushMessage}.
 *
 * @example
 *
 * ```ts
 * import type { DeclarativePushMessageInit } from '@pushcraft/webpush'
 * const init: DeclarativePushMessageInit = {
 *   notification: { title: 'Hello', navigate: 'https://app.example/' },
 *   appBadge: 1,
 * }
 * ```
 */
export interface DeclarativePushMessageInit {
  readonly notification: DeclarativeNotification
  /** `app_badge`. */
  readonly appBadge?: number
  /** `mutable`. */
  readonly mutable?: boolean
}

/**
 * Options of {@link validateDeclarativePushMessage}.
 *
 * @example
 *
 * ```ts
 * import type { ValidateDeclarativeOptions } from '@pushcraft/webpush'
 * const options: ValidateDeclarativeOptions = { strict: false }
 * ```
 */
export interface ValidateDeclarativeOptions {
  /**
   * Refuse members this version does not know (default `true`: a typo such as
   * `requireinteraction` would otherwise be ignored silently by the user agent). With `false`,
   * unknown members are dropped, as the user agent's parser does.
   */
  readonly strict?: boolean
}

const INIT_KEYS: ReadonlySet<string> = new Set(['notification', 'appBadge', 'mutable'])
const TOP_LEVEL = new Set(['web_push', 'notification', 'app_badge', 'mutable'])
const NOTIFICATION_MEMBERS = new Set([
  'title',
  'navigate',
  'dir',
  'lang',
  'body',
  'tag',
  'image',
  'icon',
  'badge',
  'vibrate',
  'timestamp',
  'renotify',
  'silent',
  'requireInteraction',
  'data',
  'actions',
])
const ACTION_MEMBERS = new Set(['action', 'title', 'navigate', 'icon'])
// Relative URLs resolve against the subscription's scope on the device; any https base checks them.
const CHECK_BASE = 'https://declarative.invalid/'
// BCP 47 in its general shape (RFC 5646 §2.1); the empty string means "unknown".
const LANGUAGE_TAG = /^$|^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/

type Problem = 'type' | 'missing' | 'value' | 'unknown-member' | 'json'

function fail(field: string, reason: Problem, message: string): never {
  throw new WebPushError('ERR_WEBPUSH_INVALID_DECLARATIVE', message, { field, reason })
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function checkMembers(
  value: Record<string, unknown>,
  known: ReadonlySet<string>,
  path: string,
  strict: boolean,
): void {
  if (!strict) return
  for (const key of Object.keys(value)) {
    if (!known.has(key)) {
      fail(
        `${path}${key}`,
        'unknown-member',
        `"${path}${key}" is not a member of a declarative push message`,
      )
    }
  }
}

function text(value: unknown, field: string, required: boolean): string | undefined {
  if (value === undefined) {
    if (required) fail(field, 'missing', `"${field}" is required`)
    return undefined
  }
  if (typeof value !== 'string')
    fail(field, 'type', `"${field}" must be a string, got ${describe(value)}`)
  return value
}

/**
 * A URL member. Navigation targets must be http(s); images (`image`, `icon`, `badge`) may also be
 * `data:` URLs, as with `showNotification()`.
 */
function url(
  value: unknown,
  field: string,
  required: boolean,
  kind: 'navigate' | 'image' = 'navigate',
): string | undefined {
  const href = text(value, field, required)
  if (href === undefined) return undefined
  let parsed: URL
  try {
    parsed = new URL(href, CHECK_BASE)
  } catch {
    return fail(field, 'value', `"${field}" is not a valid URL`)
  }
  const allowed =
    parsed.protocol === 'https:' ||
    parsed.protocol === 'http:' ||
    (kind === 'image' && parsed.protocol === 'data:')
  if (!allowed) {
    fail(
      field,
      'value',
      `"${field}" must be an http(s)${kind === 'image' ? ' or data:' : ''} URL, got ${parsed.protocol}`,
    )
  }
  return href
}

function flag(value: unknown, field: string): boolean | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'boolean')
    fail(field, 'type', `"${field}" must be a boolean, got ${describe(value)}`)
  return value
}

function unsigned(value: unknown, field: string, max: number): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    fail(
      field,
      typeof value === 'number' ? 'value' : 'type',
      `"${field}" must be an integer from 0 to ${max}`,
    )
  }
  return value
}

function parseActions(
  value: unknown,
  strict: boolean,
): DeclarativeNotificationAction[] | undefined {
  if (value === undefined) return undefined
  if (!Array.isArray(value))
    fail('notification.actions', 'type', '"notification.actions" must be an array')
  return (value as unknown[]).map((entry, index) => {
    const path = `notification.actions[${index}].`
    if (!isRecord(entry))
      fail(path.slice(0, -1), 'type', `"${path.slice(0, -1)}" must be an object`)
    checkMembers(entry, ACTION_MEMBERS, path, strict)
    const icon = url(entry['icon'], `${path}icon`, false, 'image')
    return {
      action: text(entry['action'], `${path}action`, true) as string,
      title: text(entry['title'], `${path}title`, true) as string,
      navigate: url(entry['navigate'], `${path}navigate`, true) as string,
      ...(icon === undefined ? {} : { icon }),
    }
  })
}

function parseNotification(value: unknown, strict: boolean): DeclarativeNotification {
  if (value === undefined) fail('notification', 'missing', '"notification" is required')
  if (!isRecord(value))
    fail('notification', 'type', `"notification" must be an object, got ${describe(value)}`)
  checkMembers(value, NOTIFICATION_MEMBERS, 'notification.', strict)
  const out: Record<string, unknown> = {
    title: text(value['title'], 'notification.title', true),
    navigate: url(value['navigate'], 'notification.navigate', true),
  }
  const dir = value['dir']
  if (dir !== undefined) {
    if (dir !== 'auto' && dir !== 'ltr' && dir !== 'rtl') {
      fail('notification.dir', 'value', `"notification.dir" must be 'auto', 'ltr' or 'rtl'`)
    }
    out['dir'] = dir
  }
  const lang = text(value['lang'], 'notification.lang', false)
  if (lang !== undefined && !LANGUAGE_TAG.test(lang)) {
    fail('notification.lang', 'value', '"notification.lang" is not a BCP 47 language tag')
  }
  const strings: Record<string, string | undefined> = {
    lang,
    body: text(value['body'], 'notification.body', false),
    tag: text(value['tag'], 'notification.tag', false),
    image: url(value['image'], 'notification.image', false, 'image'),
    icon: url(value['icon'], 'notification.icon', false, 'image'),
    badge: url(value['badge'], 'notification.badge', false, 'image'),
  }
  for (const [key, entry] of Object.entries(strings)) if (entry !== undefined) out[key] = entry
  const vibrate = value['vibrate']
  if (vibrate !== undefined) {
    const pattern = Array.isArray(vibrate) ? (vibrate as unknown[]) : [vibrate]
    pattern.forEach((step, index) => unsigned(step, `notification.vibrate[${index}]`, 0xffffffff))
    out['vibrate'] = Array.isArray(vibrate) ? [...(vibrate as number[])] : vibrate
  }
  const timestamp = unsigned(value['timestamp'], 'notification.timestamp', Number.MAX_SAFE_INTEGER)
  if (timestamp !== undefined) out['timestamp'] = timestamp
  for (const key of ['renotify', 'silent', 'requireInteraction'] as const) {
    const entry = flag(value[key], `notification.${key}`)
    if (entry !== undefined) out[key] = entry
  }
  // Notifications API § showNotification: renotify needs a tag; silent excludes vibrate.
  if (out['renotify'] === true && (out['tag'] === undefined || out['tag'] === '')) {
    fail('notification.renotify', 'value', '"notification.renotify" needs a non-empty "tag"')
  }
  if (out['silent'] === true && vibrate !== undefined) {
    fail('notification.vibrate', 'value', '"notification.vibrate" cannot be combined with "silent"')
  }
  if ('data' in value && value['data'] !== undefined) {
    let json: string | undefined
    try {
      json = JSON.stringify(value['data'])
    } catch {
      json = undefined
    }
    if (json === undefined)
      fail('notification.data', 'json', '"notification.data" is not JSON-serializable')
    out['data'] = JSON.parse(json) as unknown
  }
  const actions = parseActions(value['actions'], strict)
  if (actions !== undefined) out['actions'] = actions
  return out as unknown as DeclarativeNotification
}

/**
 * Validates a declarative push message (an object, or its JSON text or UTF-8 bytes) and returns a
 * normalized copy. Rules: `web_push` is 8030; `notification.title` and `notification.navigate`
 * are present; URLs parse and use http(s); `dir`, `lang`, `vibrate`, `timestamp` and the booleans
 * have their types; `renotify` has a `tag`; `silent` has no `vibrate`; every action has `action`,
 * `title` and `navigate`; `data` is JSON; `app_badge` is a non-negative integer.
 *
 * @param input - The message, as an object, JSON text or UTF-8 bytes.
 * @param options - `strict` (default `true`) refuses unknown members.
 * @returns The validated message.
 * @throws {@link WebPushError} `ERR_WEBPUSH_INVALID_DECLARATIVE` with `field` (for example
 *   `'notification.navigate'`) and `reason` (`'missing'`, `'type'`, `'value'`, `'unknown-member'`,
 *   `'json'`).
 * @example
 *
 * ```ts
 * import { validateDeclarativePushMessage } from '@pushcraft/webpush'
 * const message = validateDeclarativePushMessage(
 *   '{"web_push":8030,"notification":{"title":"Hi","navigate":"https://app.example/"}}',
 * )
 * console.log(message.notification.title) // 'Hi'
 * ```
 */
export function validateDeclarativePushMessage(
  input: unknown,
  options?: ValidateDeclarativeOptions,
): DeclarativePushMessage {
  const strict = options?.strict !== false
  let value = input
  if (value instanceof Uint8Array) value = new TextDecoder().decode(value)
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown
    } catch {
      fail('', 'json', 'the declarative push message is not JSON')
    }
  }
  if (!isRecord(value))
    fail('', 'type', `a declarative push message must be an object, got ${describe(value)}`)
  checkMembers(value, TOP_LEVEL, '', strict)
  if (value['web_push'] !== DECLARATIVE_WEB_PUSH) {
    fail(
      'web_push',
      value['web_push'] === undefined ? 'missing' : 'value',
      `"web_push" must be ${DECLARATIVE_WEB_PUSH}`,
    )
  }
  const notification = parseNotification(value['notification'], strict)
  const appBadge = unsigned(value['app_badge'], 'app_badge', Number.MAX_SAFE_INTEGER)
  const mutable = flag(value['mutable'], 'mutable')
  return {
    web_push: DECLARATIVE_WEB_PUSH,
    notification,
    ...(appBadge === undefined ? {} : { app_badge: appBadge }),
    ...(mutable === undefined ? {} : { mutable }),
  }
}

/**
 * Whether `input` is a valid declarative push message (see {@link validateDeclarativePushMessage}).
 *
 * @param input - Anything.
 * @returns `true` when valid.
 * @example
 *
 * ```ts
 * import { isDeclarativePushMessage } from '@pushcraft/webpush'
 * isDeclarativePushMessage({ web_push: 8030, notification: { title: 'Hi' } }) // false: no navigate
 * ```
 */
export function isDeclarativePushMessage(
  input: unknown,
  options?: ValidateDeclarativeOptions,
): input is DeclarativePushMessage {
  try {
    validateDeclarativePushMessage(input, options)
    return true
  } catch {
    return false
  }
}

/**
 * Builds a declarative push message from typed input, validated as
 * {@link validateDeclarativePushMessage} does. Send it with `JSON.stringify(message)` as the
 * payload of `buildPushRequest` (it must fit {@link MAX_PAYLOAD_BYTES} once serialized).
 *
 * @param init - The notification, and optionally `appBadge` and `mutable`.
 * @returns The message in wire form (`web_push`, `notification`, `app_badge`, `mutable`).
 * @throws {@link WebPushError} `ERR_WEBPUSH_INVALID_DECLARATIVE` when a rule is broken.
 * @example
 *
 * ```ts
 * import { buildDeclarativePushMessage, buildPushRequest, type PushSubscriptionJSON } from '@pushcraft/webpush'
 * declare const subscription: PushSubscriptionJSON
 * const message = buildDeclarativePushMessage({
 *   notification: { title: 'New message', body: 'Ada: see you at 6', navigate: 'https://chat.example/ada' },
 *   appBadge: 4,
 * })
 * const request = await buildPushRequest(subscription, JSON.stringify(message))
 * ```
 */
export function buildDeclarativePushMessage(
  init: DeclarativePushMessageInit,
): DeclarativePushMessage {
  if (!isRecord(init)) throw new TypeError(`"init" must be an object, got ${describe(init)}`)
  assertKnownKeys(init, INIT_KEYS, 'buildDeclarativePushMessage input')
  return validateDeclarativePushMessage({
    web_push: DECLARATIVE_WEB_PUSH,
    notification: init.notification,
    ...(init.appBadge === undefined ? {} : { app_badge: init.appBadge }),
    ...(init.mutable === undefined ? {} : { mutable: init.mutable }),
  })
}
