// Scenarios 3 and 4, the sending side: `messages` pushes of `payloadSize` bytes to the loopback
// sink with `inFlight` sends at a time, after a warm-up on connections of its own (closed before
// the measured run, so the run starts cold and the sink counts the connections it opens).
//
// - pushcraft: `PushClient#sendMany` over a subscription source (an async generator for the
//   bulk scenario), VAPID credentials with a `VapidTokenCache`, the client's default pool
//   (16 connections per origin, HTTP/2 through ALPN), `concurrency` = `concurrencyPerOrigin` =
//   `inFlight`.
// - web-push: `sendNotification` in `inFlight` concurrent loops, as documented: no agent option,
//   so Node's global https agent (keep-alive on since Node 19, unlimited sockets).
//
// IPC: → `warm-done`, ← `go` (the orchestrator has reset the sink), → result.

import https from 'node:https'
import { createRequire } from 'node:module'

import { VapidTokenCache, importVapidKeys } from '@pushcraft/vapid'
import { PushClient, buildPushRequest, sendPushRequest } from '@pushcraft/webpush'

import { loadFixtures, payloadFor, subscriptionFor } from '../fixtures.mjs'
import { cpuSince, now, summarize } from '../measure.mjs'

const require = createRequire(import.meta.url)

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

async function pushcraftSender(job, fixtures) {
  const keys = await importVapidKeys({
    privateKey: fixtures.vapid.privateKey,
    publicKey: fixtures.vapid.publicKey,
  })
  // One cache for the process, as an application keeps it: the warm-up signs the token.
  const vapid = { keys, subject: fixtures.subject, cache: new VapidTokenCache() }
  return async ({ prefix, count, latencies, onSample }) => {
    // PUSHCRAFT_BENCH_THREADS: PushClient's `encryptionThreads` (default 0, the library default).
    const encryptionThreads = Number(process.env.PUSHCRAFT_BENCH_THREADS ?? 0)
    const client = new PushClient({ vapid, connect: { ca: fixtures.tls.cert }, encryptionThreads })
    const starts = new Float64Array(count)
    const source = subscriptions(job, fixtures, prefix, count)
    const payload = (subscription) => {
      starts[subscription.i] = now()
      return payloadFor(subscription.i, job.payloadSize)
    }
    let done = 0
    try {
      for await (const item of client.sendMany(source, payload, {
        concurrency: job.inFlight,
        concurrencyPerOrigin: job.inFlight,
      })) {
        if (!item.ok) throw item.error
        latencies?.push(now() - starts[item.subscription.i])
        done += 1
        if (onSample !== undefined && done % 1000 === 0) onSample(done)
      }
    } finally {
      await client.close()
    }
  }
}

/**
 * Diagnostic: pushcraft's transport alone. Requests are built before the clock starts; the run
 * only posts them (`sendPushRequest` through a `PushClient`'s pool, `inFlight` loops), so its CPU
 * per message is undici + TLS + HTTP framing, without the encryption.
 */
async function transportSender(job, fixtures) {
  const keys = await importVapidKeys({
    privateKey: fixtures.vapid.privateKey,
    publicKey: fixtures.vapid.publicKey,
  })
  const options = { vapid: { keys, subject: fixtures.subject, cache: new VapidTokenCache() } }
  const origin = `https://127.0.0.1:${job.port}`
  const prebuilt = {}
  for (const [prefix, count] of [
    ['w', job.warmup],
    ['m', job.messages],
  ]) {
    prebuilt[prefix] = []
    for (let i = 0; i < count; i++) {
      const subscription = subscriptionFor(fixtures, origin, prefix, i)
      prebuilt[prefix].push(
        await buildPushRequest(subscription, payloadFor(i, job.payloadSize), options),
      )
    }
  }
  return async ({ prefix, count, latencies }) => {
    const client = new PushClient({ connect: { ca: fixtures.tls.cert } })
    let next = 0
    const lane = async () => {
      for (let i = next++; i < count; i = next++) {
        const t0 = now()
        await sendPushRequest(prebuilt[prefix][i], { dispatcher: client.dispatcher })
        latencies?.push(now() - t0)
      }
    }
    try {
      await Promise.all(Array.from({ length: job.inFlight }, lane))
    } finally {
      await client.close()
    }
  }
}

function subscriptions(job, fixtures, prefix, count) {
  const origin = `https://127.0.0.1:${job.port}`
  const make = (i) => ({ ...subscriptionFor(fixtures, origin, prefix, i), i })
  if (job.source === 'async') {
    // Scenario 4: a lazy async source, like a database cursor; nothing is held in memory.
    return (async function* () {
      for (let i = 0; i < count; i++) {
        if (i % 100 === 0) await Promise.resolve()
        yield make(i)
      }
    })()
  }
  return (function* () {
    for (let i = 0; i < count; i++) yield make(i)
  })()
}

function webPushSender(job, fixtures) {
  const webpush = require('web-push')
  const options = {
    vapidDetails: {
      subject: fixtures.subject,
      publicKey: fixtures.vapid.publicKey,
      privateKey: fixtures.vapid.privateKey,
    },
    contentEncoding: 'aes128gcm',
  }
  const origin = `https://127.0.0.1:${job.port}`
  return async ({ prefix, count, latencies }) => {
    let next = 0
    const lane = async () => {
      for (let i = next++; i < count; i = next++) {
        const t0 = now()
        await webpush.sendNotification(
          subscriptionFor(fixtures, origin, prefix, i),
          payloadFor(i, job.payloadSize),
          options,
        )
        latencies?.push(now() - t0)
      }
    }
    await Promise.all(Array.from({ length: job.inFlight }, lane))
    // Close the warm-up's idle keep-alive sockets so the measured run starts cold.
    https.globalAgent.destroy()
  }
}

export async function run(job) {
  const fixtures = loadFixtures(job.fixtures)
  const send =
    job.impl === 'pushcraft'
      ? await pushcraftSender(job, fixtures)
      : job.impl === 'pushcraft-transport'
        ? await transportSender(job, fixtures)
        : webPushSender(job, fixtures)

  await send({ prefix: 'w', count: job.warmup })
  globalThis.gc?.()
  process.send({ type: 'warm-done' })
  await waitFor('go')

  const rss = []
  const rssStart = process.memoryUsage.rss()
  const t0 = now()
  const sample = () => {
    const m = process.memoryUsage()
    rss.push([Math.round(now() - t0), m.rss, m.heapUsed, m.external + m.arrayBuffers, m.heapTotal])
  }
  const sampler = setInterval(sample, job.rssSampleMs ?? 250)
  const latencies = []
  const cpu = process.cpuUsage()
  const start = now()
  await send({ prefix: 'm', count: job.messages, latencies })
  const wallMs = now() - start
  const cpuUs = cpuSince(cpu)
  clearInterval(sampler)
  sample()
  globalThis.gc?.()
  const afterGc = process.memoryUsage()
  const summary = summarize({ ops: job.messages, wallMs, cpuUs, latencies })
  return {
    runs: [summary],
    memory: {
      rssStart,
      rssPeak: Math.max(rssStart, ...rss.map(([, v]) => v)),
      rssEnd: rss[rss.length - 1][1],
      rssAfterGc: afterGc.rss,
      heapAfterGc: afterGc.heapUsed,
      samples: rss,
    },
  }
}
