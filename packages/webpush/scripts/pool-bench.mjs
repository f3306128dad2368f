#!/usr/bin/env node
// Micro-benchmark (not a test) of the worker-thread encryption pool, on the built dist/:
//   (a) encryptPayload in this thread, 64 in flight;
//   (b) EncryptionPool with 1 and 2 threads, 64 and 256 in flight;
//   (c) for scale, web-push 3.6.7's synchronous `encrypt` (the encryption part of its
//       generateRequestDetails).
// Every variant encrypts the same 100-byte aes128gcm messages for 32 subscriptions. Variants
// alternate inside each round and the report gives the median of the rounds: msg/s (wall clock),
// CPU µs per message for the whole process (all threads: process.cpuUsage) and for the main
// thread alone (process.threadCpuUsage), which is what a sender has left for VAPID and HTTP.
//
//   pnpm --filter @pushcraft/webpush run build
//   node packages/webpush/scripts/pool-bench.mjs [--messages 20000] [--rounds 3]
import { createECDH, randomBytes } from 'node:crypto'
import { availableParallelism } from 'node:os'
import { parseArgs } from 'node:util'
import webpush from 'web-push'
import { encryptPayload } from '../dist/internal/encryption.js'
import { EncryptionPool } from '../dist/internal/encryption-pool.js'

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '3' },
  },
})
const MESSAGES = Number(values.messages)
const ROUNDS = Number(values.rounds)
const WARMUP = 2000

const subscriptions = Array.from({ length: 32 }, () => {
  const publicKey = createECDH('prime256v1').generateKeys()
  const authSecret = randomBytes(16)
  return {
    userAgentPublicKey: new Uint8Array(publicKey),
    authSecret: new Uint8Array(authSecret),
    p256dh: publicKey.toString('base64url'),
    auth: authSecret.toString('base64url'),
  }
})
const plaintext = new Uint8Array(100).fill(0x61)
const payload = Buffer.from(plaintext)

const input = (i) => {
  const s = subscriptions[i % subscriptions.length]
  return {
    userAgentPublicKey: s.userAgentPublicKey,
    authSecret: s.authSecret,
    plaintext,
    contentEncoding: 'aes128gcm',
    padding: 0,
  }
}

/** Runs `count` jobs with at most `inFlight` pending; checks every body's length. */
async function drive(encryptOne, count, inFlight) {
  let next = 0
  let bytes = 0
  const lane = async () => {
    while (next < count) {
      const result = await encryptOne(next++)
      bytes += result.body.length
    }
  }
  await Promise.all(Array.from({ length: inFlight }, lane))
  // 86-octet header + 100 + delimiter + 16-octet tag (RFC 8188 §2, RFC 8291 §4).
  if (bytes !== count * 203) throw new Error(`unexpected body sizes (${bytes} bytes)`)
}

const threadCpu = () => (process.threadCpuUsage ? process.threadCpuUsage() : undefined)

async function measure(variant) {
  const cpu0 = process.cpuUsage()
  const thread0 = threadCpu()
  const t0 = performance.now()
  await variant.run(MESSAGES)
  const ms = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  const thread1 = threadCpu()
  return {
    rate: (MESSAGES / ms) * 1000,
    cpu: (cpu.user + cpu.system) / MESSAGES,
    main:
      thread0 === undefined
        ? Number.NaN
        : (thread1.user - thread0.user + thread1.system - thread0.system) / MESSAGES,
  }
}

const pools = []
const poolVariant = (threads, inFlight) => {
  const pool = new EncryptionPool({ threads })
  pools.push(pool)
  return {
    name: `pool, ${threads} thread${threads > 1 ? 's' : ''}, ${inFlight} in flight`,
    run: (count) => drive((i) => pool.encrypt(input(i)), count, inFlight),
  }
}

const variants = [
  {
    name: 'in-thread encryptPayload, 64 in flight',
    run: (count) => drive((i) => encryptPayload(input(i)), count, 64),
  },
  poolVariant(1, 64),
  poolVariant(2, 64),
  poolVariant(2, 256),
  {
    name: 'web-push 3.6.7 encrypt (sync)',
    run: async (count) => {
      let bytes = 0
      for (let i = 0; i < count; i++) {
        const s = subscriptions[i % subscriptions.length]
        bytes += webpush.encrypt(s.p256dh, s.auth, payload, 'aes128gcm').cipherText.length
      }
      if (bytes !== count * 203) throw new Error(`unexpected body sizes (${bytes} bytes)`)
    },
  },
]

console.log(
  `node ${process.version}, ${availableParallelism()} cores (shared), ` +
    `${MESSAGES} messages × ${ROUNDS} rounds per variant, 100-byte aes128gcm`,
)
for (const variant of variants) await variant.run(WARMUP)

const samples = new Map(variants.map((variant) => [variant, []]))
for (let round = 0; round < ROUNDS; round++) {
  // Rotate the starting variant so that no variant always runs first or last.
  for (let k = 0; k < variants.length; k++) {
    const variant = variants[(round + k) % variants.length]
    samples.get(variant).push(await measure(variant))
  }
}
for (const pool of pools) await pool.close()

const median = (list) => {
  const sorted = [...list].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}
const rows = variants.map((variant) => {
  const list = samples.get(variant)
  return {
    name: variant.name,
    rate: median(list.map((s) => s.rate)),
    cpu: median(list.map((s) => s.cpu)),
    main: median(list.map((s) => s.main)),
  }
})
const base = rows[0].rate
const webPush = rows[rows.length - 1].rate
console.log('')
console.log(
  '| variant | msg/s | × in-thread | × web-push | CPU µs/msg (all threads) | main-thread µs/msg |',
)
console.log('| --- | ---: | ---: | ---: | ---: | ---: |')
for (const row of rows) {
  console.log(
    `| ${row.name} | ${Math.round(row.rate)} | ${(row.rate / base).toFixed(2)} | ` +
      `${(row.rate / webPush).toFixed(2)} | ${row.cpu.toFixed(1)} | ${row.main.toFixed(1)} |`,
  )
}
