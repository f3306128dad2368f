/**
 * What the two entry points (`main.ts`, the API; `worker.ts`, a queue worker) share as processes:
 * telling whether a module was run directly, and a graceful stop on SIGINT/SIGTERM.
 *
 * @module
 */

import { realpathSync } from 'node:fs'
import { stderr } from 'node:process'
import { pathToFileURL } from 'node:url'

import type { FastifyBaseLogger } from 'fastify'

/**
 * Whether the module at `moduleUrl` is the script Node was started with (`node dist/main.js`),
 * through symlinks too.
 *
 * @param moduleUrl - The caller's `import.meta.url`.
 * @returns `true` when it is the entry point.
 * @example
 *
 * ```ts
 * import { isEntryPoint } from './process.js'
 * if (isEntryPoint(import.meta.url)) console.log('run directly')
 * ```
 */
export function isEntryPoint(moduleUrl: string): boolean {
  const script = process.argv[1]
  if (script === undefined) return false
  try {
    return moduleUrl === pathToFileURL(realpathSync(script)).href
  } catch {
    return false
  }
}

/**
 * Stops the process gracefully on the first SIGINT/SIGTERM: logs `message`, runs `close` (drain,
 * then close the store), and exits 0, or 1 when closing failed. A second signal exits 1 at once.
 *
 * @param options - `close` drains and releases everything; `log` and `message` describe it.
 * @example
 *
 * ```ts
 * import { installShutdown } from './process.js'
 * declare const log: import('fastify').FastifyBaseLogger
 * installShutdown({ log, message: 'shutting down', close: () => Promise.resolve() })
 * ```
 */
export function installShutdown(options: {
  readonly log: FastifyBaseLogger
  readonly message: string
  readonly close: () => Promise<void>
}): void {
  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) {
      stderr.write(`${signal} again: exiting now\n`)
      process.exit(1)
    }
    stopping = true
    options.log.info({ signal }, options.message)
    options.close().then(
      () => process.exit(0),
      (error: unknown) => {
        options.log.error({ err: error }, 'shutdown failed')
        process.exit(1)
      },
    )
  }
  process.on('SIGINT', () => {
    stop('SIGINT')
  })
  process.on('SIGTERM', () => {
    stop('SIGTERM')
  })
}
