// Turns the aggregated measurements into the targets of issues 9, 6, 5 and 4 (each ✓ or ✗ with
// how far it is off) and a Markdown report.

const MiB = 1024 * 1024

const fmt = {
  rate: (v) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '—'),
  ratio: (v) => (Number.isFinite(v) ? `${v.toFixed(2)}×` : '—'),
  us: (v) => (Number.isFinite(v) ? (v < 10 ? v.toFixed(2) : v.toFixed(0)) : '—'),
  ms: (v) => (Number.isFinite(v) ? (v < 10 ? v.toFixed(2) : v.toFixed(0)) : '—'),
  mib: (v) => (Number.isFinite(v) ? (v / MiB).toFixed(1) : '—'),
  int: (v) => (Number.isFinite(v) ? String(Math.round(v)) : '—'),
}

/** "Lower than web-push" as a `<=` limit: a ratio strictly below 1. */
const STRICTLY_BELOW_ONE = 0.999

/** A target: `value` compared with `limit` by `op` (`>=` or `<=`). */
function target(id, description, value, op, limit, unit = '×') {
  const known = Number.isFinite(value)
  const pass = known && (op === '>=' ? value >= limit : value <= limit)
  const shown = unit === '×' ? fmt.ratio(value) : `${fmt.us(value)} ${unit}`
  let verdict
  if (!known) verdict = '✗ not measured'
  else if (pass) verdict = '✓'
  else {
    const off = op === '>=' ? (limit - value) / limit : (value - limit) / limit
    const need =
      limit === STRICTLY_BELOW_ONE
        ? '< 1×'
        : `${op === '>=' ? '≥' : '≤'} ${unit === '×' ? `${limit}×` : `${limit} ${unit}`}`
    verdict = `✗ ${op === '>=' ? 'short' : 'over'} by ${(off * 100).toFixed(0)}% (needs ${need})`
  }
  return { id, description, value: known ? value : null, op, limit, unit, pass, verdict, shown }
}

const find = (rows, where) =>
  rows.find((row) => Object.entries(where).every(([k, v]) => row[k] === v))

/** Every target that the measurements can decide. */
export function evaluateTargets(results) {
  const targets = []
  const { build = [], layers = [], e2e = [], bulk = [], broadcast, queue } = results

  for (const encoding of ['aes128gcm', 'aesgcm']) {
    for (const payloadSize of results.config.payloads) {
      const pc = find(build, { impl: 'pushcraft', encoding, payloadSize })
      const wp = find(build, { impl: 'web-push', encoding, payloadSize })
      const fl = find(build, { impl: 'floor', encoding, payloadSize })
      if (pc === undefined) continue
      const name = `build ${encoding} ${payloadSize} B`
      targets.push(
        target(
          `build-webpush-${encoding}-${payloadSize}`,
          `${name}: ≥ 4× web-push (issue 6, 9)`,
          pc.msgsPerSec / wp?.msgsPerSec,
          '>=',
          4,
        ),
        target(
          `build-floor-${encoding}-${payloadSize}`,
          `${name}: ≥ 1.0× the node:crypto floor (issue 6, 9)`,
          pc.msgsPerSec / fl?.msgsPerSec,
          '>=',
          1,
        ),
      )
    }
  }

  for (const payloadSize of results.config.payloads) {
    const ece = find(layers, { impl: 'ece', payloadSize })
    const floor = find(layers, { impl: 'floor-ece', payloadSize })
    if (ece === undefined) continue
    targets.push(
      target(
        `ece-floor-${payloadSize}`,
        `ece encrypt ${payloadSize} B: ≥ 1.0× its node:crypto floor (issue 4)`,
        ece.msgsPerSec / floor?.msgsPerSec,
        '>=',
        1,
      ),
    )
  }
  const cached = find(layers, { impl: 'vapid-cached' })
  const fresh = find(layers, { impl: 'vapid-fresh' })
  const es256 = find(layers, { impl: 'floor-es256' })
  if (cached !== undefined) {
    targets.push(
      target(
        'vapid-cached',
        'cached VAPID header: CPU per header < 10 µs (issue 5)',
        cached.cpuUsPerMsg,
        '<=',
        10,
        'µs',
      ),
    )
  }
  if (fresh !== undefined) {
    targets.push(
      target(
        'vapid-fresh',
        'fresh VAPID sign: within 2× of node:crypto ES256 (≥ 0.5× its rate) (issue 5)',
        fresh.msgsPerSec / es256?.msgsPerSec,
        '>=',
        0.5,
      ),
    )
  }

  for (const protocol of ['h1', 'h2']) {
    for (const inFlight of [64, 256]) {
      const pc = find(e2e, { impl: 'pushcraft', protocol, inFlight })
      const wp = find(e2e, { impl: 'web-push', protocol, inFlight })
      if (pc === undefined || wp === undefined) continue
      const name = `end to end ${protocolName(protocol)} sink, ${inFlight} in flight`
      targets.push(
        target(
          `e2e-${protocol}-${inFlight}`,
          `${name}: ≥ 2.5× web-push (issue 6, 9)`,
          pc.msgsPerSec / wp.msgsPerSec,
          '>=',
          2.5,
        ),
        target(
          `e2e-p99-${protocol}-${inFlight}`,
          `${name}: lower p99 than web-push (pushcraft / web-push < 1)`,
          pc.p99Ms / wp.p99Ms,
          '<=',
          STRICTLY_BELOW_ONE,
        ),
        target(
          `e2e-connections-${protocol}-${inFlight}`,
          `${name}: fewer TLS connections than web-push (pushcraft / web-push < 1)`,
          pc.connections / wp.connections,
          '<=',
          STRICTLY_BELOW_ONE,
        ),
      )
    }
  }
  for (const inFlight of [64, 256]) {
    const h1 = find(e2e, { impl: 'pushcraft', protocol: 'h1', inFlight })
    const h2 = find(e2e, { impl: 'pushcraft', protocol: 'h2', inFlight })
    if (h1 === undefined || h2 === undefined) continue
    targets.push(
      target(
        `h2-cpu-${inFlight}`,
        `pushcraft CPU per message, HTTP/2 sink ≤ 0.6× HTTP/1.1 sink, ${inFlight} in flight (issue 9)`,
        h2.cpuUsPerMsg / h1.cpuUsPerMsg,
        '<=',
        0.6,
      ),
    )
  }

  for (const row of bulk.filter((r) => r.impl === 'pushcraft')) {
    targets.push(
      target(
        `bulk-rss-${row.protocol}`,
        `bulk ${row.messages.toLocaleString('en-US')} messages (${protocolName(row.protocol)}): RSS growth < 50 MiB (issue 6, 9)`,
        row.growthBytes / MiB,
        '<=',
        50,
        'MiB',
      ),
    )
  }

  if (broadcast !== undefined && broadcast.todo === undefined) {
    const server = find(broadcast.rows, { impl: 'server' })
    const lib = find(broadcast.rows, { impl: 'library' })
    targets.push(
      target(
        'broadcast',
        `server broadcast ≥ 0.8× library bulk (issue 9)`,
        server?.msgsPerSec / lib?.msgsPerSec,
        '>=',
        0.8,
      ),
    )
  }

  if (queue !== undefined) {
    // A run that could not start (no redis-server / PostgreSQL) or failed is "✗ not measured".
    targets.push(
      target(
        'queue-speedup',
        `queue mode: 2 workers ≥ 1.6× one worker (issue 8)`,
        queue.speedup,
        '>=',
        1.6,
      ),
    )
  }
  return targets
}

const protocolName = (protocol) => (protocol === 'h2' ? 'HTTP/2' : 'HTTP/1.1')

function table(head, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n')
}

/** The Markdown report of one run. */
export function renderMarkdown(results) {
  const { machine, config } = results
  const out = []
  out.push(`# pushcraft benchmarks — ${results.date} (${config.mode})`)
  out.push('')
  out.push(
    `Machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, OpenSSL ${machine.openssl}, ` +
      `${machine.os}, libuv thread pool ${machine.threadPool}. Load average ${machine.loadStart.join(' / ')} ` +
      `at start, ${machine.loadEnd.join(' / ')} at the end.`,
  )
  out.push(
    `Commit ${machine.commit}. Every number is a median over ${config.describe}; ratios compare ` +
      `runs of this one invocation, interleaved. Raw data: the JSON file beside this one.`,
  )
  if (results.failures.length > 0) {
    out.push('')
    out.push(`**FAILED:** ${results.failures.length} check(s) failed:`)
    for (const failure of results.failures) out.push(`- ${failure}`)
  }

  out.push('', '## Targets', '')
  out.push(
    table(
      ['Target', 'Measured', 'Result'],
      results.targets.map((t) => [t.description, t.shown, t.verdict]),
    ),
  )
  const met = results.targets.filter((t) => t.pass).length
  out.push('', `${met} of ${results.targets.length} targets met.`)

  if (results.build.length > 0) {
    out.push('', '## 1–2. Build a request (encryption + VAPID, no I/O)', '')
    out.push(
      `pushcraft \`buildPushRequest\` (VAPID with a \`VapidTokenCache\`, ${config.lanes} in flight) vs ` +
        'web-push `generateRequestDetails` (synchronous; signs a JWT per call) vs the floor ' +
        '(ephemeral P-256 key + ECDH + HKDF + AES-128-GCM, synchronous node:crypto, no VAPID: a ' +
        'token is reusable, so signing is not per-message work).',
      '',
    )
    const rows = []
    for (const encoding of ['aes128gcm', 'aesgcm']) {
      for (const payloadSize of config.payloads) {
        const pc = find(results.build, { impl: 'pushcraft', encoding, payloadSize })
        const wp = find(results.build, { impl: 'web-push', encoding, payloadSize })
        const fl = find(results.build, { impl: 'floor', encoding, payloadSize })
        if (pc === undefined) continue
        rows.push([
          encoding,
          `${payloadSize} B`,
          fmt.rate(pc.msgsPerSec),
          fmt.rate(wp?.msgsPerSec),
          fmt.rate(fl?.msgsPerSec),
          `**${fmt.ratio(pc.msgsPerSec / wp?.msgsPerSec)}**`,
          `**${fmt.ratio(pc.msgsPerSec / fl?.msgsPerSec)}**`,
          `${fmt.us(pc.cpuUsPerMsg)} / ${fmt.us(wp?.cpuUsPerMsg)} / ${fmt.us(fl?.cpuUsPerMsg)}`,
          `${fmt.ms(pc.p50Ms)} / ${fmt.ms(pc.p99Ms)}`,
          `${fmt.ms(wp?.p50Ms)} / ${fmt.ms(wp?.p99Ms)}`,
          fmt.mib(pc.peakRssBytes),
        ])
      }
    }
    out.push(
      table(
        [
          'Encoding',
          'Payload',
          'pushcraft msg/s',
          'web-push msg/s',
          'floor msg/s',
          'pushcraft / web-push',
          'pushcraft / floor',
          'CPU µs/msg (pushcraft / web-push / floor)',
          'pushcraft p50 / p99 ms',
          'web-push p50 / p99 ms',
          'peak RSS MiB (the process running all three)',
        ],
        rows,
      ),
    )
  }

  if (results.layers.length > 0) {
    out.push('', '### The layers below: @pushcraft/ece and @pushcraft/vapid', '')
    const rows = []
    for (const payloadSize of config.payloads) {
      const ece = find(results.layers, { impl: 'ece', payloadSize })
      const floor = find(results.layers, { impl: 'floor-ece', payloadSize })
      if (ece === undefined) continue
      rows.push([
        `ece \`encrypt\` aes128gcm ${payloadSize} B vs node:crypto HKDF + AES-GCM`,
        fmt.rate(ece.msgsPerSec),
        fmt.rate(floor?.msgsPerSec),
        fmt.ratio(ece.msgsPerSec / floor?.msgsPerSec),
        `${fmt.us(ece.cpuUsPerMsg)} / ${fmt.us(floor?.cpuUsPerMsg)}`,
      ])
      const eceNode = find(results.layers, { impl: 'ece-node', payloadSize })
      if (eceNode !== undefined) {
        rows.push([
          `ece \`encrypt\` aes128gcm ${payloadSize} B with a node:crypto \`aead\` vs the same floor`,
          fmt.rate(eceNode.msgsPerSec),
          fmt.rate(floor?.msgsPerSec),
          fmt.ratio(eceNode.msgsPerSec / floor?.msgsPerSec),
          `${fmt.us(eceNode.cpuUsPerMsg)} / ${fmt.us(floor?.cpuUsPerMsg)}`,
        ])
      }
    }
    const cached = find(results.layers, { impl: 'vapid-cached' })
    const fresh = find(results.layers, { impl: 'vapid-fresh' })
    const es256 = find(results.layers, { impl: 'floor-es256' })
    if (fresh !== undefined) {
      rows.push([
        'vapid `createVapidAuthorization`, fresh sign vs node:crypto ES256 JWT',
        fmt.rate(fresh.msgsPerSec),
        fmt.rate(es256?.msgsPerSec),
        fmt.ratio(fresh.msgsPerSec / es256?.msgsPerSec),
        `${fmt.us(fresh.cpuUsPerMsg)} / ${fmt.us(es256?.cpuUsPerMsg)}`,
      ])
    }
    if (cached !== undefined) {
      rows.push([
        'vapid `createVapidAuthorization` with a `VapidTokenCache` (hit)',
        fmt.rate(cached.msgsPerSec),
        '—',
        '—',
        `${fmt.us(cached.cpuUsPerMsg)} / —`,
      ])
    }
    out.push(table(['Operation', 'ops/s', 'floor ops/s', 'ratio', 'CPU µs/op (it / floor)'], rows))
  }

  if (results.e2e.length > 0) {
    out.push('', '## 3. End to end to a loopback HTTPS sink', '')
    out.push(
      `${config.e2eMessages.toLocaleString('en-US')} × ${config.e2ePayload} B per run. pushcraft: ` +
        '`PushClient#sendMany` (default pool: 16 connections per origin, HTTP/2 through ALPN; ' +
        '`concurrency` = `concurrencyPerOrigin` = in flight). web-push: `sendNotification` as ' +
        "documented, no `agent` option: Node's global https agent (keep-alive since Node 19, " +
        'no socket cap), HTTP/1.1 only (Node https offers no ALPN h2). Connections: TLS ' +
        'handshakes the sink saw during the measured run (each run starts cold). Every message is ' +
        `checked in: each arrived exactly once; ${config.samples} per run decrypted and VAPID-verified.`,
      '',
    )
    const rows = []
    for (const protocol of ['h1', 'h2']) {
      for (const inFlight of config.inFlight) {
        const pc = find(results.e2e, { impl: 'pushcraft', protocol, inFlight })
        const wp = find(results.e2e, { impl: 'web-push', protocol, inFlight })
        if (pc === undefined && wp === undefined) continue
        rows.push([
          protocolName(protocol),
          String(inFlight),
          fmt.rate(pc?.msgsPerSec),
          fmt.rate(wp?.msgsPerSec),
          `**${fmt.ratio(pc?.msgsPerSec / wp?.msgsPerSec)}**`,
          `${fmt.ms(pc?.p50Ms)} / ${fmt.ms(pc?.p99Ms)}`,
          `${fmt.ms(wp?.p50Ms)} / ${fmt.ms(wp?.p99Ms)}`,
          `${fmt.int(pc?.connections)} / ${fmt.int(wp?.connections)}`,
          `${fmt.us(pc?.cpuUsPerMsg)} / ${fmt.us(wp?.cpuUsPerMsg)}`,
          `${fmt.us(pc?.sinkCpuUsPerMsg)} / ${fmt.us(wp?.sinkCpuUsPerMsg)}`,
          `${fmt.mib(pc?.peakRssBytes)} / ${fmt.mib(wp?.peakRssBytes)}`,
          pc?.verified && wp?.verified ? '✓' : '✗',
        ])
      }
    }
    out.push(
      table(
        [
          'Sink',
          'In flight',
          'pushcraft msg/s',
          'web-push msg/s',
          'pushcraft / web-push',
          'pushcraft p50 / p99 ms',
          'web-push p50 / p99 ms',
          'TLS connections (pushcraft / web-push)',
          'sender CPU µs/msg (pushcraft / web-push)',
          'sink CPU µs/msg (pushcraft / web-push)',
          'peak RSS MiB (pushcraft / web-push)',
          'all delivered + sample decrypted',
        ],
        rows,
      ),
    )
    const h2rows = [
      ...config.inFlight.map((inFlight) => ['pushcraft', inFlight]),
      ['pushcraft-transport', 64],
    ]
      .map(([impl, inFlight]) => {
        const h1 = find(results.e2e, { impl, protocol: 'h1', inFlight })
        const h2 = find(results.e2e, { impl, protocol: 'h2', inFlight })
        if (h1 === undefined || h2 === undefined) return undefined
        return [
          impl === 'pushcraft' ? 'send (`sendMany`)' : 'transport only (prebuilt requests)',
          String(inFlight),
          `${fmt.rate(h1.msgsPerSec)} / ${fmt.rate(h2.msgsPerSec)}`,
          `${fmt.us(h1.cpuUsPerMsg)} / ${fmt.us(h2.cpuUsPerMsg)}`,
          fmt.ratio(h2.cpuUsPerMsg / h1.cpuUsPerMsg),
          `${fmt.us(h1.sinkCpuUsPerMsg)} / ${fmt.us(h2.sinkCpuUsPerMsg)}`,
          fmt.ratio(h2.sinkCpuUsPerMsg / h1.sinkCpuUsPerMsg),
        ]
      })
      .filter((row) => row !== undefined)
    if (h2rows.length > 0) {
      out.push(
        '',
        'HTTP/2 against HTTP/1.1 (pushcraft). "Transport only" posts requests built before the ' +
          'clock started (`sendPushRequest` through a `PushClient` pool, 64 loops): undici, TLS ' +
          'and HTTP framing without the encryption.',
        '',
      )
      out.push(
        table(
          [
            'What',
            'In flight',
            'msg/s h1 / h2',
            'sender CPU µs/msg h1 / h2',
            'sender h2 / h1',
            'sink CPU µs/msg h1 / h2',
            'sink h2 / h1',
          ],
          h2rows,
        ),
      )
    }
  }

  if (results.bulk.length > 0) {
    out.push('', '## 4. Bulk memory', '')
    out.push(
      'pushcraft `PushClient#sendMany` over a lazy async generator of subscriptions (64 in ' +
        'flight, the default). RSS sampled every 250 ms; growth = peak during the run − RSS at ' +
        'its start (after warm-up and a full GC); late growth = RSS at the end − RSS half-way ' +
        '(near 0: a plateau, not a leak); JS heap after a full GC at the end shows what is ' +
        'really retained. web-push (when listed) sends the same messages for scale only.',
      '',
    )
    out.push(
      table(
        [
          'Sender',
          'Sink',
          'Messages',
          'msg/s',
          'CPU µs/msg',
          'RSS start → peak MiB',
          'growth MiB',
          'late growth MiB',
          'V8 heap total peak MiB',
          'JS heap after GC MiB',
          'all delivered + sample decrypted',
        ],
        results.bulk.map((row) => [
          row.impl,
          protocolName(row.protocol),
          row.messages.toLocaleString('en-US'),
          fmt.rate(row.msgsPerSec),
          fmt.us(row.cpuUsPerMsg),
          `${fmt.mib(row.rssStart)} → ${fmt.mib(row.rssPeak)}`,
          `**${fmt.mib(row.growthBytes)}**`,
          fmt.mib(row.lateGrowthBytes),
          fmt.mib(row.heapTotalPeak),
          fmt.mib(row.heapAfterGc),
          row.verified ? '✓' : '✗',
        ]),
      ),
    )
    for (const row of results.bulk) {
      const curve = row.curve.map(([t, rss]) => `${(t / 1000).toFixed(1)} s ${fmt.mib(rss)}`)
      out.push(
        '',
        `RSS over time (${row.impl}, ${protocolName(row.protocol)}, MiB): ${curve.join(', ')}`,
      )
    }
  }

  if (results.broadcast !== undefined) {
    out.push('', '## 5. Server broadcast', '')
    if (results.broadcast.todo !== undefined) {
      out.push(`TODO — not yet measured: ${results.broadcast.todo}`)
    } else {
      const b = results.broadcast
      out.push(
        `${b.subscriptions.toLocaleString('en-US')} stored subscriptions on @pushcraft/testing's ` +
          'mock push service (own process, HTTPS, VAPID verified per request, load-test mode: ' +
          "bodies not decrypted). server: apps/server's app on a SQLite file that a separate " +
          'process filled beforehand, `POST /api/push/broadcasts`, timed until the broadcast is ' +
          '`completed` (the server reads pages of 1,000 rows and applies results in batches). ' +
          'library: `PushClient#sendMany` over the same subscriptions held in memory (its RSS ' +
          "includes them). Both at the server's defaults (64 in flight, 16 connections), after " +
          'a warm-up.',
        '',
      )
      const server = find(b.rows, { impl: 'server' })
      const lib = find(b.rows, { impl: 'library' })
      out.push(
        table(
          ['', 'msg/s', 'CPU µs/msg', 'peak RSS MiB', 'delivered', 'server / library'],
          [server, lib]
            .filter((row) => row !== undefined)
            .map((row) => [
              row.impl,
              fmt.rate(row.msgsPerSec),
              fmt.us(row.cpuUsPerMsg),
              fmt.mib(row.peakRssBytes),
              row.verified ? '✓ all' : '✗',
              row.impl === 'server' ? `**${fmt.ratio(server.msgsPerSec / lib?.msgsPerSec)}**` : '',
            ]),
        ),
      )
    }
  }

  if (results.queue !== undefined)
    out.push('', ...renderQueue(results.queue, results.machine.loadStart))
  out.push('')
  return out.join('\n')
}

/** Section 5b: apps/server queue mode, 1 vs 2 workers. */
function renderQueue(q, loadStart) {
  const out = ['## 5b. Server broadcast, queue mode (1 vs 2 workers)', '']
  if (q.missing !== undefined) {
    out.push(`✗ FAILED — not measured: ${q.missing}.`)
    return out
  }
  if (q.error !== undefined) {
    out.push(`✗ FAILED — ${q.error}`)
    return out
  }
  out.push(
    `${q.messages.toLocaleString('en-US')} stored subscriptions, one broadcast per run through ` +
      "apps/server's queue mode (`apps/server/scripts/bench-queue.mjs`, issue 8's hook): " +
      'BullMQ on a throwaway redis-server, subscriptions and results in a throwaway PostgreSQL, ' +
      'N fresh `dist/worker.js` processes (chunks of 250, 4 jobs per worker, 64 sends in flight, ' +
      '16 connections), the mock push service (HTTPS, no decryption) in a process of its own. ' +
      'Timed from the broadcast’s creation to its `finished_at`; ' +
      `${q.rounds} round(s), medians. CPU: the workers’ and the mock’s (/proc and ` +
      '`process.cpuUsage()`); Redis and PostgreSQL are not counted.',
    '',
  )
  out.push(
    table(
      [
        'workers',
        'msg/s',
        'seconds',
        'worker CPU µs/msg',
        'mock CPU µs/msg',
        'cores busy (workers + mock)',
        'delivered',
        'speed-up',
      ],
      q.rows.map((row) => [
        String(row.workers),
        fmt.rate(row.msgsPerSec),
        Number.isFinite(row.seconds) ? row.seconds.toFixed(2) : '—',
        fmt.us(row.workerCpuUsPerMsg),
        fmt.us(row.mockCpuUsPerMsg),
        Number.isFinite(row.coresBusy) ? row.coresBusy.toFixed(2) : '—',
        row.verified ? '✓ all' : '✗',
        row.workers === 1 ? '1.00×' : `**${fmt.ratio(q.speedup)}**`,
      ]),
    ),
  )
  const one = q.rows.find((row) => row.workers === 1)
  const two = q.rows.find((row) => row.workers === 2)
  if (one !== undefined && two !== undefined && Number.isFinite(q.speedup)) {
    const cpuOne = one.workerCpuUsPerMsg + one.mockCpuUsPerMsg
    const cpuTwo = two.workerCpuUsPerMsg + two.mockCpuUsPerMsg
    const change = (cpuTwo / cpuOne - 1) * 100
    const met = q.speedup >= 1.6
    out.push(
      '',
      `Target (issue 8): 2 workers ≥ 1.6× one worker — ${fmt.ratio(q.speedup)}, ` +
        `${met ? '✓' : `✗ short by ${(((1.6 - q.speedup) / 1.6) * 100).toFixed(0)}%`}. ` +
        `Why: workers + mock spent ${fmt.us(cpuOne)} µs of CPU per message with 1 worker and ` +
        `${fmt.us(cpuTwo)} µs with 2 (${change >= 0 ? '+' : ''}${change.toFixed(0)}%: each fresh ` +
        'worker pays its own start-up, JIT warm-up and TLS connections, and the hook does not ' +
        `warm up). At that cost ${q.cores} cores carry at most ${fmt.rate(q.ceilingMsgsPerSec)} ` +
        `msg/s with nothing else running, a ceiling of ${fmt.ratio(q.ceilingSpeedup)} one ` +
        `worker's rate${q.ceilingSpeedup < 1.6 ? ', below the target by CPU cost alone' : ''}. ` +
        `The measured processes kept ${two.coresBusy.toFixed(2)} of ${q.cores} cores busy with ` +
        `2 workers (${one.coresBusy.toFixed(2)} with 1): the mock push service runs on the same ` +
        'cores as the workers, and Redis, PostgreSQL and the rest of the machine' +
        `${loadStart === undefined ? '' : ` (load average ${loadStart[0]} at the start)`} take ` +
        'the remainder, so on a 2-core machine a second worker only gets what the first leaves ' +
        'idle.',
    )
  }
  return out
}
