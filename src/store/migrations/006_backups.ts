import type { Kysely } from 'kysely';
import type { MigrationContext } from '../migrate.ts';

/**
 * Backups (R20–R21): each instance's OpenPGP public key (the private key lives in the vault) and one row
 * per backup run. A backup counts only once its manifest is written (`state = 'succeeded'`).
 */
export async function up(db: Kysely<unknown>, { types }: MigrationContext): Promise<void> {
  await db.schema
    .createTable('backup_keys')
    .addColumn('instance_id', 'text', (column) => column.primaryKey().references('instances.id'))
    .addColumn('fingerprint', 'text', (column) => column.notNull())
    .addColumn('public_key', 'text', (column) => column.notNull())
    .addColumn('created_at', types.timestamp, (column) => column.notNull())
    .execute();

  await db.schema
    .createTable('backups')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('instance_id', 'text', (column) => column.notNull().references('instances.id'))
    .addColumn('state', 'text', (column) => column.notNull())
    .addColumn('trigger', 'text', (column) => column.notNull())
    .addColumn('target', 'text', (column) => column.notNull())
    .addColumn('job_id', 'text')
    .addColumn('bytes', types.timestamp)
    .addColumn('sha256', 'text')
    .addColumn('manifest', 'text')
    .addColumn('progress', 'text')
    .addColumn('error', 'text')
    .addColumn('created_at', types.timestamp, (column) => column.notNull())
    .addColumn('started_at', types.timestamp)
    .addColumn('finished_at', types.timestamp)
    .addColumn('pruned_at', types.timestamp)
    .execute();
  await db.schema
    .createIndex('backups_instance')
    .on('backups')
    .columns(['instance_id', 'created_at'])
    .execute();
}
