/**
 * The entry point of `./run start`: reads the configuration (environment and `--env-file`), opens
 * and migrates the database, builds the app, listens, prints the URL to open, and shuts down
 * gracefully on SIGINT/SIGTERM (in-flight requests and broadcasts drain first). Startup errors are
 * printed as one precise message and exit with status 1.
 *
 * @module
 */

import { relative } from 'node:path'
import { stderr, stdout } from 'node:process'

import { buildApp, type App } from './app.js'
import { loadConfig, type ServerConfig } from './config.js'
import { StartupError } from './errors.js'
import { installShutdown, isEntryPoint } from './process.js'
import { openStore, redactedDatabaseName, type Store } from './store/store.js'

/**
 * Reads `--env-file <path>` / `--env-file=<path>` (repeatable) from the arguments and loads each
 * file into `process.env` with Node's `process.loadEnvFile` (existing variables win).
 *
 * @param argv - The arguments after the script.
 * @throws {@link StartupError} `ERR_CONFIG_ENV_FILE` when a file cannot be read, or for an unknown
 *   argument.
 * @example
 *
 * ```ts
 * import { loadEnvFiles } from './main.js'
 * loadEnvFiles(['--env-file', '.env'])
 * ```
 */
export function loadEnvFiles(argv: readonly string[]): void {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ''
    let path: string | undefined
    if (arg === '--env-file') path = argv[++i]
    else if (arg.startsWith('--env-file=')) path = arg.slice('--env-file='.length)
    else if (arg === '--help' || arg === '-h') {
      stdout.write(
        'usage: node apps/server/dist/main.js [--env-file <path>]…\nSee apps/server/README.md for the variables.\n',
      )
      process.exit(0)
    } else
      throw new StartupError(
        'ERR_CONFIG_ENV_FILE',
        `unknown argument "${arg.slice(0, 60)}" (expected --env-file <path>)`,
      )
    if (path === undefined || path === '') {
      throw new StartupError('ERR_CONFIG_ENV_FILE', '--env-file needs a path')
    }
    try {
      process.loadEnvFile(path)
    } catch (cause) {
      throw new StartupError(
        'ERR_CONFIG_ENV_FILE',
        `--env-file ${path}: ${(cause as Error).message}`,
        { cause },
      )
    }
  }
}

function show(path: string): string {
  const short = relative(process.cwd(), path)
  return short === '' || short.startsWith('..') ? path : short
}

function describeSecrets(config: ServerConfig): string[] {
  const lines: string[] = []
  if (config.vapid.source === 'generated' && config.vapid.file !== undefined) {
    lines.push(`generated a VAPID key pair: ${show(config.vapid.file)} (mode 0600; back it up)`)
  }
  if (config.admin.source === 'generated' && config.admin.file !== undefined) {
    lines.push(`generated an admin token: ${show(config.admin.file)} (mode 0600)`)
  } else if (config.admin.source === 'file' && config.admin.file !== undefined) {
    lines.push(`admin token: ${show(config.admin.file)}`)
  }
  if (config.endpointPolicy.allowInsecure) {
    lines.push(
      'WARNING: ALLOW_INSECURE_ENDPOINTS is on: http and private-address endpoints are accepted (tests only)',
    )
  }
  return lines
}

/**
 * Starts the server.
 *
 * @param argv - The arguments after the script (`--env-file`).
 * @returns The listening app and its store.
 * @throws {@link StartupError} for any configuration or database problem.
 * @example
 *
 * ```ts
 * import { start } from './main.js'
 * const { app } = await start([])
 * ```
 */
export async function start(
  argv: readonly string[],
): Promise<{ app: App; store: Store; url: string; banner: string }> {
  loadEnvFiles(argv)
  const config = await loadConfig()
  const store = await openStore(config.database)
  let app: App
  try {
    app = await buildApp({ config, store })
  } catch (error) {
    await store.close()
    throw error
  }
  await app.listen({ host: config.host, port: config.port })
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : config.port
  const host =
    config.host === '0.0.0.0' || config.host === '::'
      ? 'localhost'
      : config.host.includes(':')
        ? `[${config.host}]`
        : config.host
  const url = config.publicUrl ?? `http://${host}:${port}`
  const lines = [
    '',
    `  ${config.appName} push server is running`,
    `  open  ${url}/app/`,
    `  admin ${url}/app/admin.html   docs ${url}/api/docs`,
    `  database ${config.database.kind === 'sqlite' ? `sqlite:${show(config.database.filename)}` : redactedDatabaseName(config.database)}`,
    ...describeSecrets(config).map((l) => `  ${l}`),
    '',
  ]
  return { app, store, url, banner: `${lines.join('\n')}\n` }
}

const isMain = isEntryPoint(import.meta.url)
if (isMain) {
  start(process.argv.slice(2)).then(
    ({ app, store, banner }) => {
      // Signal handlers first: whoever reads the banner may stop the server at once.
      installShutdown({
        log: app.log,
        message: 'shutting down: draining requests and sends in flight',
        close: () => app.close().then(() => store.close()),
      })
      stdout.write(banner)
    },
    (error: unknown) => {
      if (error instanceof StartupError) {
        stderr.write(`pushcraft server: cannot start (${error.code}): ${error.message}\n`)
      } else {
        stderr.write(
          `pushcraft server: cannot start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
        )
      }
      process.exit(1)
    },
  )
}
