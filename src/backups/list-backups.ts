import { z } from 'zod';
import { type Actor, authorize } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import { RoostError } from '../core/errors.ts';
import type { BackupDeps } from './deps.ts';
import { type Backup, instanceBySlug, toBackup } from './records.ts';

const listBackupsInput = z.object({
  slug: z.string().min(1).max(100),
  /** Pruned backups are history; shown only when asked. */
  includePruned: z.boolean().default(false),
});

/** An instance's backups, newest first (`backups:read`). Only `succeeded` ones can be restored. */
export async function listBackups(
  deps: Pick<BackupDeps, 'store'>,
  actor: Actor,
  input: z.input<typeof listBackupsInput>,
): Promise<Backup[]> {
  authorize(actor, 'backups:read');
  const { slug, includePruned } = parseInput(listBackupsInput, input);
  const instance = await instanceBySlug(deps.store.db, slug);
  let query = deps.store.db
    .selectFrom('backups')
    .selectAll()
    .where('instance_id', '=', instance.id)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc');
  if (!includePruned) query = query.where('state', '!=', 'pruned');
  return (await query.execute()).map(toBackup);
}

/** Backups of one instance by id, for any slug (`backups:read`). */
export async function getBackup(deps: Pick<BackupDeps, 'store'>, actor: Actor, id: string): Promise<Backup> {
  authorize(actor, 'backups:read');
  const row = await deps.store.db.selectFrom('backups').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new RoostError('not_found', `no backup ${id}`, { id });
  return toBackup(row);
}
