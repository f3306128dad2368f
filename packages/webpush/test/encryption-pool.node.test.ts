// The worker-thread encryption pool (src/internal/encryption-pool.ts). What ships runs here: the
// pool and its worker are loaded from dist/ (the test task builds first), and every result is
// opened by @pushcraft/testing's independent RFC 8291 receiver.
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { decryptPushMessage, generateUserAgentKeys, type UserAgentKeys } from '@pushcraft/testing'
import { EncryptionPool as SourceEncryptionPool } from '../src/internal/encryption-pool.ts'
import type * as PoolModule from '../src/internal/encryption-pool.ts'
import type { EncryptionInput, EncryptionResult } from '../src/internal/encryption.ts'
import { WebPushError } from '../src/errors.ts'
import { encryptedBodySize, type ContentEncoding } from '../src/padding.ts'

const distPool = new URL('../dist/internal/encryption-pool.js', import.meta.url)
if (!existsSync(distPool)) {
  throw new Error('dist/ is missing: run `pnpm --filter @pushcraft/webpush run build` first')
}
const { EncryptionPool } = (await import(distPool.href)) as typeof PoolModule

const utf8 = new TextEncoder()

function inputFor(
  keys: UserAgentKeys,
  text: string,
  contentEncoding: ContentEncoding = 'aes128gcm',
  padding = 0,
): EncryptionInput {
  return {
    userAgentPublicKey: keys.publicKey,
    authSecret: keys.authSecret,
    plaintext: utf8.encode(text),
    contentEncoding,
    padding,
  }
}

async function open(
  result: EncryptionResult,
  contentEncoding: ContentEncoding,
  keys: UserAgentKeys,
): Promise<string> {
  const plaintext = await decryptPushMessage(
    result.body,
    { contentEncoding, encryption: result.encryption, cryptoKey: result.cryptoKey },
    keys,
  )
  return new TextDecoder().decode(plaintext)
}

/** An uncompressed point (0x04 ‖ x ‖ y) whose coordinates do not satisfy the P-256 equation. */
const offCurve = Uint8Array.from({ length: 65 }, (_, i) => (i === 0 ? 4 : 1))

describe('EncryptionPool options', () => {
  it('takes 1 to 64 threads', async () => {
    for (const threads of [0, 65, 1.5, -1, Number.NaN]) {
      expect(() => new EncryptionPool({ threads })).toThrow(RangeError)
    }
    expect(() => new EncryptionPool({ threads: '2' as unknown as number })).toThrow(TypeError)
    const pool = new EncryptionPool({ threads: 64 })
    expect(pool.threads).toBe(64)
    // No job, no worker.
    expect(pool.workersForTesting()).toHaveLength(0)
    await pool.close()
  })

  it('refuses the vector-only inputs (fixed salt or ephemeral key)', async () => {
    const keys = await generateUserAgentKeys()
    const pool = new EncryptionPool({ threads: 1 })
    await expect(
      pool.encrypt({ ...inputFor(keys, 'x'), salt: new Uint8Array(16) }),
    ).rejects.toBeInstanceOf(TypeError)
    await pool.close()
  })
})

describe('EncryptionPool results (RFC 8291 §3, draft-ietf-webpush-encryption-04)', () => {
  it('decrypt with the receiver’s keys, in both codings, with and without padding', async () => {
    const keys = await generateUserAgentKeys()
    const pool = new EncryptionPool({ threads: 2 })
    try {
      for (const contentEncoding of ['aes128gcm', 'aesgcm'] as const) {
        for (const padding of [0, 1, 37, 300]) {
          const text = `${contentEncoding} with ${padding} octets of padding`
          const result = await pool.encrypt(inputFor(keys, text, contentEncoding, padding))
          expect(await open(result, contentEncoding, keys)).toBe(text)
          expect(result.body.length).toBe(
            encryptedBodySize(utf8.encode(text).length, { contentEncoding, padding }),
          )
          expect(result.applicationServerPublicKey).toHaveLength(65)
          expect(result.applicationServerPublicKey[0]).toBe(0x04)
          // Fresh arrays, not views of the batch's buffer.
          expect(result.body.buffer.byteLength).toBe(result.body.length)
          if (contentEncoding === 'aes128gcm') {
            // RFC 8291 §4: keyid is as_public; aes128gcm carries no extra headers.
            expect(result.body.subarray(21, 86)).toEqual(result.applicationServerPublicKey)
            expect(result.encryption).toBeUndefined()
            expect(result.cryptoKey).toBeUndefined()
          } else {
            expect(result.encryption).toMatch(/^salt=/)
            expect(result.cryptoKey).toMatch(/^dh=/)
          }
        }
      }
    } finally {
      await pool.close()
    }
  })

  it('encrypts an empty payload', async () => {
    const keys = await generateUserAgentKeys()
    const pool = new EncryptionPool({ threads: 1 })
    try {
      const result = await pool.encrypt(inputFor(keys, ''))
      expect(await open(result, 'aes128gcm', keys)).toBe('')
    } finally {
      await pool.close()
    }
  })

  it('keeps 2,000 concurrent jobs on 2 threads apart: each result is its own input’s', async () => {
    const receivers = await Promise.all(Array.from({ length: 8 }, () => generateUserAgentKeys()))
    const pool = new EncryptionPool({ threads: 2 })
    try {
      const jobs = Array.from({ length: 2000 }, (_, i) => {
        const keys = receivers[i % receivers.length]!
        const contentEncoding: ContentEncoding = i % 3 === 0 ? 'aesgcm' : 'aes128gcm'
        // Lengths vary so that a body read at the wrong offset cannot pass.
        const text = `message ${i} ${'.'.repeat(i % 50)}`
        return { keys, contentEncoding, text, padding: i % 5 }
      })
      const results = await Promise.all(
        jobs.map((job) =>
          pool.encrypt(inputFor(job.keys, job.text, job.contentEncoding, job.padding)),
        ),
      )
      // Both workers took part.
      expect(pool.workersForTesting()).toHaveLength(2)
      const seen = new Set<string>()
      for (const [i, job] of jobs.entries()) {
        const result = results[i]!
        expect(await open(result, job.contentEncoding, job.keys)).toBe(job.text)
        expect(result.body.length).toBe(
          encryptedBodySize(utf8.encode(job.text).length, {
            contentEncoding: job.contentEncoding,
            padding: job.padding,
          }),
        )
        seen.add(Buffer.from(result.applicationServerPublicKey).toString('hex'))
      }
      // RFC 8291 §3.1: a fresh ephemeral key per message.
      expect(seen.size).toBe(jobs.length)
    } finally {
      await pool.close()
    }
  })
})

describe('EncryptionPool errors', () => {
  it('rebuilds the WebPushError of an off-curve p256dh; the batch’s other jobs succeed', async () => {
    const keys = await generateUserAgentKeys()
    const pool = new EncryptionPool({ threads: 1 })
    try {
      const [before, bad, after] = await Promise.allSettled([
        pool.encrypt(inputFor(keys, 'before')),
        pool.encrypt({ ...inputFor(keys, 'bad'), userAgentPublicKey: offCurve }),
        pool.encrypt(inputFor(keys, 'after', 'aesgcm')),
      ])
      expect(before.status === 'fulfilled' && (await open(before.value, 'aes128gcm', keys))).toBe(
        'before',
      )
      expect(after.status === 'fulfilled' && (await open(after.value, 'aesgcm', keys))).toBe(
        'after',
      )
      expect(bad.status).toBe('rejected')
      const error = (bad as PromiseRejectedResult).reason as WebPushError
      expect(error).toBeInstanceOf(WebPushError)
      expect(error).toMatchObject({
        name: 'WebPushError',
        code: 'ERR_WEBPUSH_INVALID_SUBSCRIPTION',
        field: 'keys.p256dh',
        reason: 'not-on-curve',
      })
      expect(error.cause).toBeInstanceOf(Error)
    } finally {
      await pool.close()
    }
  })

  it('close() rejects queued and in-flight jobs, then every later one', async () => {
    const keys = await generateUserAgentKeys()
    const pool = new EncryptionPool({ threads: 2 })
    // 64 jobs post a batch at once (in flight); 10 more wait in the queue.
    const pending = Array.from({ length: 74 }, (_, i) => pool.encrypt(inputFor(keys, `m${i}`)))
    expect(pool.workersForTesting().reduce((sum, w) => sum + w.outstanding, 0)).toBe(64)
    const closing = pool.close()
    expect(pool.close()).toBe(closing)
    const settled = await Promise.allSettled(pending)
    for (const outcome of settled) {
      expect(outcome.status).toBe('rejected')
      const reason: unknown = (outcome as PromiseRejectedResult).reason
      expect(reason).toBeInstanceOf(Error)
      expect(reason).not.toBeInstanceOf(WebPushError)
    }
    await closing
    expect(pool.workersForTesting()).toHaveLength(0)
    await expect(pool.encrypt(inputFor(keys, 'late'))).rejects.toThrow(/closed/)
  })

  it('a terminated worker rejects its own jobs only, and the pool replaces it', async () => {
    const keys = await generateUserAgentKeys()
    const pool = new EncryptionPool({ threads: 2 })
    try {
      const jobs = Array.from({ length: 200 }, (_, i) => pool.encrypt(inputFor(keys, `m${i}`)))
      // Let the last, partial batch go out too.
      await new Promise((resolve) => setImmediate(resolve))
      const workers = pool.workersForTesting()
      expect(workers).toHaveLength(2)
      const victim = workers[0]!
      expect(victim.outstanding).toBeGreaterThan(0)
      expect(workers[1]!.outstanding).toBe(200 - victim.outstanding)
      await victim.worker.terminate()

      const settled = await Promise.allSettled(jobs)
      const rejected = settled.filter((outcome) => outcome.status === 'rejected')
      expect(rejected).toHaveLength(victim.outstanding)
      for (const outcome of rejected) {
        expect(outcome.reason).toBeInstanceOf(Error)
        expect(outcome.reason).not.toBeInstanceOf(WebPushError)
      }
      for (const [i, outcome] of settled.entries()) {
        if (outcome.status === 'fulfilled') {
          expect(await open(outcome.value, 'aes128gcm', keys)).toBe(`m${i}`)
        }
      }

      // Recovered: the next jobs run, on a new worker in the free slot.
      const again = await Promise.all(
        Array.from({ length: 4 }, (_, i) => pool.encrypt(inputFor(keys, `again ${i}`))),
      )
      for (const [i, result] of again.entries()) {
        expect(await open(result, 'aes128gcm', keys)).toBe(`again ${i}`)
      }
      const now = pool.workersForTesting()
      expect(now).toHaveLength(2)
      expect(now.map((w) => w.worker)).not.toContain(victim.worker)
    } finally {
      await pool.close()
    }
  })
})

describe('EncryptionPool lifecycle', () => {
  it('an idle pool does not keep the process alive; a pending job does', async () => {
    // No top-level await and no close(): only the job in flight may keep the child alive until
    // it prints, and nothing may keep it alive afterwards.
    const script = `
      import { createECDH, randomBytes } from 'node:crypto'
      import { EncryptionPool } from ${JSON.stringify(distPool.href)}
      const pool = new EncryptionPool({ threads: 2 })
      const userAgentPublicKey = createECDH('prime256v1').generateKeys()
      pool
        .encrypt({
          userAgentPublicKey,
          authSecret: randomBytes(16),
          plaintext: new TextEncoder().encode('hello'),
          contentEncoding: 'aes128gcm',
          padding: 0,
        })
        .then((result) => process.stdout.write('encrypted ' + result.body.length + '\\n'))
    `
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>(
      (resolve) => {
        const child = execFile(
          process.execPath,
          ['--input-type=module', '-e', script],
          { timeout: 15_000, cwd: fileURLToPath(new URL('..', import.meta.url)) },
          (error, out) => {
            resolve({ code: error === null ? 0 : (child.exitCode ?? -1), stdout: out })
          },
        )
      },
    )
    expect(stdout.trim()).toBe(`encrypted ${encryptedBodySize(5)}`)
    expect(code).toBe(0)
  })

  it('loaded from the TypeScript sources, the pool runs the built worker', async () => {
    const keys = await generateUserAgentKeys()
    const pool = new SourceEncryptionPool({ threads: 1 })
    try {
      const result = await pool.encrypt(inputFor(keys, 'from src'))
      expect(await open(result, 'aes128gcm', keys)).toBe('from src')
    } finally {
      await pool.close()
    }
  })
})
