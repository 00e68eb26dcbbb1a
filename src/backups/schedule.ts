import { createHash } from 'node:crypto';
import { RoostError } from '../core/errors.ts';
import type { JobRecord } from '../jobs/index.ts';
import type { BackupDeps } from './deps.ts';
import { drillQueue, scheduledBackupQueue } from './records.ts';
import { startBackup } from './start-backup.ts';

const minutesOf = (time: string): number => {
  const [hours, minutes] = time.split(':').map(Number);
  return (hours ?? 0) * 60 + (minutes ?? 0);
};

/**
 * The daily start time of an instance inside the window, the same every day and spread evenly by a hash
 * of the instance id, so hundreds of instances never dump at the same minute.
 */
export function dailyBackupCron(instanceId: string, window: { from: string; to: string }): string {
  const from = minutesOf(window.from);
  let length = minutesOf(window.to) - from;
  if (length <= 0) length += 24 * 60; // a window over midnight
  const offset = createHash('sha256').update(instanceId).digest().readUInt32BE(0) % length;
  const at = (from + offset) % (24 * 60);
  return `${at % 60} ${Math.floor(at / 60)} * * *`;
}

type ScheduleDeps = Pick<BackupDeps, 'store' | 'jobs' | 'settings'>;

export async function scheduleDailyBackup(
  deps: ScheduleDeps,
  instance: { id: string; slug: string },
): Promise<void> {
  await deps.jobs.schedule({
    name: backupScheduleName(instance.id),
    cron: dailyBackupCron(instance.id, deps.settings.window),
    queue: scheduledBackupQueue,
    payload: { instanceId: instance.id },
    timeZone: deps.settings.timeZone,
  });
}

/**
 * The restore drill's cron: the instance's backup minute and hour plus two hours (after its backup, still
 * out of hours), on a weekday (weekly) or day of the month (monthly) spread by the same hash.
 */
export function drillCron(
  instanceId: string,
  window: { from: string; to: string },
  every: 'daily' | 'weekly' | 'monthly',
): string {
  const [minute, hour] = dailyBackupCron(instanceId, window).split(' ').map(Number);
  const at = ((hour ?? 0) + 2) % 24;
  const spread = createHash('sha256').update(`drill:${instanceId}`).digest().readUInt32BE(0);
  if (every === 'daily') return `${minute} ${at} * * *`;
  if (every === 'weekly') return `${minute} ${at} * * ${spread % 7}`;
  return `${minute} ${at} ${1 + (spread % 28)} * *`;
}

export const backupScheduleName = (instanceId: string): string => `backup:${instanceId}`;
export const drillScheduleName = (instanceId: string): string => `drill:${instanceId}`;

/** A drill schedule per live instance (none when drills are `off`: an existing one is removed). */
export async function scheduleDrills(deps: ScheduleDeps, instance: { id: string }): Promise<void> {
  if (deps.settings.drills === 'off') {
    await removeSchedules(deps, [drillScheduleName(instance.id)]);
    return;
  }
  await deps.jobs.schedule({
    name: drillScheduleName(instance.id),
    cron: drillCron(instance.id, deps.settings.window, deps.settings.drills),
    queue: drillQueue,
    payload: { instanceId: instance.id },
    timeZone: deps.settings.timeZone,
  });
}

/**
 * Brings every live instance's backup and drill schedules in line with the settings (backup window, time
 * zone, drill frequency, drills `off`), at start-up: a changed setting applies to the instances that exist,
 * not only to new ones. A drill's throw-away instance has none.
 */
export async function reconcileSchedules(deps: ScheduleDeps): Promise<number> {
  const instances = await deps.store.db
    .selectFrom('instances')
    .select(['id', 'slug'])
    .where('state', 'not in', ['decommissioning', 'decommissioned'])
    .where('slug', 'not in', deps.store.db.selectFrom('restore_drills').select('scratch_slug'))
    .execute();
  for (const instance of instances) {
    await scheduleDailyBackup(deps, instance);
    await scheduleDrills(deps, instance);
  }
  return instances.length;
}

/** The `Jobs` port only creates or replaces schedules; the backup domain removes its own rows. */
export async function removeSchedules(deps: Pick<BackupDeps, 'store'>, names: string[]): Promise<number> {
  const result = await deps.store.db
    .deleteFrom('job_schedules')
    .where('name', 'in', names)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** The scheduled run queues an ordinary backup; a decommissioned instance's schedule does nothing. */
export async function runScheduledBackup(deps: BackupDeps, job: JobRecord): Promise<unknown> {
  const { instanceId } = job.payload as { instanceId: string };
  return deps.store.db.transaction().execute(async (trx) => {
    const instance = await trx
      .selectFrom('instances')
      .selectAll()
      .where('id', '=', instanceId)
      .executeTakeFirst();
    if (!instance || instance.state === 'decommissioned' || instance.state === 'decommissioning')
      return { skipped: instance?.state ?? 'gone' };
    try {
      const backup = await startBackup(deps, trx, instance, 'schedule', {
        id: 'scheduler',
        label: 'scheduler',
      });
      return { backupId: backup.id };
    } catch (error) {
      if (error instanceof RoostError && error.code === 'conflict') return { skipped: error.message };
      throw error;
    }
  });
}
