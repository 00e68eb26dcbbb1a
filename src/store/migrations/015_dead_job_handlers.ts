import type { Kysely } from 'kysely';
import type { MigrationContext } from '../migrate.ts';

/**
 * When a dead job (attempts used up) was handed to its queue's dead handler, so the work it tracked (a
 * migration, …) is recorded as ended once, whichever process saw the job die. Null while not handed yet.
 */
export async function up(db: Kysely<unknown>, { types }: MigrationContext): Promise<void> {
  await db.schema.alterTable('jobs').addColumn('dead_handled_at', types.timestamp).execute();
}
