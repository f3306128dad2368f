#!/usr/bin/env node
// pushcraft's benchmarks (issue 9): `./run bench` (full) or `./run bench --quick`.
//
// Every measurement runs in fresh child processes (lib/child.mjs), with a warm-up and several
// repetitions; runs of the variants being compared are interleaved, so a noisy neighbour hits all
// of them alike. Results are ratios within this one invocation, never absolute targets.
// Writes bench/results/<timestamp>.md and .json and prints the Markdown.
//
// Usage: node bench/run.mjs [--quick] [--only build,e2e,bulk,broadcast,queue] [--profile] [--out dir]

import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

import { createFixtures } from './lib/fixtures.mjs'
import { median } from './lib/measure.mjs'
import { evaluateTargets, renderMarkdown } from './lib/report.mjs'
import { childExecArgv, runJob, startChild } from './lib/spawn.mjs'

const HERE = fileURLToPath(new URL('.', import.meta.url))
const ROOT = join(HERE, '..')

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    profile: { type: 'boolean', default: false },
    out: { type: 'string', default: join(HERE, 'results') },
    help: { type: 'boolean', short: 'h', default: false },
  },
})

if (args.help) {
  console.log(`usage: ./run bench [--quick] [--only build,e2e,bulk,broadcast,queue] [--profile] [--out dir]

  --quick     the short run (under 2 minutes): fewer messages, repetitions and processes
  --only      run some scenarios: build (1-2, floor included), e2e (3), bulk (4), broadcast (5),
              queue (5b: apps/server queue mode, 1 vs 2 workers; needs redis-server and PostgreSQL)
  --profile   write a V8 CPU profile per child process to <out>/profiles-<timestamp>/
  --out       where the report goes (default bench/results, git-ignored)`)
  process.exit(0)
}

const SCENARIOS = ['build', 'e2e', 'bulk', 'broadcast', 'queue']
const only = args.only === undefined ? SCENARIOS : args.only.split(',').map((s) => s.trim())
for (const name of only) {
  if (!SCENARIOS.includes(name)) {
    console.error(`unknown scenario '${name}' (known: ${SCENARIOS.join(', ')})`)
    process.exit(2)
  }
}

// Sizes of the two modes. `processes`: fresh processes per variant; `reps`: timed windows in each.
const CONFIG = args.quick
  ? {
      mode: 'quick',
      build: { processes: 1, reps: 3, warmupMs: 100, durationMs: 200, lanes: 64 },
      e2e: { processes: 1, messages: 1_000, warmup: 100 },
      bulk: { messages: 20_000, warmup: 500, protocols: ['h2'], reference: false },
      broadcast: { processes: 1, subscriptions: 10_000, warmup: 300 },
      queue: { messages: 4_000, rounds: 1 },
    }
  : {
      mode: 'full',
      build: { processes: 3, reps: 3, warmupMs: 300, durationMs: 700, lanes: 64 },
      e2e: { processes: 3, messages: 5_000, warmup: 500 },
      bulk: { messages: 100_000, warmup: 2_000, protocols: ['h1', 'h2'], reference: true },
      broadcast: { processes: 2, subscriptions: 100_000, warmup: 1_000 },
      queue: { messages: 20_000, rounds: 2 },
    }
const PAYLOADS = [0, 100, 3000]
const ENCODINGS = ['aes128gcm', 'aesgcm']
const IN_FLIGHT = [1, 64, 256]
const E2E_PAYLOAD = 100
const SAMPLES = 100

const stamp = new Date().toISOString().replace(/[:.]/g, '-')
const profileDir = args.profile ? join(args.out, `profiles-${stamp}`) : undefined
const tmp = mkdtempSync(join(os.tmpdir(), 'pushcraft-bench-'))
const fixturesFile = join(tmp, 'fixtures.json')
const caFile = join(tmp, 'ca.pem')
const failures = []
const started = Date.now()

const log = (text) =>
  process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0)}s] ${text}\n`)

function gitCommit() {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT })
      .toString()
      .trim()
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: ROOT,
    })
      .toString()
      .trim()
    return dirty.length > 0 ? `${sha} + uncommitted changes` : sha
  } catch {
    return 'unknown'
  }
}

function machineInfo() {
  const cpus = os.cpus()
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    node: process.version,
    openssl: process.versions.openssl,
    v8: process.versions.v8,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    threadPool: process.env.UV_THREADPOOL_SIZE ?? '4 (default)',
    loadStart: os.loadavg().map((v) => Number(v.toFixed(2))),
    commit: gitCommit(),
  }
}

/** Spawn options for a measuring child. */
function childOptions(name, env = {}) {
  return {
    execArgv: childExecArgv({ profileDir, profileName: `${name}-${process.hrtime.bigint()}` }),
    env: { NODE_EXTRA_CA_CERTS: caFile, ...env },
  }
}

const slug = (job) =>
  [
    job.scenario,
    job.impl ?? job.impls?.join('+'),
    job.protocol,
    job.encoding,
    job.payloadSize,
    job.inFlight,
  ]
    .filter((v) => v !== undefined)
    .join('-')

// ---------------------------------------------------------------------------------------------
// Scenarios 1–2: build a request, the floors, and the ece/vapid layers.

function buildJobs() {
  const jobs = []
  for (const encoding of ENCODINGS) {
    for (const payloadSize of PAYLOADS) {
      jobs.push({
        group: 'build',
        impls: ['pushcraft', 'web-push', 'floor'],
        encoding,
        payloadSize,
      })
    }
  }
  for (const payloadSize of [100, 3000]) {
    jobs.push({
      group: 'layers',
      impls: ['ece', 'ece-node', 'floor-ece'],
      encoding: 'aes128gcm',
      payloadSize,
    })
  }
  jobs.push({ group: 'layers', impls: ['vapid-fresh', 'floor-es256', 'vapid-cached'] })
  return jobs.map((job) => ({
    ...job,
    scenario: 'build',
    fixtures: fixturesFile,
    lanes: CONFIG.build.lanes,
    warmupMs: CONFIG.build.warmupMs,
    durationMs: CONFIG.build.durationMs,
    reps: CONFIG.build.reps,
  }))
}

async function runBuild() {
  const jobs = buildJobs()
  const rows = new Map()
  const rowOf = (job, impl) => {
    const key = `${job.group} ${impl} ${job.encoding} ${job.payloadSize}`
    if (!rows.has(key)) {
      rows.set(key, {
        group: job.group,
        impl,
        ...(job.encoding === undefined || (job.group === 'layers' && impl.startsWith('vapid'))
          ? {}
          : { encoding: job.encoding }),
        ...(job.payloadSize === undefined ? {} : { payloadSize: job.payloadSize }),
        runs: [],
        peakRssBytes: 0,
      })
    }
    return rows.get(key)
  }
  for (let p = 0; p < CONFIG.build.processes; p++) {
    log(`build: process round ${p + 1}/${CONFIG.build.processes} (${jobs.length} processes)`)
    for (const job of jobs) {
      try {
        const result = await runJob(job, { ...childOptions(slug(job)), timeoutMs: 180_000 })
        for (const impl of job.impls) {
          const row = rowOf(job, impl)
          row.runs.push(...result.runs[impl])
          row.peakRssBytes = Math.max(row.peakRssBytes, result.peakRssBytes)
        }
      } catch (error) {
        failures.push(`build ${slug(job)}: ${error.message}`)
      }
    }
  }
  const all = [...rows.values()].map(({ runs, ...row }) => ({ ...row, ...aggregate(runs) }))
  return {
    build: all.filter((row) => row.group === 'build'),
    layers: all.filter((row) => row.group === 'layers'),
  }
}

function aggregate(runs) {
  return {
    samples: runs.length,
    msgsPerSec: median(runs.map((r) => r.msgsPerSec)),
    cpuUsPerMsg: median(runs.map((r) => r.cpuUsPerMsg)),
    p50Ms: median(runs.map((r) => r.p50Ms)),
    p99Ms: median(runs.map((r) => r.p99Ms)),
  }
}

// ---------------------------------------------------------------------------------------------
// Scenarios 3–4: sends to the loopback sink.

/** Loopback sinks by protocol, started on first use and reused by the runs that follow. */
const sinks = new Map()

async function sinkFor(protocol) {
  let sink = sinks.get(protocol)
  if (sink === undefined) {
    sink = startChild(
      { scenario: 'sink', fixtures: fixturesFile, protocol },
      childOptions(`sink-${protocol}`),
    )
    sink.ready = sink.message('ready', 30_000)
    sinks.set(protocol, sink)
  }
  const { port } = await sink.ready
  return { sink, port }
}

/** Asks a helper process to stop (so a `--profile` run gets its profile), then makes sure. */
async function stopHelper(handle) {
  try {
    handle.send({ type: 'close' })
    await Promise.race([handle.exited, new Promise((resolve) => setTimeout(resolve, 3000))])
  } catch {
    // Already gone.
  } finally {
    handle.kill()
  }
}

async function closeSinks() {
  await Promise.all([...sinks.values()].map(stopHelper))
  sinks.clear()
}

/** One send run: a fresh sender process against the protocol's sink (counters reset). */
async function runSend(job) {
  const { sink, port } = await sinkFor(job.protocol)
  const sender = startChild({ ...job, scenario: 'send', port }, childOptions(slug(job)))
  try {
    const timeoutMs = 60_000 + job.messages * 10
    await sender.message('warm-done', timeoutMs)
    sink.send({ type: 'reset', expected: job.messages })
    await sink.message('reset-done', 30_000)
    sender.send({ type: 'go' })
    const { result } = await sender.message('result', timeoutMs)
    sink.send({ type: 'finish', expected: job.messages, payloadSize: job.payloadSize })
    const { stats } = await sink.message('stats', 60_000)
    const problems = []
    if (stats.missing > 0) problems.push(`${stats.missing} message(s) missing`)
    if (stats.duplicated > 0) problems.push(`${stats.duplicated} message(s) delivered twice`)
    if (stats.badHeaders > 0) problems.push(`${stats.badHeaders} message(s) with bad headers`)
    if (stats.sampled === 0) problems.push('no message sampled')
    problems.push(...stats.sampleFailures)
    if (problems.length > 0) failures.push(`${slug(job)}: ${problems.join('; ')}`)
    return { ...result, sink: stats, verified: problems.length === 0 }
  } catch (error) {
    // A sink that saw a broken run may hold half-finished state: the next run gets a new one.
    sinks.get(job.protocol)?.kill()
    sinks.delete(job.protocol)
    throw error
  } finally {
    sender.kill()
  }
}

async function runE2e() {
  const variants = []
  for (const protocol of ['h1', 'h2']) {
    for (const inFlight of IN_FLIGHT) {
      for (const impl of ['pushcraft', 'web-push']) variants.push({ impl, protocol, inFlight })
    }
    // Diagnostic: the same sends with requests built beforehand (transport CPU alone).
    variants.push({ impl: 'pushcraft-transport', protocol, inFlight: 64 })
  }
  const collected = new Map(variants.map((v) => [v, []]))
  for (let p = 0; p < CONFIG.e2e.processes; p++) {
    log(`e2e: round ${p + 1}/${CONFIG.e2e.processes} (${variants.length} variants)`)
    for (const variant of variants) {
      try {
        const result = await runSend({
          ...variant,
          fixtures: fixturesFile,
          messages: CONFIG.e2e.messages,
          warmup: CONFIG.e2e.warmup,
          payloadSize: E2E_PAYLOAD,
          source: 'sync',
        })
        collected.get(variant).push(result)
      } catch (error) {
        failures.push(
          `e2e ${variant.impl} ${variant.protocol} ${variant.inFlight}: ${error.message}`,
        )
      }
    }
  }
  return variants.map((variant) => {
    const results = collected.get(variant)
    return {
      ...variant,
      ...aggregate(results.flatMap((r) => r.runs)),
      connections: median(results.map((r) => r.sink.connections)),
      sinkCpuUsPerMsg: median(results.map((r) => r.sink.cpuUsPerMsg)),
      peakRssBytes: Math.max(0, ...results.map((r) => r.peakRssBytes)),
      verified: results.length === CONFIG.e2e.processes && results.every((r) => r.verified),
    }
  })
}

async function runBulk() {
  const rows = []
  const variants = CONFIG.bulk.protocols.map((protocol) => ({ impl: 'pushcraft', protocol }))
  // For scale only: web-push sends the same messages (its own loop, 64 in flight).
  if (CONFIG.bulk.reference) variants.push({ impl: 'web-push', protocol: 'h1' })
  for (const { impl, protocol } of variants) {
    log(`bulk: ${CONFIG.bulk.messages.toLocaleString('en-US')} messages, ${impl}, ${protocol}`)
    try {
      const result = await runSend({
        impl,
        protocol,
        inFlight: 64,
        fixtures: fixturesFile,
        messages: CONFIG.bulk.messages,
        warmup: CONFIG.bulk.warmup,
        payloadSize: E2E_PAYLOAD,
        source: 'async',
        rssSampleMs: 250,
      })
      const [run] = result.runs
      const { memory } = result
      const samples = memory.samples
      const last = samples[samples.length - 1]
      const middle = samples.reduce((best, s) =>
        Math.abs(s[0] - last[0] / 2) < Math.abs(best[0] - last[0] / 2) ? s : best,
      )
      rows.push({
        impl,
        protocol,
        messages: CONFIG.bulk.messages,
        msgsPerSec: run.msgsPerSec,
        cpuUsPerMsg: run.cpuUsPerMsg,
        rssStart: memory.rssStart,
        rssPeak: memory.rssPeak,
        growthBytes: memory.rssPeak - memory.rssStart,
        lateGrowthBytes: last[1] - middle[1],
        heapTotalPeak: Math.max(...samples.map((s) => s[4])),
        rssAfterGc: memory.rssAfterGc,
        heapAfterGc: memory.heapAfterGc,
        curve: thin(
          samples.map(([t, rss]) => [t, rss]),
          12,
        ),
        verified: result.verified,
      })
    } catch (error) {
      failures.push(`bulk ${impl} ${protocol}: ${error.message}`)
    }
  }
  return rows
}

/** At most `n` evenly spaced points of a curve (first and last kept). */
function thin(points, n) {
  if (points.length <= n) return points
  const step = (points.length - 1) / (n - 1)
  return Array.from({ length: n }, (_, k) => points[Math.round(k * step)])
}

// ---------------------------------------------------------------------------------------------
// Scenario 5: apps/server broadcast against library bulk, on the mock push service.

async function serverAvailable() {
  try {
    await import('@pushcraft/server/dist/app.js')
    await import('@pushcraft/server/dist/config.js')
    const store = await import('@pushcraft/server/dist/store/store.js')
    return typeof store.openStore === 'function' ? undefined : 'apps/server has no openStore'
  } catch (error) {
    return `apps/server is not built or has no broadcast API (${error.message.split('\n')[0]})`
  }
}

async function runBroadcast() {
  const missing = await serverAvailable()
  if (missing !== undefined) return { todo: `apps/server broadcast — ${missing}` }
  const { subscriptions, warmup, processes } = CONFIG.broadcast
  const collected = { server: [], library: [] }
  const seedMs = []
  for (let p = 0; p < processes; p++) {
    // One mock push service (and one set of subscriptions) per round, for both senders.
    const file = join(tmp, `subscriptions-${p}.jsonl`)
    const mock = startChild(
      { scenario: 'mock', fixtures: fixturesFile, count: subscriptions + warmup, file },
      childOptions('mock'),
    )
    try {
      const { ca } = await mock.message('ready', 120_000)
      for (const impl of p % 2 === 0 ? ['library', 'server'] : ['server', 'library']) {
        log(
          `broadcast: ${impl}, ${subscriptions.toLocaleString('en-US')} subscriptions (${p + 1}/${processes})`,
        )
        const job = { scenario: 'broadcast', fixtures: fixturesFile, file, ca, warmup }
        const dir = join(tmp, `server-${p}`)
        if (impl === 'server') {
          mkdirSync(dir, { recursive: true })
          const seeded = await runJob(
            { ...job, impl: 'seed', dir },
            { ...childOptions('seed'), timeoutMs: 600_000 },
          )
          seedMs.push(seeded.seedMs)
        }
        const sender = startChild(
          { ...job, impl, dir, count: subscriptions },
          childOptions(`broadcast-${impl}`),
        )
        try {
          const timeoutMs = 120_000 + subscriptions * 5
          await sender.message('warm-done', timeoutMs)
          mock.send({ type: 'reset' })
          await mock.message('reset-done')
          sender.send({ type: 'go' })
          const { result } = await sender.message('result', timeoutMs)
          mock.send({ type: 'stats' })
          const { stats } = await mock.message('stats')
          const problems = []
          if (result.details.delivered !== subscriptions) {
            problems.push(`${impl} delivered ${result.details.delivered} of ${subscriptions}`)
          }
          if (stats.received !== subscriptions) {
            problems.push(`the mock push service received ${stats.received} of ${subscriptions}`)
          }
          if (stats.rejected > 0) problems.push(`the mock push service refused ${stats.rejected}`)
          if (result.details.firstError !== undefined) problems.push(result.details.firstError)
          if (problems.length > 0) failures.push(`broadcast ${impl}: ${problems.join('; ')}`)
          collected[impl].push({ ...result, verified: problems.length === 0 })
        } catch (error) {
          failures.push(`broadcast ${impl}: ${error.message}`)
        } finally {
          sender.kill()
        }
      }
    } catch (error) {
      failures.push(`broadcast: ${error.message}`)
    } finally {
      await stopHelper(mock)
    }
  }
  const rows = Object.entries(collected)
    .filter(([, results]) => results.length > 0)
    .map(([impl, results]) => ({
      impl,
      ...aggregate(results.flatMap((r) => r.runs)),
      peakRssBytes: Math.max(...results.map((r) => r.peakRssBytes)),
      ...(impl === 'server' ? { seedMs: median(seedMs) } : {}),
      verified: results.length === processes && results.every((r) => r.verified),
    }))
  return { subscriptions, rows }
}

// ---------------------------------------------------------------------------------------------
// Scenario 5b: apps/server queue mode (BullMQ on Redis, PostgreSQL store), 1 vs 2 workers.
// apps/server/scripts/bench-queue.mjs (issue 8's hook) does the work in a process of its own: it
// starts throwaway redis-server and PostgreSQL (unless REDIS_URL / a postgres:// DATABASE_URL are
// set), the mock push service in its own process and N fresh `dist/worker.js` processes per run.

const QUEUE_HOOK = join(ROOT, 'apps', 'server', 'scripts', 'bench-queue.mjs')

/** What queue mode needs and this machine lacks (the same places the hook looks), if anything. */
function queueMissing() {
  const missing = []
  if (!existsSync(join(ROOT, 'apps', 'server', 'dist', 'worker.js'))) {
    missing.push('apps/server is not built (no dist/worker.js)')
  }
  if (!existsSync(QUEUE_HOOK)) missing.push('apps/server/scripts/bench-queue.mjs is missing')
  if (
    process.env.REDIS_URL === undefined &&
    !['/usr/bin/redis-server', '/usr/local/bin/redis-server'].some((p) => existsSync(p))
  ) {
    missing.push(
      'redis-server is not installed (apt-get install -y redis-server, or set REDIS_URL)',
    )
  }
  const pgBase = '/usr/lib/postgresql'
  const hasPostgres =
    existsSync(pgBase) &&
    readdirSync(pgBase).some((v) => existsSync(join(pgBase, v, 'bin', 'initdb')))
  if (process.env.DATABASE_URL?.startsWith('postgres') !== true && !hasPostgres) {
    missing.push(
      'PostgreSQL is not installed (apt-get install -y postgresql, or set a postgres:// DATABASE_URL)',
    )
  }
  return missing
}

/** Runs the hook once (all worker counts, all rounds) and returns its JSON records. */
function runQueueHook({ messages, rounds, timeoutMs }) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [QUEUE_HOOK, '--workers', '1,2', '--messages', String(messages), '--rounds', String(rounds)],
      { cwd: ROOT, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let out = ''
    let err = ''
    child.stdout.on('data', (chunk) => (out += chunk.toString()))
    child.stderr.on('data', (chunk) => (err += chunk.toString()))
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs)
    child.once('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      const records = out
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line))
      if (code === 0) resolve(records)
      else {
        // The first error line Node printed, else the last lines of output.
        const lines = `${err}${out}`.split('\n').map((line) => line.trim())
        const errorLine = lines.find((line) => /^(\w*Error|error)\b/.test(line))
        const tail = (errorLine ?? lines.filter(Boolean).slice(-3).join(' / ')).slice(0, 600)
        reject(
          new Error(
            `bench-queue.mjs exited with ${signal ?? code}` +
              `${signal === 'SIGTERM' ? ` (timeout ${timeoutMs / 1000} s)` : ''}: ${tail}`,
          ),
        )
      }
    })
  })
}

async function runQueue() {
  const { messages, rounds } = CONFIG.queue
  const missing = queueMissing()
  if (missing.length > 0) {
    failures.push(`queue mode: ${missing.join('; ')}`)
    return { messages, rounds, missing: missing.join('; '), rows: [] }
  }
  log(`queue: ${messages.toLocaleString('en-US')} messages, 1 then 2 workers, ${rounds} round(s)`)
  let records
  try {
    records = await runQueueHook({ messages, rounds, timeoutMs: 180_000 + messages * rounds * 20 })
  } catch (error) {
    failures.push(`queue mode: ${error.message}`)
    return { messages, rounds, error: error.message, rows: [] }
  }
  const runs = records.filter((r) => r.summary !== true)
  const rows = [1, 2].map((workers) => {
    const mine = runs.filter((r) => r.workers === workers)
    const perMsg = (key) => median(mine.map((r) => (r[key] * 1e6) / r.messages))
    return {
      workers,
      runs: mine.length,
      messages,
      msgsPerSec: median(mine.map((r) => r.messagesPerSecond)),
      seconds: median(mine.map((r) => r.seconds)),
      workerCpuUsPerMsg: perMsg('workerCpuSeconds'),
      mockCpuUsPerMsg: perMsg('mockCpuSeconds'),
      // Cores kept busy by the workers and the mock push service together (Redis and
      // PostgreSQL come on top and are not measured by the hook).
      coresBusy: median(mine.map((r) => (r.workerCpuSeconds + r.mockCpuSeconds) / r.seconds)),
      verified:
        mine.length === rounds &&
        mine.every((r) => r.status === 'completed' && r.received === messages),
    }
  })
  for (const row of rows) {
    if (!row.verified) {
      failures.push(`queue mode, ${row.workers} worker(s): not every message arrived`)
    }
  }
  const [one, two] = rows
  const cores = os.availableParallelism()
  // If the machine were ours alone and only the workers and the mock used CPU: the rate at which
  // every core is busy, at the CPU per message measured with 2 workers.
  const ceilingMsgsPerSec = (cores * 1e6) / (two.workerCpuUsPerMsg + two.mockCpuUsPerMsg)
  return {
    messages,
    rounds,
    rows,
    speedup: two.msgsPerSec / one.msgsPerSec,
    cores,
    ceilingMsgsPerSec,
    ceilingSpeedup: ceilingMsgsPerSec / one.msgsPerSec,
  }
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const machine = machineInfo()
  log(
    `${CONFIG.mode} run: ${only.join(', ')}; ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`,
  )
  await createFixtures(fixturesFile).then(({ tls }) => writeFileSync(caFile, tls.cert))
  const results = {
    version: 1,
    date: new Date().toISOString(),
    machine,
    config: {
      mode: CONFIG.mode,
      ...CONFIG,
      payloads: PAYLOADS,
      encodings: ENCODINGS,
      inFlight: IN_FLIGHT,
      lanes: CONFIG.build.lanes,
      e2eMessages: CONFIG.e2e.messages,
      e2ePayload: E2E_PAYLOAD,
      samples: SAMPLES,
      describe:
        `${CONFIG.build.processes} process(es) × ${CONFIG.build.reps} timed window(s) of ` +
        `${CONFIG.build.durationMs} ms per build variant (after ${CONFIG.build.warmupMs} ms of ` +
        `warm-up; the implementations compared alternate windows within each process) and ` +
        `${CONFIG.e2e.processes} run(s) per end-to-end variant`,
    },
    build: [],
    layers: [],
    e2e: [],
    bulk: [],
    broadcast: undefined,
    queue: undefined,
    targets: [],
    failures,
  }
  try {
    if (only.includes('build')) Object.assign(results, await runBuild())
    if (only.includes('e2e')) results.e2e = await runE2e()
    if (only.includes('bulk')) results.bulk = await runBulk()
    if (only.includes('broadcast')) results.broadcast = await runBroadcast()
    if (only.includes('queue')) results.queue = await runQueue()
  } finally {
    await closeSinks()
    rmSync(tmp, { recursive: true, force: true })
  }
  results.machine.loadEnd = os.loadavg().map((v) => Number(v.toFixed(2)))
  results.durationSeconds = Math.round((Date.now() - started) / 1000)
  results.targets = evaluateTargets(results)
  const markdown = renderMarkdown(results)
  mkdirSync(args.out, { recursive: true })
  const base = join(args.out, stamp)
  writeFileSync(`${base}.json`, `${JSON.stringify(results, null, 2)}\n`)
  writeFileSync(`${base}.md`, markdown)
  console.log(markdown)
  log(`wrote ${base}.md and .json in ${results.durationSeconds} s`)
  if (profileDir !== undefined) log(`CPU profiles in ${profileDir}`)
  if (failures.length > 0) {
    log(`FAILED: ${failures.length} check(s) failed (see the report)`)
    process.exitCode = 1
  }
}

await main()
