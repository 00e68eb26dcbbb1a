import { Cron } from 'croner';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import { describeError, RoostError } from '../core/errors.ts';
import { enqueueJob, type QueueContext, validateQueueName } from './queue.ts';
import { toJson } from './record.ts';
import type { ScheduleInput } from './types.ts';

export interface CronContext extends QueueContext {
  timeZone: string;
  logger: Logger | undefined;
}

/**
 * Reads a cron expression in an IANA time zone, with croner's DST rules: a fixed-time job (one value in
 * each of second, minute, hour, e.g. `30 2 * * *`) whose time falls in the spring-forward gap runs once at
 * the first valid time after it (03:00), and runs once, at the first occurrence, when fall-back repeats
 * its time; interval jobs (`*\/15 * * * *`, `30 1,2 * * *`) skip gap times and run on both repeated ones.
 */
export function parseCron(expression: string, timeZone: string): Cron {
  if (!isTimeZone(timeZone))
    throw new RoostError(
      'invalid_input',
      `invalid time zone ${JSON.stringify(timeZone)}: expected an IANA name such as Europe/Paris`,
    );
  let cron: Cron;
  try {
    cron = new Cron(expression, { timezone: timeZone, paused: true });
  } catch (error) {
    const reason = describeError(error).replace(/^CronPattern: /, '');
    throw new RoostError('invalid_input', `invalid cron expression ${JSON.stringify(expression)}: ${reason}`);
  }
  if (cron.nextRun() === null)
    throw new RoostError('invalid_input', `cron expression ${JSON.stringify(expression)} never runs`);
  return cron;
}

/** The first run strictly after `from`; a schedule that has no more runs gets the last representable time. */
export function nextRunAfter(cron: Cron, from: Date): number {
  return cron.nextRun(from)?.getTime() ?? 8.64e15;
}

/** Creates or replaces a schedule; the next run is kept when neither the expression nor the time zone changed. */
export async function upsertSchedule(context: CronContext, input: ScheduleInput): Promise<void> {
  if (typeof input.name !== 'string' || !/^[a-z0-9][a-z0-9._:-]{0,99}$/i.test(input.name))
    throw new RoostError('invalid_input', `invalid schedule name ${JSON.stringify(input.name)}`);
  validateQueueName(input.queue);
  const timeZone = input.timeZone ?? context.timeZone;
  const cron = parseCron(input.cron, timeZone);
  const now = context.clock.now();
  const row = {
    name: input.name,
    cron: input.cron,
    time_zone: timeZone,
    queue: input.queue,
    payload: toJson(input.payload),
    next_run_at: nextRunAfter(cron, now),
    created_at: now.getTime(),
    updated_at: now.getTime(),
  };
  await context.db
    .insertInto('job_schedules')
    .values(row)
    .onConflict((conflict) =>
      conflict.column('name').doUpdateSet((eb) => ({
        cron: eb.ref('excluded.cron'),
        time_zone: eb.ref('excluded.time_zone'),
        queue: eb.ref('excluded.queue'),
        payload: eb.ref('excluded.payload'),
        updated_at: eb.ref('excluded.updated_at'),
        next_run_at: sql<number>`CASE WHEN job_schedules.cron = excluded.cron AND job_schedules.time_zone = excluded.time_zone
          THEN job_schedules.next_run_at ELSE excluded.next_run_at END`,
      })),
    )
    .execute();
}

/**
 * Enqueues one job per due schedule, keyed `${name}@${scheduled time ISO}`, and moves next_run_at past now
 * in the same transaction (compare-and-set), so processes ticking together enqueue each run once. Runs
 * missed while no process was ticking collapse into one job for the earliest missed time.
 */
export async function enqueueDueSchedules(
  context: CronContext,
  onEnqueued: (queue: string) => void,
): Promise<number> {
  const now = context.clock.now();
  const due = await context.db
    .selectFrom('job_schedules')
    .selectAll()
    .where('next_run_at', '<=', now.getTime())
    .orderBy('next_run_at')
    .limit(100)
    .execute();
  let enqueued = 0;
  for (const schedule of due) {
    const scheduled = Number(schedule.next_run_at);
    let next: number;
    try {
      next = nextRunAfter(parseCron(schedule.cron, schedule.time_zone), now);
    } catch (error) {
      context.logger?.error(
        { schedule: schedule.name, error: describeError(error) },
        'cron schedule skipped',
      );
      continue;
    }
    const created = await context.db.transaction().execute(async (transaction) => {
      const moved = await transaction
        .updateTable('job_schedules')
        .set({ next_run_at: next, last_run_at: scheduled, updated_at: now.getTime() })
        .where('name', '=', schedule.name)
        .where('next_run_at', '=', scheduled)
        .executeTakeFirst();
      if (moved.numUpdatedRows !== 1n) return false;
      const job = await enqueueJob(
        context,
        {
          queue: schedule.queue,
          payload: JSON.parse(schedule.payload) as unknown,
          key: `${schedule.name}@${new Date(scheduled).toISOString()}`,
          runAt: new Date(scheduled),
        },
        transaction,
      );
      return job.created;
    });
    if (created) {
      enqueued++;
      onEnqueued(schedule.queue);
    }
  }
  return enqueued;
}

function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return typeof timeZone === 'string' && timeZone.length > 0;
  } catch {
    return false;
  }
}
