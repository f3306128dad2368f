import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { exportVapidKeys, generateVapidKeys } from '@pushcraft/webpush'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { loadConfig, parseDatabaseUrl, toSubject } from '../src/config.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pushcraft-config-'))
})
afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

describe('loadConfig', () => {
  it('starts with no environment: defaults, generated VAPID key and admin token persisted 0600', async () => {
    const config = await loadConfig({ env: {}, cwd: dir })
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 3000,
      appName: 'pushcraft',
      subject: 'mailto:admin@example.com',
      dataDir: join(dir, 'data'),
      database: { kind: 'sqlite', filename: join(dir, 'data', 'pushcraft.sqlite') },
      sendConcurrency: 64,
      corsOrigins: [],
      endpointPolicy: {
        allowInsecure: false,
        allowedHosts: [
          'fcm.googleapis.com',
          '*.push.services.mozilla.com',
          '*.push.apple.com',
          '*.notify.windows.com',
        ],
      },
    })
    expect(config.vapid.source).toBe('generated')
    expect(config.admin.source).toBe('generated')
    const keyFile = join(dir, 'data', 'vapid-private.pem')
    const tokenFile = join(dir, 'data', 'admin-token')
    expect(statSync(keyFile).mode & 0o777).toBe(0o600)
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600)
    expect(statSync(join(dir, 'data')).mode & 0o077).toBe(0)
    expect(readFileSync(keyFile, 'utf8')).toContain('-----BEGIN PRIVATE KEY-----')
    expect(readFileSync(tokenFile, 'utf8').trim()).toBe(config.admin.token)
    expect(config.admin.token.length).toBeGreaterThanOrEqual(32)

    // The second start reuses both.
    const again = await loadConfig({ env: {}, cwd: dir })
    expect(again.vapid.source).toBe('file')
    expect(again.vapid.keys.applicationServerKey).toBe(config.vapid.keys.applicationServerKey)
    expect(again.admin).toMatchObject({ source: 'file', token: config.admin.token })
  })

  it('takes VAPID_PRIVATE as raw base64url, base64 DER, PEM text or a PEM file path', async () => {
    const keys = await generateVapidKeys()
    const raw = await exportVapidKeys(keys, { format: 'raw' })
    const der = await exportVapidKeys(keys, { format: 'der' })
    const pem = await exportVapidKeys(keys, { format: 'pkcs8-pem' })
    const sec1 = await exportVapidKeys(keys, { format: 'sec1-pem' })
    writeFileSync(join(dir, 'vapid.pem'), sec1.privateKey)
    const inputs = [
      { VAPID_PRIVATE: raw.privateKey },
      { VAPID_PRIVATE: raw.privateKey, VAPID_PUBLIC: raw.publicKey },
      { VAPID_PRIVATE: der.privateKey },
      // pywebpush's form: standard base64 (with + / and padding) of the DER.
      { VAPID_PRIVATE: Buffer.from(der.privateKey, 'base64url').toString('base64') },
      { VAPID_PRIVATE: pem.privateKey },
      { VAPID_PRIVATE: 'vapid.pem' },
      { VAPID_PRIVATE: join(dir, 'vapid.pem') },
    ]
    for (const env of inputs) {
      const config = await loadConfig({ env: { ...env, DATA_DIR: join(dir, 'data') }, cwd: dir })
      expect(config.vapid.source).toBe('env')
      expect(config.vapid.keys.applicationServerKey).toBe(keys.applicationServerKey)
    }
  })

  it('refuses a broken VAPID key without printing it', async () => {
    const secret = 'not-a-key-but-a-secret-looking-value'
    await expect(loadConfig({ env: { VAPID_PRIVATE: secret }, cwd: dir })).rejects.toMatchObject({
      code: 'ERR_VAPID_KEY',
    })
    await expect(loadConfig({ env: { VAPID_PRIVATE: secret }, cwd: dir })).rejects.not.toThrow(
      secret,
    )
    await expect(
      loadConfig({ env: { VAPID_PRIVATE: './missing.pem' }, cwd: dir }),
    ).rejects.toMatchObject({ code: 'ERR_VAPID_KEY' })
    const keys = await generateVapidKeys()
    const other = await generateVapidKeys()
    const raw = await exportVapidKeys(keys, { format: 'raw' })
    await expect(
      loadConfig({
        env: { VAPID_PRIVATE: raw.privateKey, VAPID_PUBLIC: other.applicationServerKey },
        cwd: dir,
      }),
    ).rejects.toMatchObject({ code: 'ERR_VAPID_KEY' })
  })

  it('reports every malformed variable at once, before writing anything', async () => {
    const error = await loadConfig({
      env: {
        PORT: 'http',
        SEND_CONCURRENCY: '0',
        COMPANY_EMAIL: 'not an address',
        DATABASE_URL: 'mysql://root@db/app',
        ALLOW_INSECURE_ENDPOINTS: 'maybe',
        CORS_ORIGINS: 'https://ok.example,not-an-origin',
        LOG_LEVEL: 'loud',
        PUBLIC_URL: 'ftp://x',
      },
      cwd: dir,
    }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'ERR_CONFIG_INVALID' })
    const variables = (error as { issues: { variable: string }[] }).issues
      .map((i) => i.variable)
      .sort()
    expect(variables).toEqual(
      [
        'ALLOW_INSECURE_ENDPOINTS',
        'COMPANY_EMAIL',
        'CORS_ORIGINS',
        'DATABASE_URL',
        'LOG_LEVEL',
        'PORT',
        'PUBLIC_URL',
        'SEND_CONCURRENCY',
      ].sort(),
    )
    expect(() => statSync(join(dir, 'data'))).toThrow()
  })

  it('refuses a short ADMIN_TOKEN', async () => {
    await expect(loadConfig({ env: { ADMIN_TOKEN: 'short' }, cwd: dir })).rejects.toMatchObject({
      code: 'ERR_CONFIG_INVALID',
      issues: [expect.objectContaining({ variable: 'ADMIN_TOKEN' })],
    })
  })

  it('parses the other settings', async () => {
    const config = await loadConfig({
      env: {
        HOST: '0.0.0.0',
        PORT: '8080',
        APP_NAME: 'Acme',
        COMPANY_EMAIL: 'ops@acme.example',
        ADMIN_TOKEN: 'a-long-enough-admin-token',
        SEND_CONCURRENCY: '200',
        PUSH_ALLOWED_HOSTS: 'fcm.googleapis.com, *.push.apple.com',
        CORS_ORIGINS: 'https://acme.example, http://localhost:5173',
        DATABASE_URL: 'postgres://u:p@db.internal:5432/push',
      },
      cwd: dir,
    })
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 8080,
      appName: 'Acme',
      subject: 'mailto:ops@acme.example',
      admin: { token: 'a-long-enough-admin-token', source: 'env' },
      sendConcurrency: 200,
      endpointPolicy: { allowedHosts: ['fcm.googleapis.com', '*.push.apple.com'] },
      corsOrigins: ['https://acme.example', 'http://localhost:5173'],
      database: { kind: 'postgres', url: 'postgres://u:p@db.internal:5432/push' },
    })
  })
})

describe('toSubject', () => {
  it.each([
    ['admin@example.com', 'mailto:admin@example.com'],
    ['mailto:admin@example.com', 'mailto:admin@example.com'],
    ['https://example.com/contact', 'https://example.com/contact'],
    ['example.com', undefined],
    ['mailto:nobody', undefined],
    ['http://example.com', undefined],
  ])('%s → %s', (input, expected) => {
    expect(toSubject(input)).toBe(expected)
  })
})

describe('parseDatabaseUrl', () => {
  const base = { dataDir: '/srv/data', cwd: '/srv' }
  it.each([
    [undefined, { kind: 'sqlite', filename: '/srv/data/pushcraft.sqlite' }],
    ['sqlite:app.sqlite', { kind: 'sqlite', filename: '/srv/app.sqlite' }],
    ['sqlite:///var/lib/push.sqlite', { kind: 'sqlite', filename: '/var/lib/push.sqlite' }],
    ['sqlite::memory:', { kind: 'sqlite', filename: ':memory:' }],
    ['postgresql://u@h/db', { kind: 'postgres', url: 'postgresql://u@h/db' }],
  ])('%s', (url, expected) => {
    expect(parseDatabaseUrl(url, base)).toEqual(expected)
  })

  it.each(['mysql://root:hunter2@db/app', 'sqlite:', 'postgres://', 'nonsense'])(
    'refuses %s without echoing it',
    (url) => {
      expect(() => parseDatabaseUrl(url, base)).toThrow(
        expect.objectContaining({ code: 'ERR_DATABASE_URL' }),
      )
      expect(() => parseDatabaseUrl(url, base)).not.toThrow(/hunter2/)
    },
  )
})

describe('queue mode configuration (REDIS_URL)', () => {
  const pg = 'postgres://push:secret@db.internal:5432/push'

  it('is off without REDIS_URL', async () => {
    const config = await loadConfig({ env: {}, cwd: dir })
    expect(config.queue).toBeUndefined()
  })

  it('reads REDIS_URL and the worker settings, with defaults', async () => {
    const config = await loadConfig({
      env: { REDIS_URL: 'redis://:pw@cache:6380/2', DATABASE_URL: pg },
      cwd: dir,
    })
    expect(config.queue).toEqual({
      redisUrl: 'redis://:pw@cache:6380/2',
      prefix: 'pushcraft',
      chunkSize: 250,
      workerConcurrency: 4,
      lockDurationMs: 30_000,
      stalledIntervalMs: 30_000,
      maxStalledCount: 3,
      attempts: 5,
      services: ['fcm', 'mozilla', 'apple', 'wns', 'other'],
    })
    const tuned = await loadConfig({
      env: {
        REDIS_URL: 'rediss://cache.example.com',
        DATABASE_URL: pg,
        QUEUE_PREFIX: 'push-eu',
        QUEUE_CHUNK_SIZE: '500',
        WORKER_CONCURRENCY: '8',
        WORKER_LOCK_MS: '5000',
        WORKER_STALLED_INTERVAL_MS: '2000',
        WORKER_SERVICES: 'FCM, apple,fcm',
      },
      cwd: dir,
    })
    expect(tuned.queue).toMatchObject({
      prefix: 'push-eu',
      chunkSize: 500,
      workerConcurrency: 8,
      lockDurationMs: 5000,
      stalledIntervalMs: 2000,
      services: ['fcm', 'apple'],
    })
  })

  it('refuses queue mode on SQLite, naming DATABASE_URL and why', async () => {
    const error = await loadConfig({ env: { REDIS_URL: 'redis://cache:6379' }, cwd: dir }).catch(
      (e: unknown) => e,
    )
    expect(error).toMatchObject({
      code: 'ERR_CONFIG_INVALID',
      issues: [expect.objectContaining({ variable: 'DATABASE_URL' })],
    })
    expect((error as Error).message).toMatch(/needs PostgreSQL/)
  })

  it.each([
    ['http://cache:6379', 'REDIS_URL'],
    ['redis://', 'REDIS_URL'],
    ['redis://cache/db0', 'REDIS_URL'],
  ])('refuses REDIS_URL=%s without echoing it', async (url, variable) => {
    const error = await loadConfig({
      env: { REDIS_URL: url.replace('cache', ':hunter2@cache'), DATABASE_URL: pg },
      cwd: dir,
    }).catch((e: unknown) => e)
    expect(error).toMatchObject({
      code: 'ERR_CONFIG_INVALID',
      issues: [expect.objectContaining({ variable })],
    })
    expect((error as Error).message).not.toMatch(/hunter2/)
  })

  it('checks the worker settings', async () => {
    const error = await loadConfig({
      env: {
        REDIS_URL: 'redis://cache:6379',
        DATABASE_URL: pg,
        QUEUE_CHUNK_SIZE: '0',
        WORKER_CONCURRENCY: 'many',
        QUEUE_PREFIX: 'a:b',
        WORKER_SERVICES: 'fcm,gcm',
      },
      cwd: dir,
    }).catch((e: unknown) => e)
    const variables = (error as { issues: { variable: string }[] }).issues.map((i) => i.variable)
    expect(variables).toEqual([
      'QUEUE_CHUNK_SIZE',
      'WORKER_CONCURRENCY',
      'WORKER_SERVICES',
      'QUEUE_PREFIX',
    ])
  })
})
