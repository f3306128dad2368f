/**
 * Types of `services.mjs`: throwaway Redis and PostgreSQL servers for the test suite's global
 * setups and the queue benchmark.
 *
 * @module
 */

/**
 * A server started for the caller.
 *
 * @example
 *
 * ```ts
 * import { startRedis } from './services.mjs'
 * const redis = await startRedis()
 * console.log(redis.url)
 * await redis.stop()
 * ```
 */
export interface ThrowawayService {
  /** `redis://127.0.0.1:<port>` or `postgres://postgres@127.0.0.1:<port>/postgres`. */
  readonly url: string
  /** Stops the server and removes its data directory. */
  stop(): Promise<void>
}

/**
 * A free TCP port on 127.0.0.1.
 *
 * @example
 *
 * ```ts
 * import { freePort } from './services.mjs'
 * const port = await freePort()
 * ```
 */
export function freePort(): Promise<number>

/**
 * The path of `redis-server` (PATH, then the usual Debian locations), when installed.
 *
 * @example
 *
 * ```ts
 * import { findRedisServer } from './services.mjs'
 * if (findRedisServer() === undefined) console.log('apt-get install -y redis-server')
 * ```
 */
export function findRedisServer(): string | undefined

/**
 * The newest `/usr/lib/postgresql/<version>/bin` with an `initdb`, when installed.
 *
 * @example
 *
 * ```ts
 * import { findPostgresBinDir } from './services.mjs'
 * if (findPostgresBinDir() === undefined) console.log('apt-get install -y postgresql')
 * ```
 */
export function findPostgresBinDir(): string | undefined

/**
 * Starts `redis-server` without persistence and with `noeviction`.
 *
 * @example
 *
 * ```ts
 * import { startRedis } from './services.mjs'
 * const redis = await startRedis({ timeoutMs: 10_000 })
 * ```
 */
export function startRedis(options?: {
  /** The binary (default: {@link findRedisServer}). */
  readonly binary?: string
  /** How long to wait for PONG (default 15 000 ms). */
  readonly timeoutMs?: number
}): Promise<ThrowawayService>

/**
 * Starts a PostgreSQL cluster tuned for throwaway data (as the `postgres` user when root).
 *
 * @example
 *
 * ```ts
 * import { startPostgres } from './services.mjs'
 * const pg = await startPostgres({ maxConnections: 200 })
 * ```
 */
export function startPostgres(options?: {
  /** The binaries' directory (default: {@link findPostgresBinDir}). */
  readonly binDir?: string
  /** `max_connections` (default 100). */
  readonly maxConnections?: number
}): Promise<ThrowawayService>
