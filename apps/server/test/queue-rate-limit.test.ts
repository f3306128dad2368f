/**
 * Queue mode, throttling (issue 8): the mock push service emulates FCM, Apple and Mozilla on their
 * real hostnames, and answers 429 with `Retry-After` for FCM's host only. The worker pauses the
 * `send-fcm` queue for the time asked (a handful of 429s, not one per message), Apple's and
 * Mozilla's messages keep flowing meanwhile, and the throttled FCM messages arrive after the
 * pause. A 503 with `Retry-After` pauses the same way. And a chunk whose job BullMQ failed for
 * good (out of attempts, or stalled too often) ends its broadcast as `failed` rather than leaving it
 * `running`. The workers run in this process (the SSRF guard resolves the emulated hostnames to the
 * mock through an injected resolver).
 */
import { randomBytes } from 'node:crypto'

import {
  createMockPushService,
  rateLimited,
  serverError,
  type MockPushService,
  type PushSubscriptionJSON,
} from '@pushcraft/testing'
import { identifyPushService } from '@pushcraft/webpush'
import { Queue, Worker } from 'bullmq'
import { pino } from 'pino'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'

import type { ServerConfig } from '../src/config.js'
import { chunkJobId, sendQueueName } from '../src/queue/queues.js'
import { startWorker, type QueueWorker } from '../src/queue/worker.js'
import { DEFAULT_PUSH_HOSTS } from '../src/ssrf.js'
import type { BroadcastRecord } from '../src/store/store.js'
import { createTestDatabase, type TestDatabase } from './helpers/databases.js'
import { jobCounts, redisUrl, seed, waitUntil } from './helpers/queue.js'
import { admin, createTestServer, type TestServer } from './helpers/server.js'

const PER_SERVICE = 300
const PAUSE_SECONDS = 4
const JOBS = 2
const SENDS_PER_JOB = 8

let mock: MockPushService
let database: TestDatabase
let server: TestServer
let worker: QueueWorker
let prefix: string
let config: ServerConfig

beforeAll(async () => {
  mock = await createMockPushService({ emulateHostnames: true, decrypt: false })
  database = await createTestDatabase('postgres')
  if (database.config.kind !== 'postgres') throw new Error('expected PostgreSQL')
  prefix = `test-${randomBytes(4).toString('hex')}`
  server = await createTestServer({
    dialect: 'postgres',
    mock,
    database,
    env: {
      DATABASE_URL: database.config.url,
      REDIS_URL: redisUrl(),
      QUEUE_PREFIX: prefix,
      QUEUE_CHUNK_SIZE: '100',
      WORKER_CONCURRENCY: String(JOBS),
      SEND_CONCURRENCY: String(SENDS_PER_JOB),
      PUSH_ALLOWED_HOSTS: DEFAULT_PUSH_HOSTS.join(','),
    },
  })
  // The emulated hostnames (fcm.googleapis.com:<port>, …) are this machine's mock.
  config = {
    ...server.config,
    database: database.config,
    endpointPolicy: {
      ...server.config.endpointPolicy,
      resolve: () => Promise.resolve([{ address: '127.0.0.1', family: 4 }]),
    },
  }
  worker = await startWorker({
    config,
    store: server.store,
    log: pino({ level: 'silent' }),
    pushConnect: { ca: mock.ca ?? '' },
  })
})

afterEach(() => {
  mock.reset()
})

afterAll(async () => {
  await worker?.close({ timeoutMs: 5000 })
  await server?.close()
  await database?.drop()
  await mock?.close()
})

async function runBroadcast(title: string): Promise<BroadcastRecord> {
  const answer = await server.app.inject({
    method: 'POST',
    url: '/api/push/broadcasts',
    headers: admin,
    payload: { title },
  })
  expect(answer.statusCode).toBe(202)
  const { id } = answer.json<{ id: string }>()
  return waitUntil(
    async () => {
      const record = await server.store.getBroadcast(id)
      return record?.status === 'completed' || record?.status === 'failed' ? record : undefined
    },
    60_000,
    'the broadcast to end',
  )
}

function receivedAt(service: string): number[] {
  return mock.messages
    .filter((m) => identifyPushService(m.endpoint) === service)
    .map((m) => m.receivedAt)
}

describe('queue mode: throttling pauses one push service only', () => {
  let subscriptions: PushSubscriptionJSON[]

  beforeAll(async () => {
    subscriptions = [
      ...(await mock.createSubscriptions(PER_SERVICE, { service: 'fcm' })),
      ...(await mock.createSubscriptions(PER_SERVICE, { service: 'apple' })),
      ...(await mock.createSubscriptions(PER_SERVICE, { service: 'mozilla' })),
    ]
    await seed(server.store, subscriptions, server.config.vapid.keys.id)
  })

  it('429 + Retry-After for FCM: its queue pauses, Apple and Mozilla keep flowing, FCM resumes after', async () => {
    let throttledSince: number | undefined
    const throttle = mock.behave(
      (request) => {
        if (identifyPushService(request.endpoint) !== 'fcm') return false
        throttledSince ??= Date.now()
        return Date.now() < throttledSince + PAUSE_SECONDS * 1000
      },
      rateLimited({ retryAfter: PAUSE_SECONDS }),
    )

    const record = await runBroadcast('throttled')
    expect(record).toMatchObject({
      status: 'completed',
      total: 3 * PER_SERVICE,
      delivered: 3 * PER_SERVICE,
      failed: 0,
      removed: 0,
    })
    expect(record.retried).toBeGreaterThan(0)
    if (throttledSince === undefined) throw new Error('FCM was never throttled')
    const pauseEnd = throttledSince + PAUSE_SECONDS * 1000

    // The queue paused: only sends in flight when the pause began met a 429 (each job has at most
    // SENDS_PER_JOB in flight, refilled at most once before it sees the pause), not one per message.
    expect(throttle.calls).toBeGreaterThan(0)
    expect(throttle.calls).toBeLessThanOrEqual(2 * JOBS * SENDS_PER_JOB)
    // Every FCM subscription got it, after the pause.
    const fcm = receivedAt('fcm')
    expect(new Set(mock.messages.map((m) => m.endpoint)).size).toBe(3 * PER_SERVICE)
    expect(fcm).toHaveLength(PER_SERVICE)
    expect(Math.min(...fcm)).toBeGreaterThanOrEqual(pauseEnd)
    // Apple and Mozilla were not held back: they were delivered while FCM was paused.
    const others = [...receivedAt('apple'), ...receivedAt('mozilla')]
    expect(others).toHaveLength(2 * PER_SERVICE)
    expect(others.filter((t) => t > throttledSince! && t < pauseEnd).length).toBeGreaterThan(0)
    expect(Math.max(...others)).toBeLessThan(Math.min(...fcm))

    const counts = await jobCounts(redisUrl(), prefix)
    for (const states of Object.values(counts)) {
      expect(states).toMatchObject({ waiting: 0, active: 0, delayed: 0, failed: 0 })
    }
    expect(worker.stats.throttled).toBeGreaterThan(0)
  }, 60_000)

  it('503 + Retry-After pauses the same way; nothing is counted as failed', async () => {
    let throttledSince: number | undefined
    const unavailable = mock.behave(
      (request) => {
        if (identifyPushService(request.endpoint) !== 'mozilla') return false
        throttledSince ??= Date.now()
        return Date.now() < throttledSince + 1000
      },
      serverError(503, { retryAfter: 1 }),
    )

    const record = await runBroadcast('unavailable')
    expect(record).toMatchObject({
      status: 'completed',
      delivered: 3 * PER_SERVICE,
      failed: 0,
    })
    expect(unavailable.calls).toBeGreaterThan(0)
    expect(unavailable.calls).toBeLessThanOrEqual(2 * JOBS * SENDS_PER_JOB)
    const mozilla = receivedAt('mozilla')
    expect(mozilla).toHaveLength(PER_SERVICE)
    expect(Math.min(...mozilla)).toBeGreaterThanOrEqual((throttledSince ?? 0) + 1000)
  }, 60_000)
})

describe('queue mode: a chunk that fails for good', () => {
  it('ends its broadcast as failed instead of leaving it running (BullMQ fails over-stalled jobs silently)', async () => {
    // One tagged subscription: a broadcast of one chunk.
    const [target] = await mock.createSubscriptions(1, { service: 'fcm' })
    if (target === undefined) throw new Error('no subscription')
    await seed(server.store, [target], server.config.vapid.keys.id)
    await server.store.setTags(target.endpoint, ['poison'])
    const broadcast = await server.store.createBroadcast({
      id: '0b6f2f9e-8f71-4a53-9b8f-5d2a6c1e0f01',
      message: { title: 'poison' },
      options: {},
      tags: ['poison'],
      total: 1,
    })
    await server.store.planBroadcast(broadcast.id, { chunkSize: 100 })
    const [chunk] = await server.store.listPendingChunks(broadcast.id)
    if (chunk === undefined) throw new Error('no chunk')

    // Its job fails for good before any worker of this deployment (another prefix) runs it.
    const otherPrefix = `${prefix}-failed`
    const connection = { url: redisUrl() }
    const queue = new Queue(sendQueueName('fcm'), { connection, prefix: otherPrefix })
    await queue.add('chunk', { ...chunk }, { jobId: chunkJobId(chunk), attempts: 1 })
    const manual = new Worker(sendQueueName('fcm'), null, { connection, prefix: otherPrefix })
    const job = await manual.getNextJob('manual-token')
    if (job === undefined) throw new Error('no job')
    await job.moveToFailed(new Error('job stalled more than allowable limit'), 'manual-token')
    await manual.close()
    await queue.close()

    const reconciling = await startWorker({
      config: { ...config, queue: { ...config.queue!, prefix: otherPrefix } },
      store: server.store,
      log: pino({ level: 'silent' }),
      pushConnect: { ca: mock.ca ?? '' },
    })
    try {
      const ended = await waitUntil(
        async () => {
          const record = await server.store.getBroadcast(broadcast.id)
          return record?.status === 'running' ? undefined : record
        },
        20_000,
        'the broadcast to end',
      )
      expect(ended).toMatchObject({
        status: 'failed',
        error: '1 chunk(s) failed; see the worker log',
      })
      expect(mock.messages.filter((m) => m.endpoint === target.endpoint)).toHaveLength(0)
    } finally {
      await reconciling.close({ timeoutMs: 5000 })
    }
  }, 30_000)
})
