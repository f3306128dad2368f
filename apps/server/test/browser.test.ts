/**
 * The page in a real browser: Debian's Chromium driven by playwright-core. The page loads under
 * its strict CSP, the service worker registers, the buttons subscribe, send a test and
 * unsubscribe, and a push event shows a notification; the admin page runs a broadcast and its
 * live progress bar reaches the end. Screenshots go to `test-artifacts/` (git-ignored).
 *
 * Chromium's own push service is FCM, which a test cannot reach, so `PushManager.subscribe` is
 * replaced (in the page only) by one that returns a subscription of the local mock push service;
 * everything after it — the server's validation, storage, encryption, VAPID, delivery — is real.
 * The push event itself is dispatched through the service worker with CDP
 * `ServiceWorker.deliverPushMessage`.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

import {
  createMockPushService,
  type MockPushService,
  type PushSubscriptionJSON,
} from '@pushcraft/testing'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { ADMIN_TOKEN, createTestServer, type TestServer } from './helpers/server.js'

const CHROMIUM = '/usr/bin/chromium'
const artifacts = fileURLToPath(new URL('../test-artifacts/', import.meta.url))

let mock: MockPushService
let server: TestServer
let origin: string
let context: BrowserContext
let page: Page
let userDataDir: string
const consoleErrors: string[] = []

/** Replaces PushManager.subscribe/getSubscription with a stand-in backed by the mock service. */
function fakePushManager({
  subscription,
  applicationServerKey,
}: {
  subscription: PushSubscriptionJSON
  applicationServerKey: string
}): void {
  const decode = (text: string): ArrayBuffer => {
    const base64 = text.replace(/-/g, '+').replace(/_/g, '/')
    const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4))
    return Uint8Array.from(binary, (c) => c.charCodeAt(0)).buffer
  }
  let current: unknown = null
  const make = () => ({
    endpoint: subscription.endpoint,
    expirationTime: null,
    options: { userVisibleOnly: true, applicationServerKey: decode(applicationServerKey) },
    getKey: (name: 'p256dh' | 'auth') => decode(subscription.keys[name]),
    toJSON: () => ({
      endpoint: subscription.endpoint,
      expirationTime: null,
      keys: subscription.keys,
    }),
    unsubscribe: () => {
      current = null
      return Promise.resolve(true)
    },
  })
  PushManager.prototype.subscribe = function subscribe() {
    current = make()
    return Promise.resolve(current as PushSubscription)
  }
  PushManager.prototype.getSubscription = function getSubscription() {
    return Promise.resolve(current as PushSubscription | null)
  }
}

async function notifications(): Promise<{ title: string; body: string; data: unknown }[]> {
  return page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready
    return (await registration.getNotifications()).map((n) => ({
      title: n.title,
      body: n.body,
      data: n.data as unknown,
    }))
  })
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: install it with \`apt-get install -y chromium\` (./run test does it as root)`,
    )
  }
  mkdirSync(artifacts, { recursive: true })
  mock = await createMockPushService({ tls: true })
  server = await createTestServer({ dialect: 'sqlite', mock })
  await server.app.listen({ host: '127.0.0.1', port: 0 })
  const address = server.app.server.address()
  origin = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`
  userDataDir = mkdtempSync(join(tmpdir(), 'pushcraft-chromium-'))
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 900, height: 800 },
  })
  await context.grantPermissions(['notifications'], { origin })
  const subscription = await mock.createSubscription({
    vapidPublicKey: server.config.vapid.keys.applicationServerKey,
  })
  await context.addInitScript(fakePushManager, {
    subscription,
    applicationServerKey: server.config.vapid.keys.applicationServerKey,
  })
  page = await context.newPage()
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text())
  })
  page.on('pageerror', (error) => consoleErrors.push(error.message))
}, 60_000)

afterAll(async () => {
  await context?.close()
  await server?.close()
  await mock?.close()
  if (userDataDir !== undefined) rmSync(userDataDir, { recursive: true, force: true })
})

describe('the page in Chromium', () => {
  it('loads under its CSP and registers the service worker', async () => {
    const response = await page.goto(`${origin}/app/`)
    expect(response?.status()).toBe(200)
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'")
    await page.waitForSelector('body[data-sw="ready"]')
    expect(await page.textContent('#support')).toBe('supported')
    expect(await page.getAttribute('#permission', 'data-state')).toBe('granted')
    expect(await page.getAttribute('#subscription', 'data-state')).toBe('none')
    expect(await page.textContent('#app-name')).toBe('pushcraft test')
    const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope)
    expect(scope).toBe(`${origin}/app/`)
  })

  it('subscribes with the button and the server stores the subscription', async () => {
    await page.click('#subscribe')
    await page.waitForSelector('#subscription[data-state="subscribed"]')
    expect(await page.textContent('#subscribe')).toBe('Disable notifications')
    expect(await server.store.countSubscriptions()).toBe(1)
    const { items } = await server.store.listSubscriptions({ limit: 10 })
    expect(items[0]?.endpoint.startsWith(mock.origin)).toBe(true)
    expect(items[0]?.userAgent).toContain('Chrome')
  })

  it('"Send me a test" delivers the test notification through the push service', async () => {
    await page.click('#test')
    await page.waitForFunction(() =>
      document.getElementById('status')?.textContent?.startsWith('Test sent'),
    )
    expect(await page.getAttribute('#status', 'data-kind')).toBe('ok')
    const message = await mock.nextMessage({ timeout: 5000 })
    expect(JSON.parse(message.text())).toEqual({
      title: 'pushcraft test',
      body: 'Test notification',
      data: { url: '/app/' },
    })
  })

  it('a push event shows a notification (app JSON and Declarative Web Push)', async () => {
    const cdp = await context.newCDPSession(page)
    const registration = new Promise<string>((resolve) => {
      cdp.on('ServiceWorker.workerRegistrationUpdated', (event) => {
        const found = event.registrations.find(
          (r) => !r.isDeleted && r.scopeURL === `${origin}/app/`,
        )
        if (found !== undefined) resolve(found.registrationId)
      })
    })
    await cdp.send('ServiceWorker.enable')
    const registrationId = await registration
    const deliver = (data: unknown) =>
      cdp.send('ServiceWorker.deliverPushMessage', {
        origin: `${origin}/`,
        registrationId,
        data: JSON.stringify(data),
      })

    // Attach to the running worker and record each showNotification() call once it resolved:
    // Chromium's getNotifications() can miss a notification when it is queried while the
    // notification is still being stored, so the check waits for that first.
    const worker = context.serviceWorkers().find((w) => w.url() === `${origin}/app/sw.js`)
    expect(worker).toBeDefined()
    await worker!.evaluate(() => {
      interface Scope {
        shown: { title: string; options: NotificationOptions }[]
        registration: ServiceWorkerRegistration
      }
      const scope = self as unknown as Scope
      const original = scope.registration.showNotification.bind(scope.registration)
      scope.shown = []
      scope.registration.showNotification = async (title, options = {}) => {
        await original(title, options)
        scope.shown.push({ title, options })
      }
    })
    const shown = () =>
      worker!.evaluate(() =>
        (self as unknown as { shown: { title: string; options: NotificationOptions }[] }).shown.map(
          (n) => ({ title: n.title, body: n.options.body, data: n.options.data as unknown }),
        ),
      )

    await deliver({ title: 'pushcraft test', body: 'Test notification', data: { url: '/app/' } })
    const first = { title: 'pushcraft test', body: 'Test notification', data: { url: '/app/' } }
    await expect.poll(shown, { timeout: 10_000 }).toEqual([first])
    await expect.poll(notifications, { timeout: 10_000 }).toContainEqual(first)

    await deliver({
      web_push: 8030,
      notification: {
        title: 'Declarative',
        body: 'shape',
        navigate: `${origin}/app/news`,
        tag: 'dwp',
      },
    })
    const second = { title: 'Declarative', body: 'shape', data: { url: `${origin}/app/news` } }
    await expect.poll(shown, { timeout: 10_000 }).toEqual([first, second])
    await expect.poll(notifications, { timeout: 10_000 }).toContainEqual(second)
    await page.screenshot({ path: join(artifacts, 'page-subscribed.png'), fullPage: true })
  })

  it('unsubscribes with the button and the server forgets the subscription', async () => {
    await page.click('#subscribe')
    await page.waitForSelector('#subscription[data-state="none"]')
    expect(await server.store.countSubscriptions()).toBe(0)
  })

  it('the admin page runs a broadcast and the live progress bar completes', async () => {
    const subscriptions = await mock.createSubscriptions(25, {
      vapidPublicKey: server.config.vapid.keys.applicationServerKey,
    })
    for (const s of subscriptions) {
      await server.store.upsertSubscription({
        endpoint: s.endpoint,
        p256dh: s.keys.p256dh,
        auth: s.keys.auth,
        encoding: 'aes128gcm',
        vapidKeyId: server.config.vapid.keys.id,
      })
    }
    mock.reset()
    await page.goto(`${origin}/app/admin.html`)
    await page.fill('#token', ADMIN_TOKEN)
    await page.dispatchEvent('#token', 'change')
    await page.fill('input[name="title"]', 'Hello from the admin page')
    await page.click('#send')
    await page.waitForSelector('#broadcast-status[data-state="completed"]', { timeout: 20_000 })
    expect(await page.getAttribute('#progress', 'value')).toBe('25')
    expect(await page.getAttribute('#progress', 'max')).toBe('25')
    expect(await page.textContent('#counts')).toContain('delivered 25')
    await mock.waitForMessages(25, { timeout: 5000 })
    await page.screenshot({ path: join(artifacts, 'admin-broadcast.png'), fullPage: true })
    expect(consoleErrors).toEqual([])
  })
})
