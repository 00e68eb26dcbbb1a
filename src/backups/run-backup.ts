import { z } from 'zod';
import { type Actor, authorize } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import type { BackupDeps } from './deps.ts';
import { type Backup, instanceBySlug } from './records.ts';
import { startBackup } from './start-backup.ts';

const runBackupInput = z.object({ slug: z.string().min(1).max(100) });

/** Queues a backup of one instance now (`backups:write`); the `backup.run` job does the work. */
export async function runBackup(
  deps: BackupDeps,
  actor: Actor,
  input: z.input<typeof runBackupInput>,
): Promise<Backup> {
  authorize(actor, 'backups:write');
  const { slug } = parseInput(runBackupInput, input);
  return deps.store.db.transaction().execute(async (trx) => {
    const instance = await instanceBySlug(trx, slug);
    return startBackup(deps, trx, instance, 'manual', actor);
  });
}
