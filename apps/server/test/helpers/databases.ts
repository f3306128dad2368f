/**
 * Fresh databases for the suites that run on both SQLite and PostgreSQL: an in-memory/temporary
 * SQLite file, or a new database on the PostgreSQL server of the global setup.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { Client } from 'pg'
import { inject } from 'vitest'

import type { DatabaseConfig } from '../../src/config.js'

export type DialectName = 'sqlite' | 'postgres'
export const DIALECTS: readonly DialectName[] = ['sqlite', 'postgres']

export interface TestDatabase {
  readonly config: DatabaseConfig
  drop(): Promise<void>
}

/** The admin URL of the test PostgreSQL server; throws the install hint when there is none. */
export function postgresAdminUrl(): string {
  const pg = inject('pg')
  if (pg.url === undefined) throw new Error(pg.error)
  return pg.url
}

export async function createTestDatabase(dialect: DialectName): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'pushcraft-sqlite-'))
    return {
      config: { kind: 'sqlite', filename: join(dir, 'test.sqlite') },
      drop: () => {
        rmSync(dir, { recursive: true, force: true })
        return Promise.resolve()
      },
    }
  }
  const admin = postgresAdminUrl()
  const name = `pushcraft_test_${randomBytes(6).toString('hex')}`
  const client = new Client({ connectionString: admin })
  await client.connect()
  try {
    await client.query(`create database ${name}`)
  } finally {
    await client.end()
  }
  const url = new URL(admin)
  url.pathname = `/${name}`
  return {
    config: { kind: 'postgres', url: url.href },
    drop: async () => {
      const c = new Client({ connectionString: admin })
      await c.connect()
      try {
        await c.query(`drop database if exists ${name} with (force)`)
      } finally {
        await c.end()
      }
    },
  }
}
