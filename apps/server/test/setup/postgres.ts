/**
 * Vitest global setup: a PostgreSQL server for the store/route suites. Uses
 * `PUSHCRAFT_TEST_PG_URL` (or `DATABASE_URL_PG`, or libpq's `PGHOST`…) when given; otherwise
 * starts a throwaway cluster from Debian's binaries (`scripts/services.mjs`, shared with the queue
 * benchmark) on 127.0.0.1 and a free port, with its data directory in a temporary directory, and
 * removes it afterwards. When PostgreSQL is not installed, the PostgreSQL suite fails with an
 * install hint (it does not skip).
 *
 * @module
 */

import type { TestProject } from 'vitest/node'

import { findPostgresBinDir, startPostgres } from '../../scripts/services.mjs'

declare module 'vitest' {
  export interface ProvidedContext {
    /** An admin URL of the test PostgreSQL server, or the reason there is none. */
    pg: { url: string; error?: undefined } | { url?: undefined; error: string }
  }
}

const INSTALL_HINT =
  'PostgreSQL is not installed: run `apt-get install -y postgresql` (Debian; ./run test does it as root via scripts/test-services.sh) or set PUSHCRAFT_TEST_PG_URL=postgres://user:pass@host:port/db'

function urlFromEnv(): string | undefined {
  const explicit = process.env.PUSHCRAFT_TEST_PG_URL ?? process.env.DATABASE_URL_PG
  if (explicit !== undefined && explicit !== '') return explicit
  const host = process.env.PGHOST
  if (host === undefined || host === '') return undefined
  const user = encodeURIComponent(process.env.PGUSER ?? 'postgres')
  const password =
    process.env.PGPASSWORD === undefined ? '' : `:${encodeURIComponent(process.env.PGPASSWORD)}`
  const port = process.env.PGPORT ?? '5432'
  const database = process.env.PGDATABASE ?? 'postgres'
  return `postgres://${user}${password}@${host}:${port}/${database}`
}

export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = urlFromEnv()
  if (given !== undefined) {
    project.provide('pg', { url: given })
    return () => Promise.resolve()
  }
  const binDir = findPostgresBinDir()
  if (binDir === undefined) {
    project.provide('pg', { error: INSTALL_HINT })
    return () => Promise.resolve()
  }
  try {
    const postgres = await startPostgres({ binDir })
    project.provide('pg', { url: postgres.url })
    return () => postgres.stop()
  } catch (error) {
    project.provide('pg', {
      error: `could not start a throwaway PostgreSQL: ${(error as Error).message}`,
    })
    return () => Promise.resolve()
  }
}
