import type { Kysely, Selectable } from 'kysely';
import { RoostError } from '../core/errors.ts';
import type { BackupTable, Database, InstanceTable } from '../store/index.ts';
import { type BackupManifest, manifestSchema } from './manifest.ts';

export type BackupState = BackupTable['state'];

export interface Backup {
  id: string;
  instanceId: string;
  state: BackupState;
  trigger: BackupTable['trigger'];
  target: string;
  jobId: string | null;
  bytes: number | null;
  progress: string | null;
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  prunedAt: Date | null;
  /** Present once the backup succeeded. */
  manifest: BackupManifest | null;
}

/** The queues of the backup jobs. */
export const backupQueue = 'backup.run';
export const scheduledBackupQueue = 'backup.scheduled';
export const restoreQueue = 'backup.restore';
export const drillQueue = 'backup.drill';

const date = (value: number | null): Date | null => (value === null ? null : new Date(Number(value)));

export function toBackup(row: Selectable<BackupTable>): Backup {
  return {
    id: row.id,
    instanceId: row.instance_id,
    state: row.state,
    trigger: row.trigger,
    target: row.target,
    jobId: row.job_id,
    bytes: row.bytes === null ? null : Number(row.bytes),
    progress: row.progress,
    error: row.error,
    createdAt: new Date(Number(row.created_at)),
    startedAt: date(row.started_at),
    finishedAt: date(row.finished_at),
    prunedAt: date(row.pruned_at),
    manifest: row.manifest === null ? null : manifestSchema.parse(JSON.parse(row.manifest)),
  };
}

/** The instance named `slug` (in a transaction when `db` is one); `not_found` when there is none. */
export async function instanceBySlug(db: Kysely<Database>, slug: string): Promise<Selectable<InstanceTable>> {
  const instance = await db.selectFrom('instances').selectAll().where('slug', '=', slug).executeTakeFirst();
  if (!instance) throw new RoostError('not_found', `no instance ${slug}`, { slug });
  return instance;
}
