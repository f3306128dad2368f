// A real Firefox subscribes to the local push server and receives pushes, offline.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import puppeteer from 'puppeteer-core'
import { createLocalPushServer } from '@pushcraft/testing'

const server = await createLocalPushServer()
const home = mkdtempSync(join(tmpdir(), 'firefox-')) // a throwaway profile and HOME
const browser = await puppeteer.launch({
  browser: 'firefox',
  protocol: 'webDriverBiDi',
  executablePath: '/usr/bin/firefox-esr',
  userDataDir: join(home, 'profile'),
  env: { ...process.env, HOME: home, MOZ_DISABLE_NONLOCAL_CONNECTIONS: '1' },
  extraPrefsFirefox: server.firefoxPrefs,
})
// … a page registers a service worker and calls pushManager.subscribe({ applicationServerKey } …
const registration = await server.nextRegistration()
console.log(registration.endpoint, registration.vapidPublicKey)
// … send to registration.endpoint with dispatcher: server.pushService.createDispatcher() …
const delivery = await server.nextDelivery()
const acked = await server.waitForAck(delivery.version)
console.log(acked.ackCode) // 100 delivered; 101 the browser could not decrypt it

await browser.close()
await server.close()
