// Scenario 5's push service: @pushcraft/testing's mock push service in its own process, in its
// load-test mode (VAPID checked on every request, bodies not decrypted, messages not stored).
// It issues the subscriptions (one shared key pair, bound to the bench's VAPID key) and writes
// them as JSON lines to `job.file`.
//
// IPC: → `ready { origin, ca }`; `reset` → `reset-done`; `stats` → `stats { received, rejected }`
// (counted since the last reset).

import { writeFileSync } from 'node:fs'

import { createMockPushService } from '@pushcraft/testing'

import { loadFixtures } from '../fixtures.mjs'

export async function run(job) {
  const fixtures = loadFixtures(job.fixtures)
  const service = await createMockPushService({ decrypt: false, storeMessages: false })
  const subscriptions = await service.createSubscriptions(job.count, {
    vapidPublicKey: fixtures.vapid.publicKey,
    encoding: 'aes128gcm',
  })
  writeFileSync(job.file, subscriptions.map((s) => JSON.stringify(s)).join('\n'))
  let base = { received: 0, rejected: 0 }
  await new Promise((resolve) => {
    process.on('message', (message) => {
      const { received, rejected } = service.stats
      if (message.type === 'reset') {
        base = { received, rejected }
        process.send({ type: 'reset-done' })
      } else if (message.type === 'stats') {
        process.send({
          type: 'stats',
          stats: { received: received - base.received, rejected: rejected - base.rejected },
        })
      } else if (message.type === 'close') {
        void service.close().finally(resolve)
      }
    })
    process.send({ type: 'ready', origin: service.origin, ca: service.ca })
  })
  return {}
}
