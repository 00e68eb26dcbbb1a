import type { Selectable } from 'kysely';
import type { Actor } from '../auth/actor.ts';
import type { BackupRestoreTable } from '../store/index.ts';
import type { RestoreReport } from './restore-backup.ts';
import type { RestoreStep } from './restore-into-stack.ts';

/** A restore queued by someone and run by the `backup.restore` job: what was decided, then how it went. */
export interface BackupRestore {
  id: string;
  instanceId: string;
  /** The instance whose backup is restored. */
  slug: string;
  backupId: string;
  /** `in-place`: the instance's data is replaced (after a safety backup); `into`: a new instance. */
  mode: 'in-place' | 'into';
  into: {
    slug: string;
    environment: NonNullable<BackupRestoreTable['into_environment']>;
    runtime: NonNullable<BackupRestoreTable['into_runtime']>;
  } | null;
  state: BackupRestoreTable['state'];
  progress: string | null;
  /** The steps done so far, each with its duration. */
  steps: RestoreStep[];
  /** Once it succeeded: row counts, the app's /status, the safety backup. */
  report: RestoreReport | null;
  error: string | null;
  requestedBy: { id: string; label: string };
  jobId: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

const date = (value: number | null): Date | null => (value === null ? null : new Date(Number(value)));

export function toRestore(row: Selectable<BackupRestoreTable> & { slug: string }): BackupRestore {
  return {
    id: row.id,
    instanceId: row.instance_id,
    slug: row.slug,
    backupId: row.backup_id,
    mode: row.into_slug === null ? 'in-place' : 'into',
    into:
      row.into_slug === null
        ? null
        : {
            slug: row.into_slug,
            environment: row.into_environment ?? 'staging',
            runtime: row.into_runtime ?? 'local',
          },
    state: row.state,
    progress: row.progress,
    steps: JSON.parse(row.steps) as RestoreStep[],
    report: row.report === null ? null : (JSON.parse(row.report) as RestoreReport),
    error: row.error,
    requestedBy: JSON.parse(row.requested_by) as { id: string; label: string },
    jobId: row.job_id,
    createdAt: new Date(Number(row.created_at)),
    startedAt: date(row.started_at),
    finishedAt: date(row.finished_at),
  };
}

/**
 * Who the `backup.restore` job acts as: the decision (production access, confirmation) was made when the
 * restore was queued, so it holds only what carrying it out needs (a safety backup, creating or removing
 * the new instance), and the audit trail names who asked.
 */
export function restoreJobActor(requestedBy: { id: string; label: string }): Actor {
  return {
    kind: 'local',
    id: 'job:backup.restore',
    label: `backup.restore job for ${requestedBy.label}`,
    role: null,
    permissions: new Set(['backups:write', 'instances:write']),
    secondFactorAt: null,
    ip: null,
  };
}
