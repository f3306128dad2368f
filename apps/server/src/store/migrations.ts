/**
 * The one migration set for SQLite and PostgreSQL. Migrations are code (no files to ship) and run
 * at start-up under Kysely's migration lock; the only dialect difference is how the integer
 * primary key is generated. `0002_queue_mode` adds each subscription's push service and the
 * chunk and delivery tables of queue mode.
 *
 * @module
 */

import { identifyPushService } from '@pushcraft/webpush'
import type { Kysely } from 'kysely'
import type { Migration, MigrationProvider } from 'kysely/migration'

import type { Database } from './schema.js'

/**
 * The SQL dialects the store supports.
 *
 * @example
 *
 * ```ts
 * import type { Dialect } from './migrations.js'
 * const dialect: Dialect = 'sqlite'
 * ```
 */
export type Dialect = 'sqlite' | 'postgres'

function migrations(dialect: Dialect): Record<string, Migration> {
  // SQLite: INTEGER PRIMARY KEY AUTOINCREMENT; PostgreSQL: an identity column.
  const id = (db: Kysely<unknown>, table: string) =>
    db.schema
      .createTable(table)
      .addColumn('id', 'integer', (c) =>
        dialect === 'sqlite'
          ? c.primaryKey().autoIncrement()
          : c.primaryKey().generatedByDefaultAsIdentity(),
      )

  return {
    '0001_initial': {
      async up(db: Kysely<unknown>): Promise<void> {
        await id(db, 'subscriptions')
          .addColumn('endpoint', 'text', (c) => c.notNull().unique())
          .addColumn('p256dh', 'text', (c) => c.notNull())
          .addColumn('auth', 'text', (c) => c.notNull())
          .addColumn('encoding', 'text', (c) => c.notNull().defaultTo('aes128gcm'))
          .addColumn('user_agent', 'text')
          .addColumn('expiration_time', 'bigint')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .addColumn('last_success_at', 'bigint')
          .addColumn('last_failure_at', 'bigint')
          .addColumn('failure_count', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('vapid_key_id', 'text')
          .addColumn('needs_resubscribe', 'integer', (c) => c.notNull().defaultTo(0))
          .execute()

        await db.schema
          .createTable('subscription_tags')
          .addColumn('subscription_id', 'integer', (c) =>
            c.notNull().references('subscriptions.id').onDelete('cascade'),
          )
          .addColumn('tag', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('subscription_tags_pk', ['subscription_id', 'tag'])
          .execute()
        await db.schema
          .createIndex('subscription_tags_tag')
          .on('subscription_tags')
          .columns(['tag', 'subscription_id'])
          .execute()

        await db.schema
          .createTable('broadcasts')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('message', 'text', (c) => c.notNull())
          .addColumn('options', 'text', (c) => c.notNull())
          .addColumn('tags', 'text')
          .addColumn('total', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('delivered', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('failed', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('removed', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('resubscribe', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('retried', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('error', 'text')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('started_at', 'bigint')
          .addColumn('finished_at', 'bigint')
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute()
        await db.schema.createIndex('broadcasts_status').on('broadcasts').column('status').execute()

        await id(db, 'send_outcomes')
          .addColumn('broadcast_id', 'text', (c) =>
            c.notNull().references('broadcasts.id').onDelete('cascade'),
          )
          .addColumn('seq', 'integer', (c) => c.notNull())
          .addColumn('subscription_id', 'integer')
          .addColumn('service', 'text', (c) => c.notNull())
          .addColumn('outcome', 'text', (c) => c.notNull())
          .addColumn('status_code', 'integer')
          .addColumn('detail', 'text')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute()
        await db.schema
          .createIndex('send_outcomes_broadcast_seq')
          .on('send_outcomes')
          .columns(['broadcast_id', 'seq'])
          .execute()
      },
      async down(db: Kysely<unknown>): Promise<void> {
        await db.schema.dropTable('send_outcomes').execute()
        await db.schema.dropTable('broadcasts').execute()
        await db.schema.dropTable('subscription_tags').execute()
        await db.schema.dropTable('subscriptions').execute()
      },
    },
    '0002_queue_mode': {
      async up(db: Kysely<unknown>): Promise<void> {
        // The push service of each subscription, so queue mode can plan per-service chunks by id.
        await db.schema
          .alterTable('subscriptions')
          .addColumn('service', 'text', (c) => c.notNull().defaultTo('other'))
          .execute()
        await backfillServices(db)
        await db.schema
          .createIndex('subscriptions_service_id')
          .on('subscriptions')
          .columns(['service', 'id'])
          .execute()

        await db.schema
          .createTable('broadcast_chunks')
          .addColumn('broadcast_id', 'text', (c) =>
            c.notNull().references('broadcasts.id').onDelete('cascade'),
          )
          .addColumn('service', 'text', (c) => c.notNull())
          .addColumn('first_id', 'integer', (c) => c.notNull())
          .addColumn('last_id', 'integer', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('broadcast_chunks_pk', ['broadcast_id', 'service', 'first_id'])
          .execute()
        await db.schema
          .createIndex('broadcast_chunks_status')
          .on('broadcast_chunks')
          .columns(['broadcast_id', 'status'])
          .execute()

        await db.schema
          .createTable('broadcast_deliveries')
          .addColumn('broadcast_id', 'text', (c) =>
            c.notNull().references('broadcasts.id').onDelete('cascade'),
          )
          .addColumn('subscription_id', 'integer', (c) => c.notNull())
          .addColumn('outcome', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('broadcast_deliveries_pk', ['broadcast_id', 'subscription_id'])
          .execute()
      },
      async down(db: Kysely<unknown>): Promise<void> {
        await db.schema.dropTable('broadcast_deliveries').execute()
        await db.schema.dropTable('broadcast_chunks').execute()
        await db.schema.dropIndex('subscriptions_service_id').execute()
        await db.schema.alterTable('subscriptions').dropColumn('service').execute()
      },
    },
  }
}

/** Sets `service` from each stored endpoint's host, in pages (constant memory). */
async function backfillServices(db: Kysely<Database>): Promise<void> {
  let after = 0
  for (;;) {
    const page = await db
      .selectFrom('subscriptions')
      .select(['id', 'endpoint'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(1000)
      .execute()
    if (page.length === 0) return
    const byService = new Map<string, number[]>()
    for (const row of page) {
      const service = identifyPushService(row.endpoint)
      if (service !== 'other') byService.set(service, [...(byService.get(service) ?? []), row.id])
    }
    for (const [service, ids] of byService) {
      await db.updateTable('subscriptions').set({ service }).where('id', 'in', ids).execute()
    }
    after = page[page.length - 1]?.id ?? after
  }
}

/**
 * The migration provider for Kysely's `Migrator`.
 *
 * @param dialect - Which database the migrations run on.
 * @returns The provider.
 * @example
 *
 * ```ts
 * import { Migrator } from 'kysely/migration'
 * import { createMigrationProvider } from './migrations.js'
 * declare const db: import('kysely').Kysely<unknown>
 * const migrator = new Migrator({ db, provider: createMigrationProvider('sqlite') })
 * ```
 */
export function createMigrationProvider(dialect: Dialect): MigrationProvider {
  return {
    getMigrations: () => Promise.resolve(migrations(dialect)),
  }
}
