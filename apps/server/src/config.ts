/**
 * Configuration: read from the environment (and an optional `--env-file`) once at start-up,
 * validated with one precise message per bad variable, and handed to the app as one typed object.
 * Missing secrets (the VAPID key pair, the admin token) are generated on first start and persisted
 * under `DATA_DIR` with 0600 permissions, so a fresh `./run start` works with no configuration.
 *
 * @module
 */

import { randomBytes } from 'node:crypto'
import {
  chmodSync,
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  writeSync,
} from 'node:fs'
import { isAbsolute, resolve as resolvePath } from 'node:path'

import type { PushServiceId } from '@pushcraft/webpush'

import { StartupError, type ConfigIssue } from './errors.js'
import { DEFAULT_PUSH_HOSTS, type EndpointPolicy } from './ssrf.js'
import { exportPrivateKeyPem, generateKeys, importKeys, type ServerVapidKeys } from './vapid.js'

/**
 * Where the database lives.
 *
 * @example
 *
 * ```ts
 * import type { DatabaseConfig } from './config.js'
 * const db: DatabaseConfig = { kind: 'sqlite', filename: ':memory:' }
 * ```
 */
export type DatabaseConfig =
  | { readonly kind: 'sqlite'; readonly filename: string }
  | { readonly kind: 'postgres'; readonly url: string }

/**
 * Queue mode (`REDIS_URL` set): broadcasts are split into chunks and sent by worker processes
 * through BullMQ queues, one per push service.
 *
 * @example
 *
 * ```ts
 * import type { QueueConfig } from './config.js'
 * const queue: QueueConfig = {
 *   redisUrl: 'redis://127.0.0.1:6379',
 *   prefix: 'pushcraft',
 *   chunkSize: 250,
 *   workerConcurrency: 4,
 *   lockDurationMs: 30_000,
 *   stalledIntervalMs: 30_000,
 *   maxStalledCount: 3,
 *   attempts: 5,
 *   services: ['fcm', 'mozilla', 'apple', 'wns', 'other'],
 * }
 * ```
 */
export interface QueueConfig {
  /** `REDIS_URL`: `redis://[user:password@]host[:port][/db]` or `rediss://` (TLS). */
  readonly redisUrl: string
  /** `QUEUE_PREFIX`: the BullMQ key prefix, so several deployments can share one Redis. */
  readonly prefix: string
  /** `QUEUE_CHUNK_SIZE`: subscriptions per send job. */
  readonly chunkSize: number
  /** `WORKER_CONCURRENCY`: jobs a worker process runs at once per push service queue. */
  readonly workerConcurrency: number
  /** `WORKER_LOCK_MS`: BullMQ `lockDuration`; a job whose lock expires is given to another worker. */
  readonly lockDurationMs: number
  /** `WORKER_STALLED_INTERVAL_MS`: how often workers look for jobs of dead workers. */
  readonly stalledIntervalMs: number
  /** `WORKER_MAX_STALLED`: how often a job may be recovered from a dead worker before it fails. */
  readonly maxStalledCount: number
  /** `QUEUE_ATTEMPTS`: attempts of a job that throws (the database is down, …), with backoff. */
  readonly attempts: number
  /** `WORKER_SERVICES`: the push services whose send queues a worker consumes (default all). */
  readonly services: readonly PushServiceId[]
}

/**
 * Where a secret came from: given in the environment, read from a file under `DATA_DIR`, or
 * generated (and written to that file) at this start.
 *
 * @example
 *
 * ```ts
 * import type { SecretSource } from './config.js'
 * const source: SecretSource = 'generated'
 * ```
 */
export type SecretSource = 'env' | 'file' | 'generated'

/**
 * The validated configuration of the server.
 *
 * @example
 *
 * ```ts
 * import { loadConfig, type ServerConfig } from './config.js'
 * const config: ServerConfig = await loadConfig({ env: { DATA_DIR: '/tmp/pushcraft' } })
 * ```
 */
export interface ServerConfig {
  /** Listen address (`HOST`, default `127.0.0.1`). */
  readonly host: string
  /** Listen port (`PORT`, default 3000; 0 picks a free one). */
  readonly port: number
  /** The URL people open (`PUBLIC_URL`), when the server sits behind a proxy. */
  readonly publicUrl: string | undefined
  /** `APP_NAME`: the title of the test notification. */
  readonly appName: string
  /** The VAPID `sub` claim (RFC 8292 §2.1), from `COMPANY_EMAIL`: `mailto:…` or `https:…`. */
  readonly subject: string
  /** `DATA_DIR` (absolute): persisted keys, token, and the default SQLite file. */
  readonly dataDir: string
  /** From `DATABASE_URL`. */
  readonly database: DatabaseConfig
  /** The application server's VAPID key pair. */
  readonly vapid: {
    readonly keys: ServerVapidKeys
    readonly source: SecretSource
    readonly file?: string
  }
  /** The admin bearer token (`ADMIN_TOKEN`, or persisted under `DATA_DIR`). */
  readonly admin: { readonly token: string; readonly source: SecretSource; readonly file?: string }
  /** `SEND_CONCURRENCY`: requests in flight per broadcast. */
  readonly sendConcurrency: number
  /** `PUSH_CONNECTIONS`: connections (and requests in flight) per push service origin. */
  readonly pushConnections: number
  /** `PUSH_ALLOWED_HOSTS` + `ALLOW_INSECURE_ENDPOINTS`. */
  readonly endpointPolicy: EndpointPolicy
  /** `CORS_ORIGINS`: origins allowed to call the API cross-origin (none by default). */
  readonly corsOrigins: readonly string[]
  /** `TRUST_PROXY`: take the client address from `X-Forwarded-For`. */
  readonly trustProxy: boolean
  /** `LOG_LEVEL`. */
  readonly logLevel: LogLevel
  /** `BODY_LIMIT`: the largest request body accepted, in bytes. */
  readonly bodyLimit: number
  /** `RATE_LIMIT_MAX` requests per `RATE_LIMIT_WINDOW_MS` per client on public routes. */
  readonly rateLimit: { readonly max: number; readonly windowMs: number }
  /** `OUTCOMES_PER_BROADCAST`: per-send outcomes kept for each broadcast (the most recent). */
  readonly outcomesPerBroadcast: number
  /** `SHUTDOWN_TIMEOUT_MS`: how long a shutdown waits for in-flight sends. */
  readonly shutdownTimeoutMs: number
  /** `SEND_TIMEOUT_MS`: timeout of one request to a push service. */
  readonly sendTimeoutMs: number
  /** `MAX_RETRIES`: how often a rate-limited (429) send is retried after `Retry-After`. */
  readonly maxRetries: number
  /** Queue mode, when `REDIS_URL` is set; `undefined`: broadcasts run in the API process. */
  readonly queue: QueueConfig | undefined
}

/**
 * The pino levels `LOG_LEVEL` accepts.
 *
 * @example
 *
 * ```ts
 * import type { LogLevel } from './config.js'
 * const level: LogLevel = 'warn'
 * ```
 */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'

const LOG_LEVELS: readonly LogLevel[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
]

/**
 * Options of {@link loadConfig}.
 *
 * @example
 *
 * ```ts
 * import type { LoadConfigOptions } from './config.js'
 * const options: LoadConfigOptions = { env: { PORT: '0' }, cwd: '/srv/pushcraft' }
 * ```
 */
export interface LoadConfigOptions {
  /** The variables (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Relative paths (`DATA_DIR`, `sqlite:` files, PEM paths) resolve against it (default cwd). */
  readonly cwd?: string
}

/** The file names under `DATA_DIR`. */
const VAPID_FILE = 'vapid-private.pem'
const TOKEN_FILE = 'admin-token'

class Reader {
  readonly issues: ConfigIssue[] = []
  readonly #env: Readonly<Record<string, string | undefined>>

  constructor(env: Readonly<Record<string, string | undefined>>) {
    this.#env = env
  }

  get(name: string): string | undefined {
    const value = this.#env[name]?.trim()
    return value === undefined || value === '' ? undefined : value
  }

  fail(variable: string, message: string): undefined {
    this.issues.push({ variable, message })
    return undefined
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.get(name)
    if (raw === undefined) return fallback
    const n = /^\d+$/.test(raw) ? Number(raw) : NaN
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      this.fail(name, `must be an integer from ${min} to ${max}, got "${raw.slice(0, 40)}"`)
      return fallback
    }
    return n
  }

  boolean(name: string, fallback: boolean): boolean {
    const raw = this.get(name)?.toLowerCase()
    if (raw === undefined) return fallback
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true
    if (['0', 'false', 'no', 'off'].includes(raw)) return false
    this.fail(name, `must be true/false (1/0, yes/no), got "${raw.slice(0, 40)}"`)
    return fallback
  }

  list(name: string): string[] | undefined {
    const raw = this.get(name)
    if (raw === undefined) return undefined
    return raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '')
  }
}

/**
 * Turns `COMPANY_EMAIL` into a VAPID subject (RFC 8292 §2.1): a bare address gets `mailto:`, a
 * `mailto:` or `https:` URL stays as it is.
 *
 * @param value - The configured contact.
 * @returns The subject, or `undefined` when the value is neither an address nor such a URL.
 * @example
 *
 * ```ts
 * import { toSubject } from './config.js'
 * toSubject('ops@example.com') // 'mailto:ops@example.com'
 * ```
 */
export function toSubject(value: string): string | undefined {
  const address = /^[^\s@:/]+@[^\s@/]+\.[^\s@/]+$/
  if (value.toLowerCase().startsWith('mailto:')) {
    return address.test(value.slice('mailto:'.length)) ? `mailto:${value.slice(7)}` : undefined
  }
  if (value.toLowerCase().startsWith('https://')) {
    try {
      return new URL(value).protocol === 'https:' ? value : undefined
    } catch {
      return undefined
    }
  }
  return address.test(value) ? `mailto:${value}` : undefined
}

/**
 * Parses `DATABASE_URL`: `sqlite:<path>` (relative to `cwd`), `sqlite:///abs/path`,
 * `sqlite::memory:`, or `postgres://…`/`postgresql://…`.
 *
 * @param value - The URL (`undefined`: the default SQLite file under `dataDir`).
 * @param options - `dataDir` and `cwd` for relative paths.
 * @returns The database configuration.
 * @throws {@link StartupError} `ERR_DATABASE_URL` for any other scheme or a malformed URL (the
 *   message never repeats the URL, which may hold a password).
 * @example
 *
 * ```ts
 * import { parseDatabaseUrl } from './config.js'
 * parseDatabaseUrl('sqlite:data/app.sqlite', { dataDir: '/srv/data', cwd: '/srv' })
 * ```
 */
export function parseDatabaseUrl(
  value: string | undefined,
  options: { dataDir: string; cwd: string },
): DatabaseConfig {
  if (value === undefined) {
    return { kind: 'sqlite', filename: resolvePath(options.dataDir, 'pushcraft.sqlite') }
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]?.toLowerCase()
  if (scheme === 'sqlite' || scheme === 'file') {
    let path = value.slice(scheme.length + 1)
    if (path.startsWith('//')) path = path.slice(2)
    if (path === ':memory:') return { kind: 'sqlite', filename: ':memory:' }
    if (path === '') {
      throw new StartupError('ERR_DATABASE_URL', 'DATABASE_URL: the sqlite: URL has no file path')
    }
    return { kind: 'sqlite', filename: isAbsolute(path) ? path : resolvePath(options.cwd, path) }
  }
  if (scheme === 'postgres' || scheme === 'postgresql') {
    let url: URL
    try {
      url = new URL(value)
    } catch (cause) {
      throw new StartupError('ERR_DATABASE_URL', 'DATABASE_URL: the postgres:// URL is malformed', {
        cause,
      })
    }
    if (url.hostname === '' && !url.searchParams.has('host')) {
      throw new StartupError('ERR_DATABASE_URL', 'DATABASE_URL: the postgres:// URL has no host')
    }
    return { kind: 'postgres', url: value }
  }
  throw new StartupError(
    'ERR_DATABASE_URL',
    `DATABASE_URL: unsupported scheme ${scheme === undefined ? '(none)' : `"${scheme}:"`}; expected sqlite:<path>, sqlite::memory: or postgres://user:pass@host:port/db`,
  )
}

/**
 * Checks `REDIS_URL`: a `redis://` or `rediss://` URL with a host.
 *
 * @param value - The URL.
 * @returns An error message (never repeating the URL, which may hold a password), or `undefined`.
 */
function checkRedisUrl(value: string): string | undefined {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return 'is not a URL; expected redis://[user:password@]host[:port][/db] or rediss://…'
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    return `unsupported scheme "${url.protocol}"; expected redis:// or rediss:// (TLS)`
  }
  if (url.hostname === '') return 'has no host'
  if (!/^(\/\d*)?$/.test(url.pathname)) return 'the path must be a database number such as /0'
  return undefined
}

function parseQueue(reader: Reader, database: DatabaseConfig | undefined): QueueConfig | undefined {
  const redisUrl = reader.get('REDIS_URL')
  const chunkSize = reader.integer('QUEUE_CHUNK_SIZE', 250, 1, 10_000)
  const workerConcurrency = reader.integer('WORKER_CONCURRENCY', 4, 1, 256)
  const lockDurationMs = reader.integer('WORKER_LOCK_MS', 30_000, 1000, 3_600_000)
  const stalledIntervalMs = reader.integer('WORKER_STALLED_INTERVAL_MS', 30_000, 500, 3_600_000)
  const maxStalledCount = reader.integer('WORKER_MAX_STALLED', 3, 1, 100)
  const attempts = reader.integer('QUEUE_ATTEMPTS', 5, 1, 100)
  const serviceNames: readonly PushServiceId[] = ['fcm', 'mozilla', 'apple', 'wns', 'other']
  const services: PushServiceId[] = []
  for (const name of reader.list('WORKER_SERVICES') ?? serviceNames) {
    const service = serviceNames.find((s) => s === name.toLowerCase())
    if (service === undefined) {
      reader.fail(
        'WORKER_SERVICES',
        `"${name.slice(0, 40)}" is not one of ${serviceNames.join(', ')}`,
      )
    } else if (!services.includes(service)) services.push(service)
  }
  if (services.length === 0) reader.fail('WORKER_SERVICES', 'must list at least one push service')
  const prefix = reader.get('QUEUE_PREFIX') ?? 'pushcraft'
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(prefix)) {
    reader.fail('QUEUE_PREFIX', 'must be 1 to 64 characters A-Z a-z 0-9 _ . -')
  }
  if (redisUrl === undefined) return undefined
  const problem = checkRedisUrl(redisUrl)
  if (problem !== undefined) reader.fail('REDIS_URL', problem)
  if (database?.kind === 'sqlite') {
    // Queue mode runs several API and worker processes, usually on several machines: a SQLite
    // file cannot be shared between machines, and even on one machine its single writer lock
    // would serialize every worker's result batches.
    reader.fail(
      'DATABASE_URL',
      'queue mode (REDIS_URL) needs PostgreSQL: API and worker processes on several machines cannot share one SQLite file; set DATABASE_URL=postgres://user:pass@host:port/db',
    )
  }
  return {
    redisUrl,
    prefix,
    chunkSize,
    workerConcurrency,
    lockDurationMs,
    stalledIntervalMs,
    maxStalledCount,
    attempts,
    services,
  }
}

function parseOrigins(reader: Reader): string[] {
  const list = reader.list('CORS_ORIGINS') ?? []
  const out: string[] = []
  for (const item of list) {
    try {
      const url = new URL(item)
      if (
        (url.protocol !== 'https:' && url.protocol !== 'http:') ||
        url.origin !== item.replace(/\/$/, '')
      ) {
        throw new TypeError('not an origin')
      }
      out.push(url.origin)
    } catch {
      reader.fail(
        'CORS_ORIGINS',
        `"${item.slice(0, 80)}" is not an origin like https://app.example.com`,
      )
    }
  }
  return out
}

function parseHosts(reader: Reader): string[] {
  const list = reader.list('PUSH_ALLOWED_HOSTS')
  if (list === undefined) return [...DEFAULT_PUSH_HOSTS]
  for (const item of list) {
    if (!/^(\*|(\*\.)?[a-z0-9.-]+|[0-9a-f:]+)$/i.test(item)) {
      reader.fail('PUSH_ALLOWED_HOSTS', `"${item.slice(0, 80)}" is not a host, *.domain or *`)
    }
  }
  if (list.length === 0) reader.fail('PUSH_ALLOWED_HOSTS', 'must list at least one host')
  return list
}

function ensureDataDir(dataDir: string): void {
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  } catch (cause) {
    throw new StartupError('ERR_DATA_DIR', `DATA_DIR: cannot create ${dataDir}`, { cause })
  }
}

function readSecretFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new StartupError('ERR_DATA_DIR', `cannot read ${path}`, { cause: error })
  }
}

/** Creates `path` with mode 0600; never overwrites (another process may have won the race). */
function writeSecretFile(path: string, content: string): boolean {
  let fd: number
  try {
    fd = openSync(path, 'wx', 0o600)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw new StartupError('ERR_DATA_DIR', `cannot write ${path}`, { cause: error })
  }
  try {
    writeSync(fd, content)
  } finally {
    closeSync(fd)
  }
  chmodSync(path, 0o600)
  return true
}

async function resolveVapid(
  reader: Reader,
  dataDir: string,
  cwd: string,
): Promise<ServerConfig['vapid']> {
  const given = reader.get('VAPID_PRIVATE') ?? reader.get('VAPID_PRIVATE_KEY')
  const publicKey = reader.get('VAPID_PUBLIC') ?? reader.get('VAPID_PUBLIC_KEY')
  if (given !== undefined) {
    // pywebpush: a path to an existing file is read (PEM or DER); anything else is key material
    // (raw base64url private scalar, base64 DER, or PEM text).
    let material: string | Uint8Array = given
    const candidate = resolvePath(cwd, given)
    const looksLikePath = /\.(pem|der|key)$/i.test(given) || /^(\.\.?\/|~\/)/.test(given)
    let isFile = false
    if (!given.includes('\n') && given.length < 4096) {
      try {
        isFile = statSync(candidate).isFile()
      } catch {
        isFile = false
      }
    }
    if (isFile) {
      const bytes = readFileSync(candidate)
      const text = bytes.toString('utf8')
      material = text.includes('-----BEGIN') ? text : new Uint8Array(bytes)
    } else if (looksLikePath) {
      throw new StartupError('ERR_VAPID_KEY', `VAPID_PRIVATE: the file ${candidate} does not exist`)
    }
    try {
      const keys = await importKeys(material, publicKey)
      return { keys, source: 'env' }
    } catch (cause) {
      throw new StartupError(
        'ERR_VAPID_KEY',
        'VAPID_PRIVATE: not a valid P-256 private key (expected raw base64url, base64 DER, PEM, or a path to a PEM/DER file)' +
          (publicKey === undefined ? '' : ', or VAPID_PUBLIC does not match it'),
        { cause },
      )
    }
  }
  const file = resolvePath(dataDir, VAPID_FILE)
  const existing = readSecretFile(file)
  if (existing !== undefined) {
    try {
      return { keys: await importKeys(existing, undefined), source: 'file', file }
    } catch (cause) {
      throw new StartupError('ERR_VAPID_KEY', `${file}: not a valid VAPID private key`, { cause })
    }
  }
  const keys = await generateKeys()
  if (!writeSecretFile(file, await exportPrivateKeyPem(keys))) {
    // Lost a race with another process starting at the same time: use its key.
    return { keys: await importKeys(readFileSync(file, 'utf8'), undefined), source: 'file', file }
  }
  return { keys, source: 'generated', file }
}

function resolveAdminToken(reader: Reader, dataDir: string): ServerConfig['admin'] {
  const given = reader.get('ADMIN_TOKEN')
  if (given !== undefined) {
    if (given.length < 16) {
      reader.fail('ADMIN_TOKEN', `must be at least 16 characters, got ${given.length}`)
    }
    return { token: given, source: 'env' }
  }
  const file = resolvePath(dataDir, TOKEN_FILE)
  const existing = readSecretFile(file)?.trim()
  if (existing !== undefined && existing.length >= 16)
    return { token: existing, source: 'file', file }
  if (existing !== undefined) {
    throw new StartupError(
      'ERR_DATA_DIR',
      `${file}: the admin token must be at least 16 characters`,
    )
  }
  const token = randomBytes(32).toString('base64url')
  if (!writeSecretFile(file, `${token}\n`)) {
    return { token: readFileSync(file, 'utf8').trim(), source: 'file', file }
  }
  return { token, source: 'generated', file }
}

/**
 * Reads, validates and completes the configuration. Every malformed variable is reported at once;
 * missing secrets are generated and persisted under `DATA_DIR` (mode 0600). With `REDIS_URL` set
 * (queue mode), `DATABASE_URL` must be PostgreSQL.
 *
 * @param options - The environment and the directory relative paths resolve against.
 * @returns The configuration.
 * @throws {@link StartupError} `ERR_CONFIG_INVALID` (with `issues`), `ERR_DATABASE_URL`,
 *   `ERR_VAPID_KEY` or `ERR_DATA_DIR`.
 * @example
 *
 * ```ts
 * import { loadConfig } from './config.js'
 * const config = await loadConfig({ env: process.env })
 * console.log(config.host, config.port)
 * ```
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<ServerConfig> {
  const env = options.env ?? process.env
  const cwd = options.cwd ?? process.cwd()
  const reader = new Reader(env)

  const host = reader.get('HOST') ?? '127.0.0.1'
  const port = reader.integer('PORT', 3000, 0, 65535)
  const publicUrlRaw = reader.get('PUBLIC_URL')
  let publicUrl: string | undefined
  if (publicUrlRaw !== undefined) {
    try {
      const url = new URL(publicUrlRaw)
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError('scheme')
      publicUrl = url.href.replace(/\/$/, '')
    } catch {
      reader.fail('PUBLIC_URL', 'must be an http(s) URL such as https://push.example.com')
    }
  }
  const appName = reader.get('APP_NAME') ?? 'pushcraft'
  if (appName.length > 100)
    reader.fail('APP_NAME', `must be at most 100 characters, got ${appName.length}`)
  const contact = reader.get('COMPANY_EMAIL') ?? 'mailto:admin@example.com'
  const subject = toSubject(contact)
  if (subject === undefined) {
    reader.fail(
      'COMPANY_EMAIL',
      'must be an e-mail address, a mailto: URL or an https: URL (RFC 8292 §2.1)',
    )
  }
  const sendConcurrency = reader.integer('SEND_CONCURRENCY', 64, 1, 10_000)
  const pushConnections = reader.integer('PUSH_CONNECTIONS', 16, 1, 1024)
  const allowedHosts = parseHosts(reader)
  const allowInsecure = reader.boolean('ALLOW_INSECURE_ENDPOINTS', false)
  const corsOrigins = parseOrigins(reader)
  const trustProxy = reader.boolean('TRUST_PROXY', false)
  const logLevelRaw = (reader.get('LOG_LEVEL') ?? 'info').toLowerCase()
  const logLevel = LOG_LEVELS.find((l) => l === logLevelRaw)
  if (logLevel === undefined) reader.fail('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`)
  const bodyLimit = reader.integer('BODY_LIMIT', 16_384, 1024, 1_048_576)
  const rateLimit = {
    max: reader.integer('RATE_LIMIT_MAX', 60, 1, 1_000_000),
    windowMs: reader.integer('RATE_LIMIT_WINDOW_MS', 60_000, 1000, 86_400_000),
  }
  const outcomesPerBroadcast = reader.integer('OUTCOMES_PER_BROADCAST', 1000, 0, 1_000_000)
  const shutdownTimeoutMs = reader.integer('SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000)
  const sendTimeoutMs = reader.integer('SEND_TIMEOUT_MS', 15_000, 100, 600_000)
  const maxRetries = reader.integer('MAX_RETRIES', 2, 0, 10)
  const dataDir = resolvePath(cwd, reader.get('DATA_DIR') ?? 'data')

  let database: DatabaseConfig | undefined
  try {
    database = parseDatabaseUrl(reader.get('DATABASE_URL'), { dataDir, cwd })
  } catch (error) {
    if (!(error instanceof StartupError)) throw error
    reader.fail('DATABASE_URL', error.message.replace(/^DATABASE_URL: /, ''))
  }
  const queue = parseQueue(reader, database)

  // Everything that needs no I/O is checked before anything is written to disk.
  if (reader.issues.length > 0) {
    throw configError(reader.issues)
  }
  ensureDataDir(dataDir)
  const admin = resolveAdminToken(reader, dataDir)
  if (reader.issues.length > 0) throw configError(reader.issues)
  const vapid = await resolveVapid(reader, dataDir, cwd)

  return {
    host,
    port,
    publicUrl,
    appName,
    subject: subject ?? 'mailto:admin@example.com',
    dataDir,
    database: database ?? { kind: 'sqlite', filename: ':memory:' },
    vapid,
    admin,
    sendConcurrency,
    pushConnections: Math.min(pushConnections, sendConcurrency),
    endpointPolicy: { allowedHosts, allowInsecure },
    corsOrigins,
    trustProxy,
    logLevel: logLevel ?? 'info',
    bodyLimit,
    rateLimit,
    outcomesPerBroadcast,
    shutdownTimeoutMs,
    sendTimeoutMs,
    maxRetries,
    queue,
  }
}

function configError(issues: readonly ConfigIssue[]): StartupError {
  const lines = issues.map((i) => `  ${i.variable}: ${i.message}`).join('\n')
  return new StartupError('ERR_CONFIG_INVALID', `invalid configuration:\n${lines}`, { issues })
}
