import { endDeadBackup, runBackupJob } from './backup-job.ts';
import type { BackupDeps } from './deps.ts';
import { endDeadDrill, runDrillJob } from './drills.ts';
import { backupQueue, drillQueue, restoreQueue, scheduledBackupQueue } from './records.ts';
import { endDeadRestore, runRestoreJob } from './restore-job.ts';
import { runScheduledBackup } from './schedule.ts';

/** Registers the backup, restore and drill jobs' handlers; the process that calls `jobs.start()` then runs them. */
export function registerBackupJobs(deps: BackupDeps): void {
  deps.jobs.work(backupQueue, (job, { signal }) => runBackupJob(deps, job, signal), {
    onDead: (job) => endDeadBackup(deps, job),
  });
  deps.jobs.work(scheduledBackupQueue, (job) => runScheduledBackup(deps, job));
  deps.jobs.work(drillQueue, (job, { signal }) => runDrillJob(deps, job, signal), {
    onDead: (job) => endDeadDrill(deps, job),
  });
  deps.jobs.work(restoreQueue, (job, { signal }) => runRestoreJob(deps, job, signal), {
    onDead: (job) => endDeadRestore(deps, job),
  });
}
