#!/usr/bin/env node
// Queue-mode broadcast throughput with 1, 2, … worker processes (issue 8's benchmark hook).
//
//   node apps/server/scripts/bench-queue.mjs [--workers 1,2] [--messages 20000] [--rounds 1]
//        [--chunk 250] [--jobs 4] [--sends 64] [--connections 16] [--http]
//
// Build first (pnpm --filter @pushcraft/server... run build). Uses REDIS_URL and a postgres://
// DATABASE_URL when set, otherwise starts throwaway redis-server and PostgreSQL (Debian packages).
// The mock push service (@pushcraft/testing, no decryption, counters only) runs in a process of
// its own, so its CPU is measured apart from the workers'. Each run: N fresh `node dist/worker.js`
// processes, one broadcast to every stored subscription, timed from the broadcast's creation to
// its `finished_at` (PostgreSQL timestamps). Prints one JSON line per run:
//   {"workers":2,"messages":20000,"seconds":9.8,"messagesPerSecond":2041,
//    "workerCpuSeconds":14.1,"mockCpuSeconds":5.2,"received":20000}
// and, with several worker counts, a summary line {"summary":true,"speedup":{"2":1.71}, …}
// (medians over rounds). `benchQueue(options)` returns the same records.
// BENCH_WORKER_NODE_OPTIONS is passed to the workers as NODE_OPTIONS (e.g. --cpu-prof).
import { fork, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const here = fileURLToPath(new URL('.', import.meta.url))
const dist = join(here, '..', 'dist')

// ---------------------------------------------------------------------------------------------
// The mock push service child: issues subscriptions, counts messages, reports its CPU time.

async function mockChild() {
  const { createMockPushService } = await import('@pushcraft/testing')
  const tls = process.env.BENCH_MOCK_TLS !== '0'
  const service = await createMockPushService({ tls, decrypt: false, storeMessages: false })
  process.on('message', async (message) => {
    if (message.type === 'create') {
      const subscriptions = await service.createSubscriptions(message.count)
      process.send({ type: 'created', subscriptions, ca: service.ca ?? null })
    } else if (message.type === 'stats') {
      const cpu = process.cpuUsage()
      process.send({
        type: 'stats',
        received: service.stats.received,
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
      })
    } else if (message.type === 'close') {
      await service.close()
      process.exit(0)
    }
  })
  process.send({ type: 'ready' })
}

function request(child, message, reply) {
  return new Promise((resolve) => {
    const onMessage = (answer) => {
      if (answer.type !== reply) return
      child.off('message', onMessage)
      resolve(answer)
    }
    child.on('message', onMessage)
    child.send(message)
  })
}

// ---------------------------------------------------------------------------------------------

/** CPU seconds (user + system) of a process, from /proc (Linux). */
function cpuSecondsOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    // utime and stime are fields 14 and 15 of stat(5); the slice starts at field 3.
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return 0
  }
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

function startWorkerProcess(env) {
  const child = spawn(process.execPath, [join(dist, 'worker.js')], {
    env: {
      PATH: process.env.PATH ?? '',
      LOG_LEVEL: 'warn',
      // e.g. BENCH_WORKER_NODE_OPTIONS=--cpu-prof for a V8 profile per worker (in the cwd)
      ...(process.env.BENCH_WORKER_NODE_OPTIONS === undefined
        ? {}
        : { NODE_OPTIONS: process.env.BENCH_WORKER_NODE_OPTIONS }),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout.on('data', (chunk) => (out += chunk.toString()))
  child.stderr.on('data', (chunk) => (out += chunk.toString()))
  const exited = new Promise((resolve) => child.once('exit', resolve))
  const ready = (async () => {
    const deadline = Date.now() + 30_000
    while (!out.includes('broadcast worker is running')) {
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`worker did not start: ${out}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  })()
  return { child, ready, exited, output: () => out }
}

/**
 * Measures queue-mode broadcasts with each worker count.
 *
 * @param {{ workers?: number[], messages?: number, rounds?: number, chunk?: number, jobs?: number,
 *   sends?: number, connections?: number, tls?: boolean, log?: (record: object) => void }} [options]
 * @returns {Promise<object[]>} one record per run, then the summary
 */
export async function benchQueue(options = {}) {
  const workerCounts = options.workers ?? [1, 2]
  const messages = options.messages ?? 20_000
  const rounds = options.rounds ?? 1
  const log = options.log ?? ((record) => process.stdout.write(`${JSON.stringify(record)}\n`))
  const { startPostgres, startRedis } = await import('./services.mjs')
  const { loadConfig } = await import(join(dist, 'config.js'))
  const { openStore } = await import(join(dist, 'store', 'store.js'))
  const { QueueBroadcasts } = await import(join(dist, 'queue', 'producer.js'))
  const { pino } = await import('pino')

  const cleanup = []
  const dir = mkdtempSync(join(tmpdir(), 'pushcraft-bench-queue-'))
  cleanup.push(async () => rmSync(dir, { recursive: true, force: true }))
  const records = []
  try {
    const redis =
      process.env.REDIS_URL ?? (await startRedis().then((r) => (cleanup.push(r.stop), r.url)))
    const givenDb = process.env.DATABASE_URL?.startsWith('postgres')
      ? process.env.DATABASE_URL
      : undefined
    const databaseUrl =
      givenDb ??
      (await startPostgres({ maxConnections: 200 }).then((p) => (cleanup.push(p.stop), p.url)))

    const mock = fork(fileURLToPath(import.meta.url), ['--mock-child'], {
      env: { ...process.env, BENCH_MOCK_TLS: options.tls === false ? '0' : '1' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    cleanup.push(async () => {
      mock.send({ type: 'close' })
      await new Promise((resolve) => mock.once('exit', resolve))
    })
    await new Promise((resolve) => mock.once('message', resolve))
    const { subscriptions, ca } = await request(
      mock,
      { type: 'create', count: messages },
      'created',
    )
    const caFile = join(dir, 'mock-ca.pem')
    if (ca !== null) writeFileSync(caFile, ca)

    const prefix = `bench-${randomBytes(4).toString('hex')}`
    const env = {
      DATA_DIR: join(dir, 'data'),
      DATABASE_URL: databaseUrl,
      REDIS_URL: redis,
      QUEUE_PREFIX: prefix,
      QUEUE_CHUNK_SIZE: String(options.chunk ?? 250),
      WORKER_CONCURRENCY: String(options.jobs ?? 4),
      SEND_CONCURRENCY: String(options.sends ?? 64),
      PUSH_CONNECTIONS: String(options.connections ?? 16),
      PUSH_ALLOWED_HOSTS: '127.0.0.1',
      ALLOW_INSECURE_ENDPOINTS: 'true',
      ADMIN_TOKEN: randomBytes(24).toString('hex'),
      LOG_LEVEL: 'warn',
      ...(ca === null ? {} : { NODE_EXTRA_CA_CERTS: caFile }),
    }
    const config = await loadConfig({ env, cwd: dir })
    const store = await openStore(config.database)
    cleanup.push(() => store.close())
    await store.addSubscriptions(
      subscriptions.map((s) => ({
        endpoint: s.endpoint,
        p256dh: s.keys.p256dh,
        auth: s.keys.auth,
        encoding: 'aes128gcm',
        vapidKeyId: config.vapid.keys.id,
      })),
    )
    const producer = await QueueBroadcasts.open({
      queue: config.queue,
      store,
      log: pino({ level: 'silent' }),
    })
    cleanup.push(() => producer.drain())

    for (let round = 0; round < rounds; round++) {
      for (const count of workerCounts) {
        const workers = Array.from({ length: count }, () => startWorkerProcess(env))
        await Promise.all(workers.map((w) => w.ready))
        const cpuBefore = workers.map((w) => cpuSecondsOf(w.child.pid))
        const mockBefore = await request(mock, { type: 'stats' }, 'stats')
        const broadcast = await producer.start({ message: { title: 'bench' }, tags: null })
        let record
        for (;;) {
          record = await store.getBroadcast(broadcast.id)
          if (record.status !== 'queued' && record.status !== 'running') break
          await new Promise((resolve) => setTimeout(resolve, 25))
        }
        const cpuAfter = workers.map((w) => cpuSecondsOf(w.child.pid))
        const mockAfter = await request(mock, { type: 'stats' }, 'stats')
        for (const w of workers) w.child.kill('SIGTERM')
        await Promise.all(workers.map((w) => w.exited))
        const seconds = (record.finishedAt - record.createdAt) / 1000
        const result = {
          workers: count,
          messages: record.delivered,
          seconds: Number(seconds.toFixed(3)),
          messagesPerSecond: Math.round(record.delivered / seconds),
          workerCpuSeconds: Number(
            cpuAfter.reduce((sum, v, i) => sum + v - cpuBefore[i], 0).toFixed(2),
          ),
          mockCpuSeconds: Number((mockAfter.cpuSeconds - mockBefore.cpuSeconds).toFixed(2)),
          received: mockAfter.received - mockBefore.received,
          status: record.status,
          round: round + 1,
        }
        if (record.status !== 'completed' || record.delivered !== messages) {
          throw new Error(`broadcast did not deliver everything: ${JSON.stringify(result)}`)
        }
        records.push(result)
        log(result)
      }
    }
    if (workerCounts.length > 1) {
      const rates = Object.fromEntries(
        workerCounts.map((n) => [
          n,
          median(records.filter((r) => r.workers === n).map((r) => r.messagesPerSecond)),
        ]),
      )
      const first = rates[workerCounts[0]]
      const summary = {
        summary: true,
        messages,
        messagesPerSecond: rates,
        speedup: Object.fromEntries(
          workerCounts.slice(1).map((n) => [n, Number((rates[n] / first).toFixed(2))]),
        ),
      }
      records.push(summary)
      log(summary)
    }
    return records
  } finally {
    for (const step of cleanup.reverse()) await step().catch(() => undefined)
  }
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]
if (isMain && process.argv.includes('--mock-child')) {
  await mockChild()
} else if (isMain) {
  const { values } = parseArgs({
    options: {
      workers: { type: 'string', default: '1,2' },
      messages: { type: 'string', default: '20000' },
      rounds: { type: 'string', default: '1' },
      chunk: { type: 'string', default: '250' },
      jobs: { type: 'string', default: '4' },
      sends: { type: 'string', default: '64' },
      connections: { type: 'string', default: '16' },
      http: { type: 'boolean', default: false },
    },
  })
  await benchQueue({
    workers: values.workers.split(',').map(Number),
    messages: Number(values.messages),
    rounds: Number(values.rounds),
    chunk: Number(values.chunk),
    jobs: Number(values.jobs),
    sends: Number(values.sends),
    connections: Number(values.connections),
    tls: !values.http,
  })
}
