/**
 * Builds the app for tests: a fresh database of the given dialect, a temporary data directory,
 * a configuration from an environment (the production parser), and optionally trust in a local
 * mock push service (its CA, and 127.0.0.1 on the allow-list in the test-only insecure mode).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import type { MockPushService } from '@pushcraft/testing'

import { buildApp, type App } from '../../src/app.js'
import { loadConfig, type ServerConfig } from '../../src/config.js'
import { openStore, type Store } from '../../src/store/store.js'
import { createTestDatabase, type DialectName, type TestDatabase } from './databases.js'

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef'
export const admin = { authorization: `Bearer ${ADMIN_TOKEN}` }

export interface TestServer {
  readonly app: App
  readonly store: Store
  readonly config: ServerConfig
  readonly database: TestDatabase
  readonly dataDir: string
  close(): Promise<void>
}

export async function createTestServer(options: {
  dialect: DialectName
  env?: Record<string, string>
  mock?: MockPushService
  database?: TestDatabase
}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pushcraft-data-'))
  const database = options.database ?? (await createTestDatabase(options.dialect))
  const config = await loadConfig({
    cwd: dataDir,
    env: {
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      ADMIN_TOKEN,
      APP_NAME: 'pushcraft test',
      RATE_LIMIT_MAX: '10000',
      SEND_TIMEOUT_MS: '10000',
      ...(options.mock === undefined
        ? {}
        : { PUSH_ALLOWED_HOSTS: '127.0.0.1', ALLOW_INSECURE_ENDPOINTS: 'true' }),
      ...options.env,
    },
  })
  const store = await openStore(database.config)
  const app = await buildApp({
    config: { ...config, database: database.config },
    store,
    processMetrics: false,
    ...(options.mock?.ca === undefined ? {} : { pushConnect: { ca: options.mock.ca } }),
  })
  return {
    app,
    store,
    config,
    database,
    dataDir,
    async close() {
      await app.close()
      await store.close()
      if (options.database === undefined) await database.drop()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

export async function waitFor<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error('timed out waiting')
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}
