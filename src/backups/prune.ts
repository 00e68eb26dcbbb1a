import type { BackupDeps } from './deps.ts';
import { backupFolder } from './pipeline.ts';
import { backupsToKeep } from './retention.ts';

/**
 * Applies the retention policy to one instance's good backups. Called only right after a new backup was
 * written and verified, so pruning never runs on a failing schedule; the newest good one always stays.
 */
export async function pruneBackups(
  deps: BackupDeps,
  instance: { id: string; slug: string },
): Promise<{ pruned: string[] }> {
  const good = await deps.store.db
    .selectFrom('backups')
    .select(['id', 'created_at'])
    .where('instance_id', '=', instance.id)
    .where('state', '=', 'succeeded')
    .execute();
  const keep = backupsToKeep(
    good.map((row) => ({ id: row.id, createdAt: new Date(Number(row.created_at)) })),
    deps.settings.retention,
    deps.settings.timeZone,
  );
  const pruned: string[] = [];
  for (const row of good) {
    if (keep.has(row.id)) continue;
    // The row first: a crash in between leaves an orphan folder, never a listed backup without files.
    await deps.store.db
      .updateTable('backups')
      .set({ state: 'pruned', pruned_at: deps.clock.now().getTime() })
      .where('id', '=', row.id)
      .execute();
    await deps.target.removeFolder(backupFolder(instance.slug, row.id));
    pruned.push(row.id);
  }
  if (pruned.length > 0)
    await deps.audit.append({
      actor: { id: 'job:backup.run', label: 'backup.run job' },
      action: 'backup.prune',
      target: instance.id,
      result: 'ok',
      details: { slug: instance.slug, pruned, kept: keep.size },
    });
  return { pruned };
}
