import { type Actor, authorize } from '../auth/actor.ts';
import { RoostError } from '../core/errors.ts';
import type { MigrationDeps } from './deps.ts';
import { type Migration, toMigration } from './records.ts';

type ReadDeps = Pick<MigrationDeps, 'store'>;

/** One migration with its report (`instances:read`). */
export async function getMigration(deps: ReadDeps, actor: Actor, id: string): Promise<Migration> {
  authorize(actor, 'instances:read');
  const row = await deps.store.db
    .selectFrom('instance_migrations')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw new RoostError('not_found', `no migration ${id}`, { id });
  return toMigration(row);
}

/** Migrations, newest first, of one instance or of all (`instances:read`). */
export async function listMigrations(
  deps: ReadDeps,
  actor: Actor,
  input: { slug?: string | undefined; limit?: number | undefined } = {},
): Promise<Migration[]> {
  authorize(actor, 'instances:read');
  let query = deps.store.db
    .selectFrom('instance_migrations')
    .innerJoin('instances', 'instances.id', 'instance_migrations.instance_id')
    .selectAll('instance_migrations');
  if (input.slug) query = query.where('instances.slug', '=', input.slug);
  const rows = await query
    .orderBy('instance_migrations.created_at', 'desc')
    .orderBy('instance_migrations.id', 'desc')
    .limit(Math.min(Math.max(input.limit ?? 50, 1), 500))
    .execute();
  return rows.map(toMigration);
}
