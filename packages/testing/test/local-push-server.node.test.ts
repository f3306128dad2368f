// The Mozilla Web Push WebSocket protocol of the local push server, driven by a scripted client
// that behaves like Firefox's PushServiceWebSocket (hello, register with a padded base64url key,
// notification → ack, unregister, pings). The real-browser test (headless Firefox, sending with
// @pushcraft/webpush) is packages/webpush/test/firefox.e2e.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import {
  createLocalPushServer,
  decryptPushMessage,
  generateUserAgentKeys,
  type LocalPushServer,
  type PushSubscriptionJSON,
  type UserAgentKeys,
} from '../src/index.ts'
import { generateTestVapidKeys, send, unb64u, type TestVapidKeys } from './helpers/sender.ts'

class FakeBrowser {
  readonly inbox: Record<string, unknown>[] = []
  readonly socket: WebSocket
  readonly #waiters: (() => void)[] = []
  private constructor(socket: WebSocket) {
    this.socket = socket
    socket.on('message', (raw) => {
      this.inbox.push(JSON.parse(Buffer.from(raw as Buffer).toString('utf8')))
      for (const wake of this.#waiters.splice(0)) wake()
    })
  }
  static async connect(url: string): Promise<FakeBrowser> {
    const socket = new WebSocket(url, 'push-notification')
    await new Promise((resolve, reject) => {
      socket.once('open', resolve)
      socket.once('error', reject)
    })
    return new FakeBrowser(socket)
  }
  send(message: unknown): void {
    this.socket.send(JSON.stringify(message))
  }
  async next(type: string | undefined, timeout = 3000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeout
    for (;;) {
      const index = this.inbox.findIndex((message) => message.messageType === type)
      if (index >= 0) return this.inbox.splice(index, 1)[0]!
      if (Date.now() > deadline) throw new Error(`no ${String(type)} message`)
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve)
        setTimeout(resolve, 50)
      })
    }
  }
  close(): void {
    this.socket.close()
  }
}

describe('local push server (Mozilla Web Push WebSocket protocol)', () => {
  let server: LocalPushServer
  let dispatcher: ReturnType<LocalPushServer['pushService']['createDispatcher']>
  let vapid: TestVapidKeys
  let browser: FakeBrowser
  let uaid: string
  let keys: UserAgentKeys
  let subscription: PushSubscriptionJSON
  const channelID = '4580a789-6933-45e3-9a3a-5a90bc9f6d13'

  beforeAll(async () => {
    server = await createLocalPushServer()
    dispatcher = server.pushService.createDispatcher()
    vapid = await generateTestVapidKeys()
    keys = await generateUserAgentKeys()
  })
  afterAll(async () => {
    browser?.close()
    await dispatcher.close()
    await server.close()
  })

  it('exposes the ws:// URL and the Firefox prefs to use it', () => {
    expect(server.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/$/)
    expect(server.firefoxPrefs).toMatchObject({
      'dom.push.serverURL': server.wsUrl,
      'dom.push.connection.enabled': true,
      'dom.push.testing.allowInsecureServerURL': true,
    })
    expect(server.ca).toMatch(/BEGIN CERTIFICATE/)
  })

  it('answers hello with a uaid and use_webpush', async () => {
    browser = await FakeBrowser.connect(server.wsUrl)
    browser.send({ messageType: 'hello', broadcasts: {}, use_webpush: true })
    const hello = await browser.next('hello')
    expect(hello).toMatchObject({ messageType: 'hello', status: 200, use_webpush: true })
    expect(hello.uaid).toMatch(/^[0-9a-f]{32}$/)
    uaid = hello.uaid as string
  })

  it('answers pings', async () => {
    browser.send({})
    expect(await browser.next(undefined)).toEqual({})
  })

  it('registers a channel with a padded base64url applicationServerKey', async () => {
    browser.send({ channelID, messageType: 'register', key: `${vapid.applicationServerKey}=` })
    const reply = await browser.next('register')
    expect(reply).toMatchObject({ messageType: 'register', channelID, status: 200, uaid })
    const endpoint = reply.pushEndpoint as string
    expect(endpoint.startsWith(`${server.pushService.origin}/wpush/v2/`)).toBe(true)
    const registration = await server.nextRegistration({ timeout: 1000 })
    expect(registration).toMatchObject({
      channelID,
      endpoint,
      vapidPublicKey: vapid.applicationServerKey,
    })
    subscription = {
      endpoint,
      expirationTime: null,
      keys: { p256dh: keys.p256dh, auth: keys.auth },
    }
  })

  for (const encoding of ['aes128gcm', 'aesgcm'] as const) {
    it(`forwards an accepted ${encoding} push as a notification, and records the ack`, async () => {
      const response = await send(subscription, `over the wire ${encoding}`, dispatcher, {
        vapid,
        encoding,
      })
      expect(response.status).toBe(201)
      const notification = await browser.next('notification')
      expect(notification).toMatchObject({ channelID })
      const headers = notification.headers as Record<string, string>
      expect(headers.encoding).toBe(encoding)
      if (encoding === 'aesgcm') {
        expect(headers.crypto_key).toMatch(/dh=/)
        expect(headers.encryption).toMatch(/salt=/)
      }
      const plaintext = await decryptPushMessage(
        unb64u(notification.data as string),
        {
          contentEncoding: headers.encoding!,
          encryption: headers.encryption,
          cryptoKey: headers.crypto_key,
        },
        keys,
      )
      expect(new TextDecoder().decode(plaintext)).toBe(`over the wire ${encoding}`)
      browser.send({
        messageType: 'ack',
        updates: [{ channelID, version: notification.version, code: 100 }],
      })
      const delivery = await server.waitForAck(notification.version as string, { timeout: 2000 })
      expect(delivery).toMatchObject({ state: 'acked', ackCode: 100, channelID })
    })
  }

  it('forwards a push without payload as a notification without data', async () => {
    expect((await send(subscription, null, dispatcher, { vapid })).status).toBe(201)
    const notification = await browser.next('notification')
    expect(notification.data).toBeUndefined()
    browser.send({
      messageType: 'ack',
      updates: [{ channelID, version: notification.version, code: 100 }],
    })
  })

  it('records a decryption failure the browser reports (ack code 101)', async () => {
    expect((await send(subscription, 'x', dispatcher, { vapid })).status).toBe(201)
    const notification = await browser.next('notification')
    browser.send({
      messageType: 'ack',
      updates: [{ channelID, version: notification.version, code: 101 }],
    })
    expect(await server.waitForAck(notification.version as string)).toMatchObject({ ackCode: 101 })
  })

  it('refuses a push signed with another VAPID key, and forwards nothing', async () => {
    const before = server.deliveries.length
    const response = await send(subscription, 'x', dispatcher, {
      vapid: await generateTestVapidKeys(),
    })
    expect(response.status).toBe(401)
    expect(server.deliveries).toHaveLength(before)
  })

  it('keeps messages for a disconnected browser and delivers them after hello', async () => {
    browser.close()
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect((await send(subscription, 'while away', dispatcher, { vapid })).status).toBe(201)
    expect(server.deliveries.at(-1)?.state).toBe('pending')
    browser = await FakeBrowser.connect(server.wsUrl)
    browser.send({ messageType: 'hello', uaid, broadcasts: {}, use_webpush: true })
    expect((await browser.next('hello')).uaid).toBe(uaid)
    const notification = await browser.next('notification')
    const plaintext = await decryptPushMessage(
      unb64u(notification.data as string),
      { contentEncoding: 'aes128gcm' },
      keys,
    )
    expect(new TextDecoder().decode(plaintext)).toBe('while away')
  })

  it('unregisters: the endpoint then answers 410', async () => {
    browser.send({ channelID, messageType: 'unregister', code: 200 })
    expect(await browser.next('unregister')).toMatchObject({ channelID, status: 200 })
    expect(server.registrations).toHaveLength(0)
    expect((await send(subscription, 'x', dispatcher, { vapid })).status).toBe(410)
  })

  it('times out waiting for a registration with ERR_TESTING_TIMEOUT', async () => {
    await expect(server.nextRegistration({ timeout: 30 })).rejects.toMatchObject({
      code: 'ERR_TESTING_TIMEOUT',
    })
  })
})
