/**
 * The entry point of `./run worker` (`node apps/server/dist/worker.js [--env-file <path>]`): a
 * broadcast worker of queue mode. It reads the same configuration as the API (`REDIS_URL` and a
 * PostgreSQL `DATABASE_URL` are required, and the same `VAPID_PRIVATE` as the API processes),
 * consumes the planning queue and every push service's send queue, and on SIGTERM/SIGINT stops
 * taking jobs and finishes the active ones (up to `SHUTDOWN_TIMEOUT_MS`; what is left is picked up
 * by another worker). Startup errors are printed as one precise message and exit with status 1.
 *
 * @module
 */

import { stderr, stdout } from 'node:process'

import type { FastifyBaseLogger } from 'fastify'
import { pino } from 'pino'

import { REDACT_PATHS } from './app.js'
import { loadConfig, type ServerConfig } from './config.js'
import { StartupError } from './errors.js'
import { loadEnvFiles } from './main.js'
import { redactedRedisName } from './queue/queues.js'
import { startWorker, type QueueWorker } from './queue/worker.js'
import { installShutdown, isEntryPoint } from './process.js'
import { openStore, redactedDatabaseName, type Store } from './store/store.js'

/**
 * Creates the worker's logger: pino with the API's redaction rules.
 *
 * @param config - The configuration (`LOG_LEVEL`).
 * @returns The logger.
 * @example
 *
 * ```ts
 * import { createWorkerLogger } from './worker.js'
 * declare const config: import('./config.js').ServerConfig
 * createWorkerLogger(config).info('ready')
 * ```
 */
export function createWorkerLogger(config: ServerConfig): FastifyBaseLogger {
  return pino({
    level: config.logLevel,
    base: { pid: process.pid, role: 'worker' },
    redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
  })
}

/**
 * Starts a worker process's work: configuration, database, queues.
 *
 * @param argv - The arguments after the script (`--env-file`).
 * @returns The running worker, its store and logger, and the banner to print.
 * @throws {@link StartupError} for any configuration, database or Redis problem.
 * @example
 *
 * ```ts
 * import { startWorkerProcess } from './worker.js'
 * const { worker, store } = await startWorkerProcess([])
 * await worker.close()
 * await store.close()
 * ```
 */
export async function startWorkerProcess(argv: readonly string[]): Promise<{
  worker: QueueWorker
  store: Store
  log: FastifyBaseLogger
  banner: string
}> {
  loadEnvFiles(argv)
  const config = await loadConfig()
  if (config.queue === undefined) {
    throw new StartupError(
      'ERR_CONFIG_INVALID',
      'invalid configuration:\n  REDIS_URL: the worker needs REDIS_URL (queue mode); see docs/deployment.md',
      {
        issues: [{ variable: 'REDIS_URL', message: 'the worker needs REDIS_URL (queue mode)' }],
      },
    )
  }
  const store = await openStore(config.database)
  const log = createWorkerLogger(config)
  let worker: QueueWorker
  try {
    worker = await startWorker({ config, store, log })
  } catch (error) {
    await store.close()
    throw error
  }
  const lines = [
    '',
    `  ${config.appName} broadcast worker is running (pid ${process.pid})`,
    `  queues   ${redactedRedisName(config.queue.redisUrl)} prefix ${config.queue.prefix}: broadcast-plan, ${config.queue.services.map((s) => `send-${s}`).join(', ')}`,
    `  jobs     ${config.queue.workerConcurrency} per queue at once, ${config.queue.chunkSize} subscriptions each, ${config.sendConcurrency} sends in flight per job`,
    `  database ${redactedDatabaseName(config.database)}`,
    '',
  ]
  return { worker, store, log, banner: `${lines.join('\n')}\n` }
}

if (isEntryPoint(import.meta.url)) {
  startWorkerProcess(process.argv.slice(2)).then(
    ({ worker, store, log, banner }) => {
      // Signal handlers first: whoever reads the banner may stop the worker at once.
      installShutdown({
        log,
        message: 'shutting down: finishing the active jobs',
        close: () => worker.close().then(() => store.close()),
      })
      stdout.write(banner)
    },
    (error: unknown) => {
      if (error instanceof StartupError) {
        stderr.write(`pushcraft worker: cannot start (${error.code}): ${error.message}\n`)
      } else {
        stderr.write(
          `pushcraft worker: cannot start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
        )
      }
      process.exit(1)
    },
  )
}
