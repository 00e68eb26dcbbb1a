import type { Kysely } from 'kysely';
import type { MigrationContext } from '../migrate.ts';

/**
 * Restores as queued work (R21): who asked for what was decided when the restore was queued (backup, in
 * place or into a new instance), so the job only carries it out; the row records its progress, each step's
 * time and the report, for the API and the Backups page.
 */
export async function up(db: Kysely<unknown>, { types }: MigrationContext): Promise<void> {
  await db.schema
    .createTable('backup_restores')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('instance_id', 'text', (column) => column.notNull().references('instances.id'))
    .addColumn('backup_id', 'text', (column) => column.notNull())
    .addColumn('into_slug', 'text')
    .addColumn('into_environment', 'text')
    .addColumn('into_runtime', 'text')
    .addColumn('state', 'text', (column) => column.notNull())
    .addColumn('job_id', 'text')
    .addColumn('progress', 'text')
    .addColumn('steps', 'text', (column) => column.notNull())
    .addColumn('report', 'text')
    .addColumn('error', 'text')
    .addColumn('requested_by', 'text', (column) => column.notNull())
    .addColumn('created_at', types.timestamp, (column) => column.notNull())
    .addColumn('started_at', types.timestamp)
    .addColumn('finished_at', types.timestamp)
    .execute();
  await db.schema
    .createIndex('backup_restores_instance')
    .on('backup_restores')
    .columns(['instance_id', 'created_at'])
    .execute();
}
