/**
 * Queue mode end to end (issue 8): the API process enqueues a broadcast to 20,000 subscriptions,
 * two worker *processes* (`node dist/worker.js`, as `./run worker` runs them) send it to the mock
 * push service, and one of them is killed with SIGKILL half-way. BullMQ's stalled-job check hands
 * its chunks to the other worker, which skips what was recorded: every subscription receives the
 * broadcast, duplicates stay within the chunks that were in flight, the counters in PostgreSQL
 * match what the push service saw, the Server-Sent-Events stream of the API process follows the
 * workers' progress, and no job is left in Redis. Then SIGTERM: a worker finishes its active
 * chunks, takes no new one and exits 0; another worker sends the rest, nothing twice.
 */
import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

import {
  createMockPushService,
  decryptPushMessage,
  delay,
  type MockPushService,
  type PushSubscriptionJSON,
} from '@pushcraft/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { broadcastTopic } from '../src/queue/queues.js'
import type { BroadcastRecord } from '../src/store/store.js'
import { createTestDatabase, type TestDatabase } from './helpers/databases.js'
import {
  assertWorkerBuilt,
  jobCounts,
  redisUrl,
  seed,
  spawnWorker,
  waitUntil,
  type WorkerRun,
} from './helpers/queue.js'
import { ADMIN_TOKEN, admin, createTestServer, type TestServer } from './helpers/server.js'

const COUNT = 20_000
const CHUNK = 250
const JOBS_PER_WORKER = 2

let mock: MockPushService
let database: TestDatabase
let server: TestServer
let env: Record<string, string>
let prefix: string
const workers: WorkerRun[] = []

beforeAll(async () => {
  assertWorkerBuilt()
  const redis = redisUrl()
  // Counting and storing only: a sample is decrypted below.
  mock = await createMockPushService({ decrypt: false })
  database = await createTestDatabase('postgres')
  if (database.config.kind !== 'postgres') throw new Error('expected PostgreSQL')
  prefix = `test-${randomBytes(4).toString('hex')}`
  const queueEnv = {
    DATABASE_URL: database.config.url,
    REDIS_URL: redis,
    QUEUE_PREFIX: prefix,
    QUEUE_CHUNK_SIZE: String(CHUNK),
    WORKER_CONCURRENCY: String(JOBS_PER_WORKER),
    // A dead worker's chunks go to another one within seconds (BullMQ defaults: 30 s).
    WORKER_LOCK_MS: '5000',
    WORKER_STALLED_INTERVAL_MS: '1000',
    SEND_CONCURRENCY: '32',
  }
  server = await createTestServer({ dialect: 'postgres', mock, database, env: queueEnv })
  const caFile = join(server.dataDir, 'mock-ca.pem')
  writeFileSync(caFile, mock.ca ?? '')
  env = {
    ...queueEnv,
    DATA_DIR: server.dataDir, // the same VAPID key as the API process
    ADMIN_TOKEN,
    PUSH_ALLOWED_HOSTS: '127.0.0.1',
    ALLOW_INSECURE_ENDPOINTS: 'true',
    // The workers trust the mock push service's certificate like any other CA.
    NODE_EXTRA_CA_CERTS: caFile,
    SHUTDOWN_TIMEOUT_MS: '20000',
  }
})

afterAll(async () => {
  for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill('SIGKILL')
  await server?.close()
  await database?.drop()
  await mock?.close()
})

function start(): WorkerRun {
  const worker = spawnWorker(env)
  workers.push(worker)
  return worker
}

async function broadcast(title: string): Promise<string> {
  const answer = await server.app.inject({
    method: 'POST',
    url: '/api/push/broadcasts',
    headers: admin,
    payload: { title, body: 'scale-out' },
  })
  expect(answer.statusCode).toBe(202)
  return answer.json<{ id: string }>().id
}

function completed(id: string, timeoutMs: number): Promise<BroadcastRecord> {
  return waitUntil(
    async () => {
      const record = await server.store.getBroadcast(id)
      return record !== undefined && record.status !== 'queued' && record.status !== 'running'
        ? record
        : undefined
    },
    timeoutMs,
    `broadcast ${id} to end`,
  )
}

function countByEndpoint(): Map<string, number> {
  const counts = new Map<string, number>()
  for (const message of mock.messages) {
    counts.set(message.endpoint, (counts.get(message.endpoint) ?? 0) + 1)
  }
  return counts
}

async function expectQueuesEmpty(): Promise<void> {
  const counts = await jobCounts(redisUrl(), prefix)
  for (const [queue, states] of Object.entries(counts)) {
    expect({ queue, ...states }).toEqual({
      queue,
      waiting: 0,
      active: 0,
      delayed: 0,
      prioritized: 0,
      'waiting-children': 0,
      failed: 0,
    })
  }
}

describe('queue mode: 20,000 subscriptions, 2 worker processes, one killed mid-way', () => {
  let subscriptions: PushSubscriptionJSON[]

  it('delivers to every subscription at least once, duplicates bounded, counts agree', async () => {
    subscriptions = await mock.createSubscriptions(COUNT)
    await seed(server.store, subscriptions, server.config.vapid.keys.id)
    const [victim, survivor] = [start(), start()]
    await Promise.all([victim?.ready(), survivor?.ready()])
    if (victim === undefined || survivor === undefined) throw new Error('no workers')

    const id = await broadcast('20k')
    // The API process's live progress: the workers announce over Redis pub/sub.
    const stream = server.app.inject({
      method: 'GET',
      url: `/api/push/broadcasts/${id}/events`,
      headers: admin,
    })

    await waitUntil(
      () => (mock.stats.received >= COUNT * 0.3 ? true : undefined),
      60_000,
      '30% of the messages',
    )
    victim.child.kill('SIGKILL')
    expect(await victim.exited).toBeNull()

    const record = await completed(id, 90_000)
    expect(record).toMatchObject({
      status: 'completed',
      total: COUNT,
      delivered: COUNT,
      failed: 0,
      removed: 0,
      resubscribe: 0,
    })

    // Every subscription received it; the killed worker's unrecorded sends were repeated, no more
    // than the chunks it had in flight.
    const received = countByEndpoint()
    expect(received.size).toBe(COUNT)
    for (const s of subscriptions) expect(received.has(s.endpoint)).toBe(true)
    const duplicates = mock.messages.length - COUNT
    expect(duplicates).toBeGreaterThanOrEqual(0)
    expect(duplicates).toBeLessThanOrEqual(JOBS_PER_WORKER * CHUNK)
    expect(mock.stats).toEqual({ received: mock.messages.length, rejected: 0 })
    // …each with the broadcast's Topic, so services that support it replace a duplicate.
    const topic = await broadcastTopic(id)
    expect(mock.messages.every((m) => m.topic === topic)).toBe(true)
    // The other worker recovered the dead one's jobs.
    expect(survivor.stdout).toContain('recovered a job of a dead worker')

    // PostgreSQL agrees with the push service.
    const rows = await server.store.db
      .selectFrom('subscriptions')
      .select((eb) => [
        eb.fn.countAll<string>().as('n'),
        eb.fn.count<string>('last_success_at').as('succeeded'),
        eb.fn.sum<string>('failure_count').as('failures'),
      ])
      .executeTakeFirstOrThrow()
    expect(Number(rows.n)).toBe(COUNT)
    expect(Number(rows.succeeded)).toBe(received.size)
    expect(Number(rows.failures)).toBe(0)
    const records = await server.store.db
      .selectFrom('broadcast_deliveries')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('broadcast_id', '=', id)
      .executeTakeFirstOrThrow()
    expect(Number(records.n)).toBe(0) // dropped when the broadcast ended

    await expectQueuesEmpty()

    // A sample decrypts to the notification (RFC 8291).
    const step = Math.floor(mock.messages.length / 25)
    for (let i = 0; i < mock.messages.length; i += step) {
      const message = mock.messages[i]
      if (message === undefined) continue
      const keys = mock.subscriptionKeys(message.endpoint)
      if (keys === undefined || message.encoding === null) throw new Error('unknown subscription')
      const plaintext = await decryptPushMessage(
        message.body,
        {
          contentEncoding: message.encoding,
          encryption: message.headers.encryption,
          cryptoKey: message.headers['crypto-key'],
        },
        keys,
      )
      expect(JSON.parse(new TextDecoder().decode(plaintext))).toEqual({
        title: '20k',
        body: 'scale-out',
        data: { url: '/app/' },
      })
    }

    // The SSE stream saw progress from the workers, then `done`.
    const events = (await stream).body
      .split('\n\n')
      .filter((block) => block.startsWith('event: '))
      .map((block) => {
        const [head, data] = block.split('\n')
        return {
          event: head?.slice('event: '.length),
          data: JSON.parse(data?.slice('data: '.length) ?? 'null') as { delivered: number },
        }
      })
    const progress = events.filter((e) => e.event === 'progress').map((e) => e.data.delivered)
    expect(progress.some((delivered) => delivered > 0 && delivered < COUNT)).toBe(true)
    expect(events.at(-1)).toMatchObject({
      event: 'done',
      data: { status: 'completed', delivered: COUNT },
    })

    // SIGTERM drains the idle survivor cleanly.
    survivor.child.kill('SIGTERM')
    expect(await survivor.exited).toBe(0)
  }, 150_000)

  it('SIGTERM: finishes the active chunks, takes no new one, exits 0; nothing is sent twice', async () => {
    await server.store.db.deleteFrom('subscriptions').execute()
    mock.reset()
    const fresh = await mock.createSubscriptions(2000)
    await seed(server.store, fresh, server.config.vapid.keys.id)
    // Slow answers: the broadcast takes a few seconds.
    mock.behave(() => true, delay(20))
    const first = start()
    await first.ready()

    const id = await broadcast('drain')
    await waitUntil(
      () => (mock.messages.length >= 200 ? true : undefined),
      30_000,
      'the first messages',
    )
    first.child.kill('SIGTERM')
    expect(await first.exited).toBe(0)

    // What it had started is finished and recorded; the rest waits in the queue.
    const midway = await server.store.getBroadcast(id)
    expect(midway?.status).toBe('running')
    expect(midway?.delivered).toBe(mock.messages.length)
    expect(mock.messages.length).toBeLessThan(2000)
    const counts = await jobCounts(redisUrl(), prefix)
    expect(counts['send-other']?.active).toBe(0)
    expect(counts['send-other']?.waiting).toBeGreaterThan(0)

    const second = start()
    await second.ready()
    const record = await completed(id, 60_000)
    expect(record).toMatchObject({ status: 'completed', delivered: 2000, total: 2000, failed: 0 })
    const received = countByEndpoint()
    expect(received.size).toBe(2000)
    expect(mock.messages.length).toBe(2000) // a graceful stop repeats nothing
    await expectQueuesEmpty()
    second.child.kill('SIGTERM')
    expect(await second.exited).toBe(0)
  }, 90_000)
})
