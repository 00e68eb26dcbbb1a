import type { Kysely } from 'kysely';
import type { MigrationContext } from '../migrate.ts';

export async function up(db: Kysely<unknown>, { types }: MigrationContext): Promise<void> {
  await db.schema
    .createTable('instances')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('slug', 'text', (column) => column.notNull().unique())
    .addColumn('customer', 'text', (column) => column.notNull())
    .addColumn('environment', 'text', (column) => column.notNull())
    .addColumn('runtime', 'text', (column) => column.notNull())
    .addColumn('release', 'text', (column) => column.notNull())
    .addColumn('replicas', 'integer', (column) => column.notNull())
    .addColumn('state', 'text', (column) => column.notNull())
    .addColumn('last_error', 'text')
    .addColumn('created_at', types.timestamp, (column) => column.notNull())
    .addColumn('updated_at', types.timestamp, (column) => column.notNull())
    .addColumn('decommissioned_at', types.timestamp)
    .execute();

  await db.schema
    .createTable('instance_operations')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('instance_id', 'text', (column) => column.notNull().references('instances.id'))
    .addColumn('kind', 'text', (column) => column.notNull())
    .addColumn('state', 'text', (column) => column.notNull())
    .addColumn('job_id', 'text')
    .addColumn('progress', 'text')
    .addColumn('error', 'text')
    .addColumn('created_at', types.timestamp, (column) => column.notNull())
    .addColumn('started_at', types.timestamp)
    .addColumn('finished_at', types.timestamp)
    .execute();
  await db.schema
    .createIndex('instance_operations_instance')
    .on('instance_operations')
    .columns(['instance_id', 'created_at'])
    .execute();
}
