import { z } from 'zod';
import { type Actor, authorize } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import { RoostError } from '../core/errors.ts';
import type { BackupDeps } from './deps.ts';
import { instanceBySlug } from './records.ts';
import { type BackupRestore, toRestore } from './restore-records.ts';

/** One restore with its progress, steps and, once it succeeded, its report (`backups:read`). */
export async function getRestore(
  deps: Pick<BackupDeps, 'store'>,
  actor: Actor,
  id: string,
): Promise<BackupRestore> {
  authorize(actor, 'backups:read');
  return restoreById(deps, id);
}

/** A restore by id, for the operations of this domain that decided already who may see it. */
export async function restoreById(deps: Pick<BackupDeps, 'store'>, id: string): Promise<BackupRestore> {
  const row = await restoreRows(deps).where('backup_restores.id', '=', id).executeTakeFirst();
  if (!row) throw new RoostError('not_found', `no restore ${id}`, { id });
  return toRestore(row);
}

const listRestoresInput = z.object({
  slug: z.string().min(1).max(100).optional(),
  limit: z.int().min(1).max(500).default(50),
});

/** Restores, newest first, of one instance (the one whose backup is restored) or of all (`backups:read`). */
export async function listRestores(
  deps: Pick<BackupDeps, 'store'>,
  actor: Actor,
  input: z.input<typeof listRestoresInput> = {},
): Promise<BackupRestore[]> {
  authorize(actor, 'backups:read');
  const { slug, limit } = parseInput(listRestoresInput, input);
  let query = restoreRows(deps);
  if (slug)
    query = query.where('backup_restores.instance_id', '=', (await instanceBySlug(deps.store.db, slug)).id);
  const rows = await query
    .orderBy('backup_restores.created_at', 'desc')
    .orderBy('backup_restores.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toRestore);
}

function restoreRows(deps: Pick<BackupDeps, 'store'>) {
  return deps.store.db
    .selectFrom('backup_restores')
    .innerJoin('instances', 'instances.id', 'backup_restores.instance_id')
    .selectAll('backup_restores')
    .select('instances.slug as slug');
}
