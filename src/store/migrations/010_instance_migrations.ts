import type { Kysely } from 'kysely';
import type { MigrationContext } from '../migrate.ts';

/**
 * Moving an instance between runtimes (R22: the disaster recovery plan): one row per move with the step it
 * reached (so a restarted job resumes or rolls back) and each step's time; the instance row records the
 * endpoint its name points at, the "edge route" where no DNS server is configured.
 */
export async function up(db: Kysely<unknown>, { types }: MigrationContext): Promise<void> {
  await db.schema
    .createTable('instance_migrations')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('instance_id', 'text', (column) => column.notNull().references('instances.id'))
    .addColumn('operation_id', 'text', (column) => column.notNull())
    .addColumn('source', 'text', (column) => column.notNull())
    .addColumn('target', 'text', (column) => column.notNull())
    .addColumn('trigger', 'text', (column) => column.notNull())
    .addColumn('state', 'text', (column) => column.notNull())
    .addColumn('step', 'text', (column) => column.notNull())
    .addColumn('backup_choice', 'text', (column) => column.notNull())
    .addColumn('backup_id', 'text')
    .addColumn('endpoint', 'text')
    .addColumn('report', 'text', (column) => column.notNull())
    .addColumn('error', 'text')
    .addColumn('requested_by', 'text', (column) => column.notNull())
    .addColumn('created_at', types.timestamp, (column) => column.notNull())
    .addColumn('started_at', types.timestamp)
    .addColumn('finished_at', types.timestamp)
    .execute();
  await db.schema
    .createIndex('instance_migrations_instance')
    .on('instance_migrations')
    .columns(['instance_id', 'created_at'])
    .execute();
  await db.schema.alterTable('instances').addColumn('endpoint', 'text').execute();
}
