import { beforeAll, describe, expect, it } from 'vitest'
import { createVapidAuthorization, generateVapidKeys, type VapidKeys } from '@pushcraft/vapid'
import {
  FIREFOX_ANDROID_BODY_BUDGET,
  identifyPushService,
  isReachableVapidSubject,
  pushServiceRules,
} from '../src/quirks.ts'
import { buildPushRequest } from '../src/request.ts'
import { createUserAgent, receivePushMessage, type UserAgent } from './helpers/receiver.ts'

const APPLE =
  'https://web.push.apple.com/QGuQyavXutnMaJ-yoTHSdAhVAnzHeGxVkXY4ZRSdKBWaeuqYSiIYbrT3QDHbFhYGkLgLM_rn'
const FCM = 'https://fcm.googleapis.com/fcm/send/dpH5lCsTSSM:APA91bHqjZxM0VImWWqDRN7U0a3AycjUf4O'
const MOZILLA =
  'https://updates.push.services.mozilla.com/wpush/v2/gAAAAABh3GFJ3S6lzZK8C6CLmcmkL8ZL'
const WNS = 'https://wns2-par02p.notify.windows.com/w/?token=BQYAAAD6oPKmWK6G%2bGvxiqEjyJ%2fL0%3d'

let ua: UserAgent
let keys: VapidKeys
const subject = 'mailto:push@example.com'

beforeAll(async () => {
  ua = await createUserAgent()
  keys = await generateVapidKeys()
})

function at(endpoint: string) {
  return { ...ua.subscription, endpoint }
}

describe('identifyPushService', () => {
  it.each([
    [APPLE, 'apple'],
    ['https://api.push.apple.com/x', 'apple'],
    [FCM, 'fcm'],
    ['https://android.googleapis.com/gcm/send/abc', 'fcm'],
    [MOZILLA, 'mozilla'],
    ['https://push.services.mozilla.com/wpush/v1/x', 'mozilla'],
    [WNS, 'wns'],
    ['https://push.example.net/x', 'other'],
    ['https://web.push.apple.com.evil.example/x', 'other'],
    ['https://notapple.com/x', 'other'],
    ['not a url', 'other'],
  ])('%s → %s', (endpoint, service) => {
    expect(identifyPushService(endpoint)).toBe(service)
    if (endpoint.startsWith('https:')) expect(identifyPushService(new URL(endpoint))).toBe(service)
  })

  it('pushServiceRules takes an endpoint or a service id', () => {
    expect(pushServiceRules('apple')).toBe(pushServiceRules(APPLE))
    expect(pushServiceRules('other').requiresVapid).toBe(false)
  })
})

describe('Apple (web.push.apple.com)', () => {
  it('requires VAPID: ERR_WEBPUSH_QUIRK vapid-required', async () => {
    await expect(buildPushRequest(at(APPLE), 'x')).rejects.toMatchObject({
      code: 'ERR_WEBPUSH_QUIRK',
      reason: 'vapid-required',
    })
  })

  it('accepts aes128gcm only: ERR_WEBPUSH_QUIRK content-encoding', async () => {
    await expect(
      buildPushRequest(at(APPLE), 'x', { vapid: { keys, subject }, contentEncoding: 'aesgcm' }),
    ).rejects.toMatchObject({ code: 'ERR_WEBPUSH_QUIRK', reason: 'content-encoding' })
  })

  for (const bad of [
    'mailto:admin@server.local',
    'mailto:admin@intranet',
    'mailto:admin@10.0.0.1',
    'https://push.test/contact',
    'https://home.arpa/',
    'mailto:push@my.example',
  ]) {
    it(`refuses the subject ${bad}: ERR_WEBPUSH_QUIRK vapid-subject`, async () => {
      await expect(
        buildPushRequest(at(APPLE), 'x', { vapid: { keys, subject: bad } }),
      ).rejects.toMatchObject({ code: 'ERR_WEBPUSH_QUIRK', reason: 'vapid-subject' })
    })
  }

  it('checks the sub claim of prebuilt headers too', async () => {
    const prebuilt = await createVapidAuthorization({
      keys,
      audience: 'https://web.push.apple.com',
      subject: 'mailto:ops@printer.lan',
    })
    await expect(buildPushRequest(at(APPLE), 'x', { vapid: prebuilt })).rejects.toMatchObject({
      code: 'ERR_WEBPUSH_QUIRK',
      reason: 'vapid-subject',
    })
  })

  it('builds a request with a real contact, and Topic/Urgency as usual', async () => {
    const request = await buildPushRequest(at(APPLE), 'x', {
      vapid: { keys, subject: 'https://example.com/contact' },
      topic: 'news',
      urgency: 'high',
    })
    expect(request.headers['authorization']).toMatch(/^vapid t=/)
    expect(request.headers['topic']).toBe('news')
  })

  it('other services accept a subject Apple refuses', async () => {
    const request = await buildPushRequest(at(FCM), 'x', {
      vapid: { keys, subject: 'mailto:a@server.local' },
    })
    expect(request.headers['authorization']).toMatch(/^vapid /)
  })

  it('quirks: false turns the rules off', async () => {
    const request = await buildPushRequest(at(APPLE), 'x', { quirks: false })
    expect(request.headers['authorization']).toBeUndefined()
  })

  it('isReachableVapidSubject', () => {
    expect(isReachableVapidSubject('mailto:push@example.com')).toBe(true)
    expect(isReachableVapidSubject('https://example.com/contact')).toBe(true)
    expect(isReachableVapidSubject('mailto:push@example.com?subject=hi')).toBe(true)
    expect(isReachableVapidSubject('mailto: push@example.com')).toBe(false)
    expect(isReachableVapidSubject('http://example.com')).toBe(false)
    expect(isReachableVapidSubject('mailto:push@localhost')).toBe(false)
    expect(isReachableVapidSubject('https://[::1]/')).toBe(false)
  })
})

describe('Windows / Edge (WNS)', () => {
  it('raises TTL 0 to 1 (WNS answers 400 to TTL 0)', async () => {
    const request = await buildPushRequest(at(WNS), null, { ttl: 0 })
    expect(request.headers['ttl']).toBe('1')
    expect((await buildPushRequest(at(WNS), null, { ttl: 30 })).headers['ttl']).toBe('30')
    expect((await buildPushRequest(at(FCM), null, { ttl: 0 })).headers['ttl']).toBe('0')
  })

  it('keeps the ?token= query of the endpoint byte for byte', async () => {
    const request = await buildPushRequest(at(WNS), 'x', { vapid: { keys, subject } })
    expect(request.url).toBe(WNS)
    expect(text(await receivePushMessage(request, ua))).toBe('x')
  })

  it('signs for the WNS origin (aud has no path or query)', async () => {
    const request = await buildPushRequest(at(WNS), null, { vapid: { keys, subject } })
    const token = /t=([^,]+)/.exec(request.headers['authorization']!)![1]!
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString())
    expect(claims.aud).toBe('https://wns2-par02p.notify.windows.com')
  })
})

describe('FCM', () => {
  it('caps TTL at 4 weeks', async () => {
    expect((await buildPushRequest(at(FCM), null, { ttl: 10_000_000 })).headers['ttl']).toBe(
      '2419200',
    )
    expect((await buildPushRequest(at(MOZILLA), null, { ttl: 10_000_000 })).headers['ttl']).toBe(
      '10000000',
    )
  })
})

describe('Mozilla autopush: Firefox for Android budget', () => {
  it("'max' padding stops at the Firefox Android budget on Mozilla endpoints", async () => {
    const request = await buildPushRequest(at(MOZILLA), 'hi', { padding: 'max' })
    expect(request.body!.length).toBe(FIREFOX_ANDROID_BODY_BUDGET.aes128gcm)
    expect(text(await receivePushMessage(request, ua))).toBe('hi')
    const legacy = await buildPushRequest(at(MOZILLA), 'hi', {
      padding: 'max',
      contentEncoding: 'aesgcm',
    })
    expect(legacy.body!.length).toBe(FIREFOX_ANDROID_BODY_BUDGET.aesgcm)
  })

  it('bucket padding is capped the same way', async () => {
    const request = await buildPushRequest(at(MOZILLA), new Uint8Array(2800), {
      padding: { bucket: 1024 },
    })
    expect(request.body!.length).toBe(FIREFOX_ANDROID_BODY_BUDGET.aes128gcm)
  })

  it('an unpadded payload above the Android budget still goes out (desktop accepts 4096)', async () => {
    const request = await buildPushRequest(at(MOZILLA), new Uint8Array(3993))
    expect(request.body!.length).toBe(4096)
  })

  it('other services pad to the full 4096', async () => {
    expect((await buildPushRequest(at(FCM), 'hi', { padding: 'max' })).body!.length).toBe(4096)
  })
})

function text(bytes: Uint8Array | null): string {
  return new TextDecoder().decode(bytes!)
}
