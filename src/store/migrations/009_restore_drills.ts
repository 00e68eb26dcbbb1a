import type { Kysely } from 'kysely';
import type { MigrationContext } from '../migrate.ts';

/**
 * Restore drills (R21 "backups and restores tested regularly"): each drill restores an instance's latest
 * good backup into a throw-away staging instance, verifies it and records the outcome with each step's time.
 */
export async function up(db: Kysely<unknown>, { types }: MigrationContext): Promise<void> {
  await db.schema
    .createTable('restore_drills')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('instance_id', 'text', (column) => column.notNull().references('instances.id'))
    .addColumn('backup_id', 'text')
    .addColumn('scratch_slug', 'text', (column) => column.notNull().unique())
    .addColumn('trigger', 'text', (column) => column.notNull())
    .addColumn('state', 'text', (column) => column.notNull())
    .addColumn('job_id', 'text')
    .addColumn('progress', 'text')
    .addColumn('steps', 'text', (column) => column.notNull())
    .addColumn('error', 'text')
    .addColumn('created_at', types.timestamp, (column) => column.notNull())
    .addColumn('started_at', types.timestamp)
    .addColumn('finished_at', types.timestamp)
    .execute();
  await db.schema
    .createIndex('restore_drills_instance')
    .on('restore_drills')
    .columns(['instance_id', 'created_at'])
    .execute();
}
