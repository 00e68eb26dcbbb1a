import { DateTime } from 'luxon';
import type { Clock } from '../core/clock.ts';
import type { ConditionReporter } from '../core/conditions.ts';
import { computeSla, type SlaResult, type StateSeconds } from '../core/sla.ts';
import type { Jobs } from '../jobs/index.ts';
import type { Logger } from '../observability/index.ts';
import type { UptimeSource } from '../status/index.ts';
import type { Store } from '../store/index.ts';
import { instanceSla } from './sla-report.ts';

/** Hourly: is any live instance's month heading below its SLA target (R26)? */
export const slaProjectionQueue = 'incidents.sla-projection';

/** How far back "the recent rate" of downtime looks. */
export const recentWindowMs = 24 * 3_600_000;

export interface SlaProjection {
  /** Weighted downtime so far, outside maintenance. */
  downtimeSeconds: number;
  /** Downtime per measured second over the recent window (the month so far when it has no data). */
  recentRate: number;
  /** Time left in the month outside scheduled maintenance. */
  remainingSeconds: number;
  /** Downtime expected by the month's end if the recent rate holds. */
  projectedDowntimeSeconds: number;
  /** Uptime expected at the month's end, percent; null without any data. */
  projectedUptime: number | null;
  target: number;
  /** The month is expected to end below its target. */
  atRisk: boolean;
}

/**
 * The projection rule: the month ends with the downtime so far plus the time left in the month (outside
 * scheduled maintenance) at the recent rate, the weighted downtime per measured second of the last 24 hours.
 * The month is at risk when the uptime this gives over the whole month falls below the target. A month
 * without any data is not judged.
 */
export function projectSla(input: {
  soFar: SlaResult;
  /** The same figures over the last 24 hours only. */
  recent: SlaResult;
  now: Date;
  excluded: ReadonlyArray<{ start: Date; end: Date }>;
}): SlaProjection {
  const { soFar, recent, now } = input;
  const end = soFar.to.getTime();
  const from = Math.min(end, now.getTime());
  const maintenanceLeft = input.excluded.reduce(
    (total, window) =>
      total + Math.max(0, Math.min(end, window.end.getTime()) - Math.max(from, window.start.getTime())),
    0,
  );
  const remainingSeconds = Math.max(0, (end - from - maintenanceLeft) / 1000);
  const recentRate =
    recent.measuredSeconds > 0
      ? recent.downtimeSeconds / recent.measuredSeconds
      : soFar.measuredSeconds > 0
        ? soFar.downtimeSeconds / soFar.measuredSeconds
        : 0;
  const projectedDowntimeSeconds = soFar.downtimeSeconds + recentRate * remainingSeconds;
  const projectedMeasured = soFar.measuredSeconds + remainingSeconds;
  const projectedUptime =
    soFar.measuredSeconds > 0 && projectedMeasured > 0
      ? (100 * (projectedMeasured - projectedDowntimeSeconds)) / projectedMeasured
      : null;
  return {
    downtimeSeconds: soFar.downtimeSeconds,
    recentRate,
    remainingSeconds,
    projectedDowntimeSeconds,
    projectedUptime,
    target: soFar.target,
    atRisk: projectedUptime !== null && projectedUptime < soFar.target,
  };
}

export interface SlaProjectionDeps {
  store: Store;
  clock: Clock;
  uptime: UptimeSource;
  timeZone: string;
  conditions: ConditionReporter;
  logger?: Logger | undefined;
}

const minutes = (seconds: number) => `${Math.round(seconds / 60)} min`;

/**
 * Projects the current month of every live instance and reports to alerting (source `sla`, key
 * `<instance id>:<month>`, warning): active while the month is projected to miss its target, cleared when it
 * is back on track. Last month's condition is cleared too: a finished month is reported, not alerted.
 */
export async function checkSlaProjections(
  deps: SlaProjectionDeps,
): Promise<{ checked: number; atRisk: number }> {
  const now = deps.clock.now();
  const today = DateTime.fromJSDate(now, { zone: deps.timeZone });
  const month = today.toFormat('yyyy-MM');
  const previous = today.minus({ months: 1 }).toFormat('yyyy-MM');
  const instances = await deps.store.db
    .selectFrom('instances')
    .leftJoin('status_pages', 'status_pages.instance_id', 'instances.id')
    .select(['instances.id', 'instances.slug', 'status_pages.sla_target'])
    .where('instances.state', 'in', ['running', 'degraded'])
    .orderBy('instances.slug')
    .execute();
  let atRisk = 0;
  for (const instance of instances) {
    const { result, buckets, maintenances } = await instanceSla(deps, instance, month);
    const since = now.getTime() - recentWindowMs;
    const recentBuckets: StateSeconds[] = buckets.filter((bucket) => bucket.end.getTime() > since);
    const recent = computeSla({
      month,
      timeZone: deps.timeZone,
      target: result.target,
      buckets: recentBuckets,
      excluded: maintenances,
    });
    const projection = projectSla({ soFar: result, recent, now, excluded: maintenances });
    if (projection.atRisk) atRisk++;
    await deps.conditions.report({
      source: 'sla',
      key: `${instance.id}:${month}`,
      instanceId: instance.id,
      severity: 'warning',
      summary: `${instance.slug}: ${month} projected at ${projection.projectedUptime?.toFixed(3) ?? '?'}% against its ${projection.target}% SLA (downtime ${minutes(projection.downtimeSeconds)} so far, ${minutes(projection.projectedDowntimeSeconds)} expected by the month's end)`,
      labels: { alertname: 'sla-at-risk', month, slug: instance.slug },
      active: projection.atRisk,
    });
    await deps.conditions.report({
      source: 'sla',
      key: `${instance.id}:${previous}`,
      instanceId: instance.id,
      severity: 'warning',
      summary: `${instance.slug}: ${previous} is over`,
      labels: { alertname: 'sla-at-risk', month: previous, slug: instance.slug },
      active: false,
    });
  }
  deps.logger?.info({ checked: instances.length, atRisk, month }, 'SLA projections checked');
  return { checked: instances.length, atRisk };
}

/** Runs the projection every hour through the durable jobs (one run at a time across processes). */
export async function registerSlaProjectionJobs(deps: SlaProjectionDeps & { jobs: Jobs }): Promise<void> {
  deps.jobs.work(slaProjectionQueue, async () => checkSlaProjections(deps));
  await deps.jobs.schedule({ name: 'sla-projection', cron: '7 * * * *', queue: slaProjectionQueue });
}
