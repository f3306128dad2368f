// The loopback HTTPS sink of scenarios 3 and 4, in its own process so its CPU is not the
// sender's. HTTP/1.1 is node:https; HTTP/2 is node:http2 with `allowHTTP1` (a client that does
// not offer h2 through ALPN, like Node's https module, still gets HTTP/1.1 there).
//
// It answers every POST with 201 + Location, like a push service, and checks the run: every
// measured message (`/m/<i>`) must arrive exactly once with Web Push headers, and a sample of them
// is decrypted (RFC 8291 receiver + @pushcraft/ece) and compared with the payload the sender was
// asked to send; the sample's VAPID header is verified too (@pushcraft/vapid).
//
// IPC: → `ready { port }`; `reset` → `reset-done` (after the sender's warm-up: counters start
// over); `finish { expected, payloadSize }` → `stats { … }`; `close`. One sink serves the runs of
// one protocol in turn, each with its own fresh sender process.

import { createServer as createHttpsServer } from 'node:https'
import { createSecureServer } from 'node:http2'

import { verifyVapidAuthorization } from '@pushcraft/vapid'

import { loadFixtures, payloadFor } from '../fixtures.mjs'
import { cpuSince } from '../measure.mjs'
import { decryptPush } from '../receiver.mjs'

/** Largest number of messages a run may carry (bitmap size). */
const MAX_MESSAGES = 1_000_000
/** Decrypted messages per run, spread evenly over it. */
const SAMPLES = 100

export async function run(job) {
  const fixtures = loadFixtures(job.fixtures)
  const tls = { key: fixtures.tls.key, cert: fixtures.tls.cert }

  let state
  const resetState = () => {
    state = {
      cpu: process.cpuUsage(),
      connections: 0,
      seen: new Uint8Array(MAX_MESSAGES),
      received: 0,
      warmup: 0,
      other: 0,
      badHeaders: [],
      kept: new Map(),
      sampleEvery: 1,
    }
  }
  resetState()

  const handle = (request, response) => {
    const chunks = []
    request.on('data', (chunk) => chunks.push(chunk))
    request.on('end', () => {
      const match = /^\/([mw])\/(\d+)$/.exec(request.url ?? '')
      if (request.method !== 'POST' || match === null) {
        state.other += 1
        response.writeHead(404).end()
        return
      }
      if (match[1] === 'w') state.warmup += 1
      else {
        const i = Number(match[2])
        const headers = request.headers
        state.received += 1
        if (state.seen[i] < 255) state.seen[i] += 1
        if (
          headers['ttl'] === undefined ||
          headers['content-encoding'] !== 'aes128gcm' ||
          !/^(vapid|webpush) /i.test(headers['authorization'] ?? '') ||
          Number(headers['content-length']) > 4096
        ) {
          if (state.badHeaders.length < 5) state.badHeaders.push({ i, headers })
        }
        if (i % state.sampleEvery === 0 && !state.kept.has(i)) {
          state.kept.set(i, {
            body: Buffer.concat(chunks),
            headers: {
              'content-encoding': headers['content-encoding'],
              encryption: headers['encryption'],
              'crypto-key': headers['crypto-key'],
              authorization: headers['authorization'],
            },
          })
        }
      }
      response.writeHead(201, {
        location: `/message/${match[2]}`,
        ttl: request.headers['ttl'] ?? '0',
      })
      response.end()
    })
  }

  const server =
    job.protocol === 'h2'
      ? createSecureServer({ ...tls, allowHTTP1: true }, handle)
      : createHttpsServer({ ...tls, keepAliveTimeout: 30_000 }, handle)
  server.on('secureConnection', () => {
    state.connections += 1
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  const origin = `https://127.0.0.1:${port}`

  const finish = async ({ expected, payloadSize }) => {
    const cpuUs = cpuSince(state.cpu)
    let missing = 0
    let duplicated = 0
    for (let i = 0; i < expected; i++) {
      if (state.seen[i] === 0) missing += 1
      else if (state.seen[i] > 1) duplicated += 1
    }
    const failures = []
    let checked = 0
    for (const [i, { body, headers }] of state.kept) {
      if (i >= expected) continue
      checked += 1
      const receiver = fixtures.receivers[i % fixtures.receivers.length]
      try {
        const text = await decryptPush(body, headers, receiver)
        if (text !== payloadFor(i, payloadSize)) failures.push(`message ${i}: wrong payload`)
        await verifyVapidAuthorization(
          { authorization: headers.authorization, cryptoKey: headers['crypto-key'] ?? null },
          { audience: origin, publicKey: fixtures.vapid.publicKey },
        )
      } catch (error) {
        failures.push(`message ${i}: ${error instanceof Error ? error.message : String(error)}`)
      }
    }
    return {
      connections: state.connections,
      received: state.received,
      warmupReceived: state.warmup,
      missing,
      duplicated,
      unexpected: state.other,
      badHeaders: state.badHeaders.length,
      badHeaderExample: state.badHeaders[0],
      sampled: checked,
      sampleFailures: failures.slice(0, 5),
      cpuUs,
      cpuUsPerMsg: state.received === 0 ? Number.NaN : cpuUs / state.received,
    }
  }

  await new Promise((resolve, reject) => {
    process.on('message', (message) => {
      if (message.type === 'reset') {
        resetState()
        state.sampleEvery = Math.max(1, Math.floor((message.expected ?? 1) / SAMPLES))
        process.send({ type: 'reset-done' })
      } else if (message.type === 'finish') {
        finish(message).then(
          (stats) => process.send({ type: 'stats', stats }),
          (error) => reject(error),
        )
      } else if (message.type === 'close') {
        server.close()
        resolve()
      }
    })
    process.send({ type: 'ready', port })
  })
  return {}
}
