import type { Kysely } from 'kysely';
import type { MigrationContext } from '../migrate.ts';

/**
 * An instance can be stopped (services scaled to zero, data kept) and started again; an operation keeps
 * what it needs to finish or undo itself after a crash (the release before an update, the secret a
 * rotation replaces).
 */
export async function up(db: Kysely<unknown>, _context: MigrationContext): Promise<void> {
  await db.schema
    .alterTable('instances')
    .addColumn('running', 'integer', (column) => column.notNull().defaultTo(1))
    .execute();
  // How many times the database password was rotated: the API's login role alternates with each one.
  await db.schema
    .alterTable('instances')
    .addColumn('db_rotations', 'integer', (column) => column.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('instance_operations').addColumn('details', 'text').execute();
}
