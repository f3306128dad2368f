import { describe, expect, it } from 'vitest'
import {
  DECLARATIVE_WEB_PUSH,
  buildDeclarativePushMessage,
  isDeclarativePushMessage,
  validateDeclarativePushMessage,
} from '../src/declarative.ts'
import { WebPushError } from '../src/errors.ts'
import { buildPushRequest } from '../src/request.ts'
import { createUserAgent, receivePushMessage } from './helpers/receiver.ts'

// The example of the Push API's "declarative push message" section.
const specExample = {
  web_push: 8030,
  notification: {
    title: 'Ada emailed ‘London’',
    lang: 'en-US',
    dir: 'ltr',
    body: 'Did you hear about the tube strikes?',
    navigate: 'https://email.example/message/12',
  },
}

function invalid(input: unknown, strict = true): WebPushError {
  try {
    validateDeclarativePushMessage(input, { strict })
  } catch (error) {
    expect(error).toBeInstanceOf(WebPushError)
    expect((error as WebPushError).code).toBe('ERR_WEBPUSH_INVALID_DECLARATIVE')
    return error as WebPushError
  }
  throw new Error('expected a validation failure')
}

function withNotification(extra: Record<string, unknown>) {
  return { ...specExample, notification: { ...specExample.notification, ...extra } }
}

describe('validateDeclarativePushMessage', () => {
  it('accepts the Push API example, as an object, JSON text or UTF-8 bytes', () => {
    expect(validateDeclarativePushMessage(specExample)).toEqual(specExample)
    expect(validateDeclarativePushMessage(JSON.stringify(specExample))).toEqual(specExample)
    expect(
      validateDeclarativePushMessage(new TextEncoder().encode(JSON.stringify(specExample))),
    ).toEqual(specExample)
  })

  it('accepts every member with its type', () => {
    const full = {
      web_push: 8030,
      notification: {
        ...specExample.notification,
        tag: 'mail-12',
        image: 'https://email.example/i.png',
        icon: 'data:image/png;base64,iVBORw0KGgo=',
        badge: 'https://email.example/badge.png',
        vibrate: [100, 50, 100],
        timestamp: 1_700_000_000_000,
        renotify: true,
        silent: false,
        requireInteraction: true,
        data: { id: 12, tags: ['a'] },
        actions: [
          { action: 'archive', title: 'Archive', navigate: '/archive/12', icon: '/archive.png' },
        ],
      },
      app_badge: 3,
      mutable: true,
    }
    expect(validateDeclarativePushMessage(full)).toEqual(full)
  })

  const cases: [string, unknown, string, string][] = [
    ['JSON that is not', '{"web_push":', '', 'json'],
    ['an array', [specExample], '', 'type'],
    ['no web_push', { notification: specExample.notification }, 'web_push', 'missing'],
    ['another magic number', { ...specExample, web_push: 9001 }, 'web_push', 'value'],
    ['the magic as a string', { ...specExample, web_push: '8030' }, 'web_push', 'value'],
    ['no notification', { web_push: 8030 }, 'notification', 'missing'],
    ['a string notification', { web_push: 8030, notification: 'hi' }, 'notification', 'type'],
    ['no title', withNotification({ title: undefined }), 'notification.title', 'missing'],
    ['a numeric title', withNotification({ title: 1 }), 'notification.title', 'type'],
    ['no navigate', withNotification({ navigate: undefined }), 'notification.navigate', 'missing'],
    [
      'an unparsable navigate',
      withNotification({ navigate: 'https://[bad' }),
      'notification.navigate',
      'value',
    ],
    [
      'a javascript: navigate',
      withNotification({ navigate: 'javascript:alert(1)' }),
      'notification.navigate',
      'value',
    ],
    ['a bad dir', withNotification({ dir: 'up' }), 'notification.dir', 'value'],
    ['a bad lang', withNotification({ lang: 'english please' }), 'notification.lang', 'value'],
    ['a numeric body', withNotification({ body: 5 }), 'notification.body', 'type'],
    [
      'a javascript: icon',
      withNotification({ icon: 'javascript:void 0' }),
      'notification.icon',
      'value',
    ],
    [
      'a data: navigate',
      withNotification({ navigate: 'data:text/html,hi' }),
      'notification.navigate',
      'value',
    ],
    [
      'a negative vibrate step',
      withNotification({ vibrate: [100, -1] }),
      'notification.vibrate[1]',
      'value',
    ],
    [
      'a fractional timestamp',
      withNotification({ timestamp: 1.5 }),
      'notification.timestamp',
      'value',
    ],
    ['a string silent', withNotification({ silent: 'yes' }), 'notification.silent', 'type'],
    [
      'renotify without tag',
      withNotification({ renotify: true }),
      'notification.renotify',
      'value',
    ],
    [
      'silent with vibrate',
      withNotification({ silent: true, vibrate: [1] }),
      'notification.vibrate',
      'value',
    ],
    ['data that is not JSON', withNotification({ data: { n: 1n } }), 'notification.data', 'json'],
    ['actions not an array', withNotification({ actions: {} }), 'notification.actions', 'type'],
    [
      'an action without navigate',
      withNotification({ actions: [{ action: 'a', title: 'A' }] }),
      'notification.actions[0].navigate',
      'missing',
    ],
    [
      'an action without title',
      withNotification({ actions: [{ action: 'a', navigate: '/' }] }),
      'notification.actions[0].title',
      'missing',
    ],
    ['a negative app_badge', { ...specExample, app_badge: -1 }, 'app_badge', 'value'],
    ['a string app_badge', { ...specExample, app_badge: '3' }, 'app_badge', 'type'],
    ['a string mutable', { ...specExample, mutable: 'true' }, 'mutable', 'type'],
    ['an unknown top-level member', { ...specExample, badge: 3 }, 'badge', 'unknown-member'],
    [
      'a misspelled notification member',
      withNotification({ requireinteraction: true }),
      'notification.requireinteraction',
      'unknown-member',
    ],
  ]
  for (const [title, input, field, reason] of cases) {
    it(`refuses ${title} (${field || 'input'}: ${reason})`, () => {
      const error = invalid(input)
      expect(error.field).toBe(field)
      expect(error.reason).toBe(reason)
    })
  }

  it('with strict: false, unknown members are dropped as the user agent does', () => {
    const message = validateDeclarativePushMessage(
      { ...withNotification({ colour: 'red' }), extra: 1 },
      { strict: false },
    )
    expect(message).toEqual(specExample)
  })

  it('isDeclarativePushMessage', () => {
    expect(isDeclarativePushMessage(specExample)).toBe(true)
    expect(isDeclarativePushMessage({ web_push: 8030, notification: { title: 'x' } })).toBe(false)
  })
})

describe('buildDeclarativePushMessage', () => {
  it('builds the wire form from typed input', () => {
    const message = buildDeclarativePushMessage({
      notification: { title: 'New message', navigate: 'https://chat.example/ada' },
      appBadge: 4,
      mutable: false,
    })
    expect(message).toEqual({
      web_push: DECLARATIVE_WEB_PUSH,
      notification: { title: 'New message', navigate: 'https://chat.example/ada' },
      app_badge: 4,
      mutable: false,
    })
  })

  it('validates what it builds', () => {
    expect(() =>
      buildDeclarativePushMessage({
        notification: { title: 'x', navigate: 'ftp://files.example/' },
      }),
    ).toThrow(expect.objectContaining({ code: 'ERR_WEBPUSH_INVALID_DECLARATIVE' }))
    expect(() => buildDeclarativePushMessage(null as never)).toThrow(TypeError)
    expect(() =>
      buildDeclarativePushMessage({
        notification: { title: 'x', navigate: '/' },
        app_badge: 1,
      } as never),
    ).toThrow(TypeError)
  })

  it('travels as an encrypted payload and validates on the receiving side', async () => {
    const ua = await createUserAgent()
    const message = buildDeclarativePushMessage({
      notification: { title: 'Hi', body: 'there', navigate: 'https://app.example/' },
    })
    const request = await buildPushRequest(ua.subscription, JSON.stringify(message))
    const received = await receivePushMessage(request, ua)
    expect(validateDeclarativePushMessage(received)).toEqual(message)
  })
})
