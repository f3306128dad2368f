/**
 * Queue mode's start-up errors, each precise and without secrets: the worker entry point
 * (`dist/worker.js`) without `REDIS_URL`, on SQLite, with Redis unreachable, or with another VAPID
 * key than the stored subscriptions were made with; and the API process with Redis unreachable.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { openStore } from '../src/store/store.js'
import { createTestDatabase, type TestDatabase } from './helpers/databases.js'
import { assertWorkerBuilt, redisUrl, spawnWorker } from './helpers/queue.js'

let dir: string
let database: TestDatabase
let pgUrl: string
let closedPort: number

beforeAll(async () => {
  assertWorkerBuilt()
  dir = mkdtempSync(join(tmpdir(), 'pushcraft-queue-startup-'))
  database = await createTestDatabase('postgres')
  if (database.config.kind !== 'postgres') throw new Error('expected PostgreSQL')
  pgUrl = database.config.url
  closedPort = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => {
        resolve(typeof address === 'object' && address !== null ? address.port : 1)
      })
    })
  })
})

afterAll(async () => {
  await database?.drop()
  rmSync(dir, { recursive: true, force: true })
})

async function failsWith(env: Record<string, string>): Promise<string> {
  const worker = spawnWorker({ DATA_DIR: join(dir, 'data'), ...env })
  expect(await worker.exited).toBe(1)
  expect(worker.stdout).not.toContain('is running')
  return worker.stderr
}

describe('worker start-up errors', () => {
  it('needs REDIS_URL', async () => {
    const stderr = await failsWith({ DATABASE_URL: pgUrl })
    expect(stderr).toMatch(/cannot start \(ERR_CONFIG_INVALID\)/)
    expect(stderr).toMatch(/REDIS_URL: the worker needs REDIS_URL/)
  })

  it('needs PostgreSQL', async () => {
    const stderr = await failsWith({ REDIS_URL: redisUrl() })
    expect(stderr).toMatch(/\(ERR_CONFIG_INVALID\)/)
    expect(stderr).toMatch(/DATABASE_URL: queue mode \(REDIS_URL\) needs PostgreSQL/)
  })

  it('names an unreachable Redis without its password', async () => {
    const stderr = await failsWith({
      DATABASE_URL: pgUrl,
      REDIS_URL: `redis://:hunter2@127.0.0.1:${closedPort}`,
    })
    expect(stderr).toMatch(/\(ERR_REDIS_UNAVAILABLE\)/)
    expect(stderr).toContain(`redis://127.0.0.1:${closedPort}`)
    expect(stderr).not.toContain('hunter2')
  })

  it('refuses a VAPID key other than the one the subscriptions were made with', async () => {
    const store = await openStore(database.config)
    await store.upsertSubscription({
      endpoint: 'https://fcm.googleapis.com/fcm/send/other-key',
      p256dh: 'p',
      auth: 'a',
      encoding: 'aes128gcm',
      vapidKeyId: 'the-api-key',
    })
    await store.close()
    const stderr = await failsWith({ DATABASE_URL: pgUrl, REDIS_URL: redisUrl() })
    expect(stderr).toMatch(/\(ERR_VAPID_KEY\)/)
    expect(stderr).toMatch(/same VAPID_PRIVATE/)
  })
})

describe('API start-up in queue mode', () => {
  it('fails fast when Redis does not answer', async () => {
    const config = await loadConfig({
      cwd: dir,
      env: {
        DATA_DIR: join(dir, 'api'),
        LOG_LEVEL: 'silent',
        DATABASE_URL: pgUrl,
        REDIS_URL: `redis://127.0.0.1:${closedPort}`,
      },
    })
    const store = await openStore(config.database)
    try {
      await expect(buildApp({ config, store, processMetrics: false })).rejects.toMatchObject({
        code: 'ERR_REDIS_UNAVAILABLE',
      })
    } finally {
      await store.close()
    }
  })
})
