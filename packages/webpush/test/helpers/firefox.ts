// Drives a real headless Firefox (Debian firefox-esr) with puppeteer-core over WebDriver BiDi,
// against the kit's local push server, with a throwaway profile and HOME and no non-local
// network. Also serves the test page and its service worker, and collects what the worker posts.
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import puppeteer, { type Browser, type Page } from 'puppeteer-core'

export const FIREFOX_PATH = process.env.PUSHCRAFT_FIREFOX ?? '/usr/bin/firefox-esr'

export const FIREFOX_MISSING_MESSAGE =
  `firefox-esr is not installed (looked for ${FIREFOX_PATH}). The real-browser test needs it: ` +
  'run `./run test` (scripts/test-services.sh installs it), or install it yourself with ' +
  '`apt-get update && apt-get install -y firefox-esr` (as root), or point PUSHCRAFT_FIREFOX at a Firefox binary.'

const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>pushcraft e2e</title>
<script>
  // Registers the service worker and subscribes with the VAPID key; returns the subscription JSON.
  async function subscribe(applicationServerKey) {
    const registration = await navigator.serviceWorker.register('/sw.js')
    await navigator.serviceWorker.ready
    const subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey })
    return JSON.stringify(subscription.toJSON())
  }
</script>`

// The service worker posts every push's exact bytes back to the test (x-push-data: none when the
// push carried no payload at all).
const SERVICE_WORKER = `
self.addEventListener('install', () => self.skipWaiting())
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()))
self.addEventListener('push', (event) => {
  event.waitUntil((async () => {
    const hasData = event.data !== null
    const bytes = hasData ? await event.data.arrayBuffer() : new ArrayBuffer(0)
    await fetch('/received', { method: 'POST', body: bytes, headers: { 'x-push-data': hasData ? 'yes' : 'none' } })
  })())
})
`

export interface ReceivedByWorker {
  readonly hasData: boolean
  readonly bytes: Uint8Array
}

export class TestPage {
  readonly received: ReceivedByWorker[] = []
  readonly #waiters: (() => void)[] = []
  server: Server | undefined
  url = ''

  static async start(): Promise<TestPage> {
    const page = new TestPage()
    const server = createServer((request, response) => {
      if (request.method === 'GET' && request.url === '/') {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        response.end(PAGE)
      } else if (request.method === 'GET' && request.url === '/sw.js') {
        response.writeHead(200, {
          'content-type': 'text/javascript',
          'service-worker-allowed': '/',
        })
        response.end(SERVICE_WORKER)
      } else if (request.method === 'POST' && request.url === '/received') {
        const chunks: Buffer[] = []
        request.on('data', (chunk: Buffer) => chunks.push(chunk))
        request.on('end', () => {
          page.record({
            hasData: request.headers['x-push-data'] === 'yes',
            bytes: new Uint8Array(Buffer.concat(chunks)),
          })
          response.writeHead(204)
          response.end()
        })
      } else {
        response.writeHead(404)
        response.end()
      }
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    page.server = server
    page.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
    return page
  }

  record(entry: ReceivedByWorker): void {
    this.received.push(entry)
    for (const wake of this.#waiters.splice(0)) wake()
  }

  /** The next thing the service worker posted (in order), waiting up to `timeout` ms. */
  async next(timeout = 10_000): Promise<ReceivedByWorker> {
    const deadline = Date.now() + timeout
    while (this.received.length === 0) {
      if (Date.now() > deadline)
        throw new Error(`the service worker posted nothing within ${timeout} ms`)
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve)
        setTimeout(resolve, 100)
      })
    }
    return this.received.shift()!
  }

  async close(): Promise<void> {
    const server = this.server
    if (server === undefined) return
    server.closeAllConnections()
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve()
      })
    })
  }
}

export interface LaunchedFirefox {
  readonly browser: Browser
  readonly page: Page
  close(): Promise<void>
}

export async function launchFirefox(
  prefs: Readonly<Record<string, unknown>>,
): Promise<LaunchedFirefox> {
  if (!existsSync(FIREFOX_PATH)) throw new Error(FIREFOX_MISSING_MESSAGE)
  const home = mkdtempSync(join(tmpdir(), 'pushcraft-firefox-'))
  const browser = await puppeteer.launch({
    browser: 'firefox',
    protocol: 'webDriverBiDi',
    executablePath: FIREFOX_PATH,
    headless: true,
    userDataDir: join(home, 'profile'),
    env: {
      ...process.env,
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      MOZ_DISABLE_NONLOCAL_CONNECTIONS: '1',
    },
    extraPrefsFirefox: {
      ...prefs,
      // Nothing but our own servers: no updates, telemetry, captive-portal or remote settings.
      'app.update.enabled': false,
      'browser.safebrowsing.downloads.remote.enabled': false,
      'network.captive-portal-service.enabled': false,
      'network.connectivity-service.enabled': false,
      'datareporting.policy.dataSubmissionEnabled': false,
      'toolkit.telemetry.enabled': false,
    },
  })
  const page = await browser.newPage()
  return {
    browser,
    page,
    async close() {
      await browser.close()
      rmSync(home, { recursive: true, force: true })
    },
  }
}
