/**
 * Vitest global setup: a PostgreSQL server for the store/route suites. Uses
 * `PUSHCRAFT_TEST_PG_URL` (or `DATABASE_URL_PG`, or libpq's `PGHOST`…) when given; otherwise
 * starts a throwaway cluster from Debian's binaries (`/usr/lib/postgresql/<v>/bin`) on 127.0.0.1
 * and a free port, with its data directory in a temporary directory, and removes it afterwards.
 * When PostgreSQL is not installed, the PostgreSQL suite fails with an install hint (it does not
 * skip).
 *
 * @module
 */

import { execFileSync, spawnSync } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    /** An admin URL of the test PostgreSQL server, or the reason there is none. */
    pg: { url: string; error?: undefined } | { url?: undefined; error: string }
  }
}

const INSTALL_HINT =
  'PostgreSQL is not installed: run `apt-get install -y postgresql` (Debian; ./run test does it as root via scripts/test-services.sh) or set PUSHCRAFT_TEST_PG_URL=postgres://user:pass@host:port/db'

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => {
        resolve(port)
      })
    })
  })
}

function findBinDir(): string | undefined {
  const base = '/usr/lib/postgresql'
  if (!existsSync(base)) return undefined
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a))
  return versions[0] === undefined ? undefined : join(base, versions[0], 'bin')
}

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

export async function setup(project: TestProject): Promise<() => void> {
  const given = urlFromEnv()
  if (given !== undefined) {
    project.provide('pg', { url: given })
    return () => undefined
  }
  const bin = findBinDir()
  if (bin === undefined) {
    project.provide('pg', { error: INSTALL_HINT })
    return () => undefined
  }

  const dir = mkdtempSync(join(tmpdir(), 'pushcraft-pg-'))
  const dataDir = join(dir, 'data')
  // initdb refuses to run as root: run the binaries as the `postgres` user then.
  const asRoot = process.getuid?.() === 0
  const run = (program: string, args: string[]): void => {
    // runuser lives in /usr/sbin, which a minimal PATH may lack.
    const runuser = ['/usr/sbin/runuser', '/sbin/runuser'].find((p) => existsSync(p)) ?? 'runuser'
    const command = asRoot ? runuser : join(bin, program)
    const argv = asRoot ? ['-u', 'postgres', '--', join(bin, program), ...args] : args
    const result = spawnSync(command, argv, { encoding: 'utf8', timeout: 60_000 })
    if (result.status !== 0) {
      throw new Error(
        `${program} failed (${String(result.status)}): ${result.error?.message ?? (result.stderr || result.stdout)}`,
      )
    }
  }
  try {
    if (asRoot) {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim())
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim())
      chownSync(dir, uid, gid)
    }
    run('initdb', [
      '-D',
      dataDir,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--no-sync',
      '--no-instructions',
    ])
    const port = await freePort()
    const options = [
      '-c listen_addresses=127.0.0.1',
      `-p ${port}`,
      `-k ${dir}`,
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c max_connections=100',
    ].join(' ')
    run('pg_ctl', [
      '-D',
      dataDir,
      '-o',
      options,
      '-l',
      join(dir, 'server.log'),
      '-w',
      '-t',
      '60',
      'start',
    ])
    project.provide('pg', { url: `postgres://postgres@127.0.0.1:${port}/postgres` })
  } catch (error) {
    rmSync(dir, { recursive: true, force: true })
    project.provide('pg', {
      error: `could not start a throwaway PostgreSQL: ${(error as Error).message}`,
    })
    return () => undefined
  }
  return () => {
    try {
      run('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop'])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
