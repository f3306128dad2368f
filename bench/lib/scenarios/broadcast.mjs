// Scenario 5: one broadcast to every stored subscription, sent by apps/server, against the same
// sends done with the library directly (PushClient#sendMany over the subscriptions in memory).
// Both use the server's defaults: 64 sends in flight, 16 connections per push service origin.
//
// - server: the app as `./run start` builds it (buildApp on a SQLite file that a `seed` process
//   filled beforehand), then `POST /api/push/broadcasts` and wait until it is `completed`.
// - library: the same subscriptions and the same JSON payload through one PushClient.
//
// Each first sends a warm-up of `job.warmup` messages (the server: a broadcast to the tag
// `warm`, whose subscriptions are deleted afterwards).
//
// IPC: → `warm-done`, ← `go`, → result.

import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

import { VapidTokenCache, importVapidKeys } from '@pushcraft/vapid'
import { PushClient } from '@pushcraft/webpush'

import { loadFixtures } from '../fixtures.mjs'
import { cpuSince, now } from '../measure.mjs'

/** The server's defaults (SEND_CONCURRENCY, PUSH_CONNECTIONS). */
const CONCURRENCY = 64
const CONNECTIONS = 16
const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef'
/** The broadcast both send; the server turns it into `MESSAGE`. */
const BROADCAST = {
  title: 'pushcraft bench',
  body: 'a broadcast to every subscriber',
  url: '/app/',
}
const MESSAGE = JSON.stringify({
  title: BROADCAST.title,
  body: BROADCAST.body,
  data: { url: BROADCAST.url },
})

const waitFor = (type) =>
  new Promise((resolve) => {
    const listener = (message) => {
      if (message.type === type) {
        process.off('message', listener)
        resolve(message)
      }
    }
    process.on('message', listener)
  })

function readSubscriptions(file) {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line))
}

async function measured(send, count) {
  globalThis.gc?.()
  process.send({ type: 'warm-done' })
  await waitFor('go')
  const cpu = process.cpuUsage()
  const start = now()
  const details = await send()
  const wallMs = now() - start
  const cpuUs = cpuSince(cpu)
  return {
    runs: [
      {
        ops: count,
        wallMs,
        msgsPerSec: count / (wallMs / 1000),
        cpuUsPerMsg: cpuUs / count,
        p50Ms: Number.NaN,
        p99Ms: Number.NaN,
      },
    ],
    details,
  }
}

async function library(job, fixtures, subscriptions) {
  const keys = await importVapidKeys({
    privateKey: fixtures.vapid.privateKey,
    publicKey: fixtures.vapid.publicKey,
  })
  const client = new PushClient({
    vapid: { keys, subject: fixtures.subject, cache: new VapidTokenCache() },
    connect: { ca: job.ca },
    connections: CONNECTIONS,
  })
  const sendAll = async (list) => {
    let delivered = 0
    let failed = 0
    let firstError
    for await (const item of client.sendMany(list, MESSAGE, {
      concurrency: CONCURRENCY,
      concurrencyPerOrigin: CONNECTIONS,
    })) {
      if (item.ok) delivered += 1
      else {
        failed += 1
        firstError ??= item.error.message
      }
    }
    return { delivered, failed, firstError }
  }
  const warm = subscriptions.slice(0, job.warmup)
  const main = subscriptions.slice(job.warmup)
  await sendAll(warm)
  try {
    return await measured(() => sendAll(main), main.length)
  } finally {
    await client.close()
  }
}

/** The server's configuration, as `./run start` would read it from the environment. */
async function serverConfig(job, fixtures) {
  const { loadConfig } = await import('@pushcraft/server/dist/config.js')
  return loadConfig({
    cwd: job.dir,
    env: {
      DATA_DIR: job.dir,
      DATABASE_URL: `sqlite:${join(job.dir, 'bench.sqlite')}`,
      LOG_LEVEL: 'silent',
      ADMIN_TOKEN,
      VAPID_PRIVATE: fixtures.vapid.privateKey,
      COMPANY_EMAIL: fixtures.subject,
      PUSH_ALLOWED_HOSTS: '127.0.0.1',
      ALLOW_INSECURE_ENDPOINTS: 'true',
      RATE_LIMIT_MAX: '1000000',
      SEND_CONCURRENCY: String(CONCURRENCY),
      PUSH_CONNECTIONS: String(CONNECTIONS),
      OUTCOMES_PER_BROADCAST: '1000',
    },
  })
}

/**
 * Setup, in a process of its own so the server's memory is only the server's: stores the
 * subscriptions (the warm-up ones tagged `warm`) in the SQLite file the server will open.
 */
async function seed(job, fixtures, subscriptions) {
  const { openStore } = await import('@pushcraft/server/dist/store/store.js')
  const config = await serverConfig(job, fixtures)
  const store = await openStore(config.database)
  const start = now()
  try {
    const upsert = async (list, tags) => {
      for (const s of list) {
        await store.upsertSubscription({
          endpoint: s.endpoint,
          p256dh: s.keys.p256dh,
          auth: s.keys.auth,
          encoding: 'aes128gcm',
          vapidKeyId: config.vapid.keys.id,
          ...(tags === undefined ? {} : { tags }),
        })
      }
    }
    const warm = subscriptions.slice(0, job.warmup)
    await upsert(warm, ['warm'])
    writeFileSync(join(job.dir, 'warm.json'), JSON.stringify(warm.map((s) => s.endpoint)))
    // Rows go in 500 per statement through the store's Kysely instance; should the schema have
    // moved on, the store's own upsert (slower) takes over.
    const main = subscriptions.slice(job.warmup)
    if (!(await insertRows(store, main, config.vapid.keys.id))) await upsert(main)
    return { seedMs: now() - start }
  } finally {
    await store.close()
  }
}

async function server(job, fixtures, warmCount, mainCount) {
  const { openStore } = await import('@pushcraft/server/dist/store/store.js')
  const { buildApp } = await import('@pushcraft/server/dist/app.js')
  const config = await serverConfig(job, fixtures)
  const store = await openStore(config.database)
  const app = await buildApp({ config, store, processMetrics: false, pushConnect: { ca: job.ca } })
  await app.ready()
  const headers = { authorization: `Bearer ${ADMIN_TOKEN}` }

  const broadcast = async (tags) => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/push/broadcasts',
      headers,
      payload: { ...BROADCAST, ...(tags === undefined ? {} : { tags }) },
    })
    if (response.statusCode !== 202) {
      throw new Error(`POST /api/push/broadcasts answered ${response.statusCode}: ${response.body}`)
    }
    const { id } = response.json()
    for (;;) {
      const record = await store.getBroadcast(id)
      if (record !== undefined && !['queued', 'running'].includes(record.status)) return record
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }

  try {
    const warmRecord = await broadcast(['warm'])
    if (warmRecord.delivered !== warmCount) {
      throw new Error(`warm-up broadcast delivered ${warmRecord.delivered} of ${warmCount}`)
    }
    // The warm-up's subscriptions leave, so the measured broadcast reaches exactly the others.
    const warm = JSON.parse(readFileSync(join(job.dir, 'warm.json'), 'utf8'))
    for (const endpoint of warm) await store.deleteSubscription(endpoint)
    return await measured(async () => {
      const record = await broadcast()
      return {
        delivered: record.delivered,
        failed: record.failed + record.removed + record.resubscribe,
        status: record.status,
      }
    }, mainCount)
  } finally {
    await app.close()
    await store.close()
  }
}

/** Inserts subscriptions in batches; `false` when the store's schema does not take these rows. */
async function insertRows(store, list, vapidKeyId) {
  const now = Date.now()
  try {
    await store.db.transaction().execute(async (trx) => {
      for (let at = 0; at < list.length; at += 500) {
        const rows = list.slice(at, at + 500).map((s) => ({
          endpoint: s.endpoint,
          p256dh: s.keys.p256dh,
          auth: s.keys.auth,
          encoding: 'aes128gcm',
          user_agent: null,
          expiration_time: null,
          created_at: now,
          updated_at: now,
          failure_count: 0,
          vapid_key_id: vapidKeyId,
          needs_resubscribe: 0,
        }))
        await trx.insertInto('subscriptions').values(rows).execute()
      }
    })
    return true
  } catch {
    return false
  }
}

export async function run(job) {
  const fixtures = loadFixtures(job.fixtures)
  // The server reads nothing but its database: the subscriptions are stored already.
  if (job.impl === 'server') return server(job, fixtures, job.warmup, job.count)
  const subscriptions = readSubscriptions(job.file)
  return job.impl === 'seed'
    ? seed(job, fixtures, subscriptions)
    : library(job, fixtures, subscriptions)
}
