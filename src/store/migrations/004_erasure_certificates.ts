import type { Kysely } from 'kysely';
import type { MigrationContext } from '../migrate.ts';

/** One signed erasure certificate per decommissioned instance (R27); the body is the signed JSON. */
export async function up(db: Kysely<unknown>, { types }: MigrationContext): Promise<void> {
  await db.schema
    .createTable('erasure_certificates')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('instance_id', 'text', (column) => column.notNull().unique().references('instances.id'))
    .addColumn('body', 'text', (column) => column.notNull())
    .addColumn('created_at', types.timestamp, (column) => column.notNull())
    .execute();
}
