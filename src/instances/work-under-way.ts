import type { Kysely, Selectable } from 'kysely';
import type { Database, InstanceTable } from '../store/index.ts';

/** Work done on an instance, one row each, `queued` or `running` until it ends. */
export type InstanceWorkTable =
  | 'instance_operations'
  | 'instance_migrations'
  | 'backups'
  | 'backup_restores'
  | 'restore_drills';

/**
 * A row of work on an instance (an operation, a migration, a backup, a restore, a drill) while it is still
 * queued or running, with the instance's row; undefined once it ended or is gone. What dead-job handlers end.
 */
export async function workUnderWay<T extends InstanceWorkTable>(
  db: Kysely<Database>,
  table: T,
  id: string,
): Promise<{ row: Selectable<Database[T]>; instance: Selectable<InstanceTable> } | undefined> {
  const row = await db
    .selectFrom(table as InstanceWorkTable)
    .selectAll()
    .where('id', '=', id)
    .where('state', 'in', ['queued', 'running'])
    .executeTakeFirst();
  if (!row) return undefined;
  const instance = await db
    .selectFrom('instances')
    .selectAll()
    .where('id', '=', row.instance_id)
    .executeTakeFirstOrThrow();
  // The row came from `table`: its type is that table's, not the union's.
  return { row: row as Selectable<Database[T]>, instance };
}
