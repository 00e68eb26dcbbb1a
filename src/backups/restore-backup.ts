import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { type Actor, authorize, requireFreshSecondFactor } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import { RoostError } from '../core/errors.ts';
import type { BackupDeps } from './deps.ts';
import { postgresEngine } from './engines/postgres.ts';
import type { BackupEngine } from './engines/types.ts';
import { startDecryption } from './gpg.ts';
import { keyOwnerOf, privateKeyName } from './keys.ts';
import { backupFolder } from './pipeline.ts';
import { toBackup } from './records.ts';
import { inputOf, isOsWritable, outputOf, startDecompression } from './stages.ts';
import type { BackupTarget } from './targets/types.ts';
import { verifyBackupFiles } from './verify.ts';

const restoreBackupInput = z.object({
  slug: z.string().min(1).max(100),
  /** Default: the newest good backup. */
  backupId: z.string().min(1).max(100).optional(),
  /** Restoring replaces the database's content: the caller confirms with the slug. */
  confirm: z.string(),
});

export interface RestoreReport {
  slug: string;
  backupId: string;
  durationMs: number;
  steps: Array<{ step: string; ms: number }>;
  rowCounts: { expected: Record<string, number>; actual: Record<string, number>; match: boolean };
}

/**
 * Restores a backup into its own instance (`backups:write`; a production instance needs `keys:export`,
 * i.e. an admin with a fresh second factor). Checksums are verified before anything is decrypted or the
 * database touched; then gpg → zstd → pg_restore in the db service, and row counts are compared.
 */
export async function restoreBackup(
  deps: BackupDeps,
  actor: Actor,
  input: z.input<typeof restoreBackupInput>,
  onProgress?: (message: string) => void,
): Promise<RestoreReport> {
  authorize(actor, 'backups:write');
  const { slug, backupId, confirm } = parseInput(restoreBackupInput, input);
  const { db } = deps.store;
  const instance = await db.selectFrom('instances').selectAll().where('slug', '=', slug).executeTakeFirst();
  if (!instance) throw new RoostError('not_found', `no instance ${slug}`, { slug });
  if (instance.environment === 'production') {
    try {
      authorize(actor, 'keys:export');
      requireFreshSecondFactor(actor, deps.clock);
    } catch (error) {
      await deps.audit.append({
        actor,
        action: 'backup.restore',
        target: instance.id,
        result: 'denied',
        details: { slug, reason: 'production needs an admin with a fresh second factor' },
      });
      throw error;
    }
  }
  if (confirm !== slug)
    throw new RoostError(
      'invalid_input',
      `restoring replaces the data of ${slug}: confirm with the instance's slug`,
    );
  if (instance.state === 'decommissioned' || instance.state === 'decommissioning')
    throw new RoostError('conflict', `instance ${slug} is ${instance.state}`);
  let query = db
    .selectFrom('backups')
    .selectAll()
    .where('instance_id', '=', instance.id)
    .where('state', '=', 'succeeded');
  if (backupId) query = query.where('id', '=', backupId);
  const row = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').executeTakeFirst();
  if (!row)
    throw new RoostError(
      'not_found',
      backupId ? `no good backup ${backupId} of ${slug}` : `${slug} has no good backup`,
      { slug },
    );
  const backup = toBackup(row);
  const manifest = backup.manifest;
  if (!manifest) throw new RoostError('conflict', `backup ${backup.id} has no manifest`);
  const steps: RestoreReport['steps'] = [];
  const started = deps.clock.now().getTime();
  const step = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    onProgress?.(name);
    const at = Date.now();
    const result = await work();
    steps.push({ step: name, ms: Date.now() - at });
    return result;
  };
  try {
    await step('verifying checksums', () => verifyBackupFiles(deps.target, manifest));
    const engine = postgresEngine(deps.runtime);
    const privateKey = await deps.vault.reveal(keyOwnerOf(instance.id), privateKeyName);
    await step('restoring the database', () =>
      streamRestore(
        deps.target,
        `${backupFolder(slug, backup.id)}/${engine.dumpFile}`,
        privateKey,
        engine,
        slug,
      ),
    );
    const actual = await step('comparing row counts', () => engine.rowCounts(slug));
    const match = JSON.stringify(sorted(actual)) === JSON.stringify(sorted(manifest.rowCounts));
    const report: RestoreReport = {
      slug,
      backupId: backup.id,
      durationMs: deps.clock.now().getTime() - started,
      steps,
      rowCounts: { expected: manifest.rowCounts, actual, match },
    };
    await deps.audit.append({
      actor,
      action: 'backup.restore',
      target: instance.id,
      result: match ? 'ok' : 'failed',
      details: { slug, backupId: backup.id, rowCountsMatch: match },
    });
    if (!match)
      throw new RoostError(
        'internal',
        `restore of ${backup.id} into ${slug} finished but row counts differ from the manifest`,
        { report },
      );
    return report;
  } catch (error) {
    if (!(error instanceof RoostError && error.message.includes('row counts differ')))
      await deps.audit.append({
        actor,
        action: 'backup.restore',
        target: instance.id,
        result: 'failed',
        details: { slug, backupId: backup.id, error: error instanceof Error ? error.message : String(error) },
      });
    throw error;
  }
}

function sorted(counts: Record<string, number>): Array<[string, number]> {
  return Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The stored dump → gpg → zstd → the engine's restore, streamed; any stage failing stops the others. */
export async function streamRestore(
  target: BackupTarget,
  file: string,
  privateKey: string,
  engine: BackupEngine,
  slug: string,
): Promise<void> {
  const source = await target.get(file);
  const decrypt = await startDecryption(privateKey);
  const restore = await engine.restore(slug);
  restore.stdout.resume();
  // gpg → zstd → pg_restore over OS pipes when the runtime's command has one (the local runtime does).
  const decompress = isOsWritable(restore.stdin)
    ? startDecompression(outputOf(decrypt), restore.stdin)
    : startDecompression(outputOf(decrypt));
  try {
    await Promise.all([
      pipeline(source, inputOf(decrypt)),
      decompress.output ? pipeline(decompress.output, restore.stdin) : undefined,
      decrypt.done,
      decompress.done,
      restore.exited.then(({ code, stderr }) => {
        if (code !== 0)
          throw new RoostError('internal', `pg_restore failed (exit ${code}): ${stderr.trim()}`);
      }),
    ]);
  } catch (error) {
    decrypt.kill();
    decompress.kill();
    restore.kill();
    throw error;
  }
}
