// A real browser receives what @pushcraft/webpush sends: headless Firefox (Debian firefox-esr,
// driven over WebDriver BiDi) subscribes through pushManager.subscribe() against the kit's local
// push server, and its service worker posts each push's bytes back. Firefox decrypts the
// messages itself, so an exact byte match proves the sender's RFC 8291 / aesgcm encryption and
// VAPID right. Nothing leaves the machine (MOZ_DISABLE_NONLOCAL_CONNECTIONS=1, local servers).
// Without firefox-esr this test fails (it does not skip) and says how to install it.
// The local push server comes from @pushcraft/testing (createLocalPushServer), as a user's own
// real-browser test would use it.
import {
  createLocalPushServer,
  type LocalPushServer,
  type PushSubscriptionJSON,
} from '@pushcraft/testing'
import { generateVapidKeys, type VapidKeys } from '@pushcraft/vapid'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildPushRequest, sendPushMessage } from '../src/index.ts'
import { launchFirefox, TestPage, type LaunchedFirefox } from './helpers/firefox.ts'

describe('real Firefox receives pushes sent with @pushcraft/webpush', () => {
  let server: LocalPushServer
  let testPage: TestPage
  let firefox: LaunchedFirefox
  let vapid: VapidKeys
  let subscription: PushSubscriptionJSON
  let dispatcher: ReturnType<LocalPushServer['pushService']['createDispatcher']>
  // A setup failure (above all: firefox-esr missing) fails every test with its message.
  let setupError: unknown
  const ready = (): void => {
    if (setupError !== undefined) {
      throw setupError instanceof Error
        ? setupError
        : new Error('setup failed', { cause: setupError })
    }
  }

  beforeAll(async () => {
    try {
      await setup()
    } catch (error) {
      setupError = error
    }
  }, 60_000)

  async function setup(): Promise<void> {
    server = await createLocalPushServer()
    dispatcher = server.pushService.createDispatcher()
    testPage = await TestPage.start()
    vapid = await generateVapidKeys()
    firefox = await launchFirefox(server.firefoxPrefs)
    await firefox.page.goto(testPage.url)
    const json = await firefox.page.evaluate(
      (key: string) =>
        (globalThis as unknown as { subscribe(key: string): Promise<string> }).subscribe(key),
      vapid.applicationServerKey,
    )
    subscription = JSON.parse(json) as PushSubscriptionJSON
  }

  afterAll(async () => {
    await firefox?.close()
    await testPage?.close()
    await dispatcher?.close()
    await server?.close()
  })

  it('subscribes through the local push server with our VAPID key', () => {
    ready()
    const registration = server.registrations.at(-1)
    expect(registration?.endpoint).toBe(subscription.endpoint)
    expect(registration?.vapidPublicKey).toBe(vapid.applicationServerKey)
    expect(subscription.endpoint.startsWith(`${server.pushService.origin}/`)).toBe(true)
    expect(Buffer.from(subscription.keys.p256dh, 'base64url')).toHaveLength(65)
    expect(Buffer.from(subscription.keys.auth, 'base64url')).toHaveLength(16)
  })

  const random3000 = new Uint8Array(3000)
  for (let index = 0; index < random3000.length; index++)
    random3000[index] = (index * 7919 + 13) % 256
  const payloads: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['ASCII', new TextEncoder().encode('Hello, Firefox! {"title":"pushcraft"}')],
    ['UTF-8 multibyte', new TextEncoder().encode('Grüße aus Köln — 東京 🚀 ünïcödé')],
    ['~3000 bytes', random3000],
  ]

  for (const contentEncoding of ['aes128gcm', 'aesgcm'] as const) {
    for (const [name, payload] of payloads) {
      it(`${contentEncoding}: the service worker receives exactly the ${name} payload`, async () => {
        ready()
        const result = await sendPushMessage(subscription, payload, {
          vapid: { keys: vapid, subject: 'mailto:e2e@pushcraft.example' },
          contentEncoding,
          ttl: 60,
          dispatcher,
        })
        expect(result.status).toBe(201)
        const received = await testPage.next()
        expect(received.hasData).toBe(true)
        expect(Buffer.from(received.bytes).equals(Buffer.from(payload))).toBe(true)
        const delivery = server.deliveries.at(-1)!
        expect((await server.waitForAck(delivery.version)).ackCode).toBe(100)
      })
    }
  }

  it('a push without payload arrives with event.data === null', async () => {
    ready()
    await sendPushMessage(subscription, null, {
      vapid: { keys: vapid, subject: 'mailto:e2e@pushcraft.example' },
      ttl: 60,
      dispatcher,
    })
    const received = await testPage.next()
    expect(received.hasData).toBe(false)
  })

  for (const contentEncoding of ['aes128gcm', 'aesgcm'] as const) {
    it(`${contentEncoding}: a tampered body is not delivered (Firefox acks it with code 101)`, async () => {
      ready()
      const built = await buildPushRequest(subscription, 'tampered', {
        vapid: { keys: vapid, subject: 'mailto:e2e@pushcraft.example' },
        contentEncoding,
        ttl: 60,
      })
      const body = new Uint8Array(built.body!)
      body[body.length - 3]! ^= 0x40
      const response = await request(built.url, {
        method: 'POST',
        headers: built.headers,
        body,
        dispatcher,
      })
      await response.body.text()
      // The push service cannot tell (only the browser holds the keys): it accepts and forwards.
      expect(response.statusCode).toBe(201)
      const delivery = server.deliveries.at(-1)!
      const acked = await server.waitForAck(delivery.version)
      expect(acked.ackCode).toBe(101)
      // The next thing the worker sees is a correct push sent afterwards, not the tampered one.
      await sendPushMessage(subscription, 'after tampering', {
        vapid: { keys: vapid, subject: 'mailto:e2e@pushcraft.example' },
        contentEncoding,
        ttl: 60,
        dispatcher,
      })
      const received = await testPage.next()
      expect(new TextDecoder().decode(received.bytes)).toBe('after tampering')
      expect(testPage.received).toHaveLength(0)
    })
  }
})
