// What ships: the built `@pushcraft/webpush/request` entry (package self-reference through the
// exports map, so `pnpm build` must have run, as turbo's test task ensures). It holds the pure half
// of the package, and the main entry re-exports every one of those names.
import { describe, expect, it } from 'vitest'

const PURE_EXPORTS = [
  // re-exported from @pushcraft/vapid
  'VapidError',
  'VapidKeyring',
  'VapidTokenCache',
  'exportVapidKeys',
  'generateVapidKeys',
  'importVapidKeys',
  'importVapidPublicKey',
  'DECLARATIVE_WEB_PUSH',
  'DEFAULT_TTL',
  'FIREFOX_ANDROID_BODY_BUDGET',
  'MANAGED_HEADERS',
  'MAX_AESGCM_PAYLOAD_BYTES',
  'MAX_BODY_BYTES',
  'MAX_ENDPOINT_LENGTH',
  'MAX_PAYLOAD_BYTES',
  'MAX_TOPIC_LENGTH',
  'MAX_TTL',
  'URGENCIES',
  'WebPushError',
  'buildDeclarativePushMessage',
  'buildPushRequest',
  'deriveWebPushIkm',
  'encryptPushMessage',
  'encryptedBodySize',
  'identifyPushService',
  'isDeclarativePushMessage',
  'isReachableVapidSubject',
  'isUrgency',
  'isValidSubscription',
  'isValidTopic',
  'isWebPushError',
  'maxPayloadBytes',
  'paddingLength',
  'pushServiceRules',
  'toCurl',
  'topicFromKey',
  'validateDeclarativePushMessage',
  'validateSubscription',
  'validateTopic',
  'validateTtl',
  'validateUrgency',
  'webPushKeyInfo',
]

describe('@pushcraft/webpush/request (built)', () => {
  it('exports exactly the pure API', async () => {
    const entry = await import('@pushcraft/webpush/request')
    expect(Object.keys(entry).sort()).toEqual([...PURE_EXPORTS].sort())
  })

  it('the main entry re-exports the same objects', async () => {
    const [entry, main] = await Promise.all([
      import('@pushcraft/webpush/request'),
      import('@pushcraft/webpush'),
    ])
    for (const name of PURE_EXPORTS) {
      expect(main[name as keyof typeof main], name).toBe(entry[name as keyof typeof entry])
    }
  })

  it('builds and validates with the built code', async () => {
    const { buildPushRequest, validateSubscription, MAX_PAYLOAD_BYTES } =
      await import('@pushcraft/webpush/request')
    expect(MAX_PAYLOAD_BYTES).toBe(3993)
    const subscription = validateSubscription({
      endpoint: 'https://push.example.net/push/JzLQ3raZJfFBR0aqvOMsLrt54w4rJUsV',
      keys: {
        p256dh:
          'BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4',
        auth: 'BTBZMqHH6r4Tts7J_aSIgg',
      },
    })
    const request = await buildPushRequest(subscription, 'x', { ttl: 10 })
    expect(request.headers['ttl']).toBe('10')
    expect(request.body).toHaveLength(86 + 1 + 1 + 16)
  })
})
