import type { Store } from '../../store/index.ts';
import { mergeHistograms, percentile } from '../latency-histogram.ts';
import { daysOf, type Week, weekBefore } from './week.ts';

/** Incidents of an instance, read through a port: monitoring does not import the incidents domain. */
export interface IncidentSummarySource {
  incidentsOf(
    instanceId: string,
    from: number,
    to: number,
  ): Promise<Array<{ title: string; severity: string; startedAt: number }>>;
}

export interface WeekFigures {
  checks: number;
  failures: number;
  /** 0..1; null without checks. */
  uptime: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
}

export interface WeeklyReport {
  instance: { id: string; slug: string; customer: string };
  week: string;
  from: number;
  to: number;
  timeZone: string;
  current: WeekFigures;
  previous: WeekFigures & { week: string };
  incidents: Array<{ title: string; severity: string; startedAt: number }>;
  /** The hours with the slowest answers, slowest first. */
  slowest: Array<{ monitor: string; hour: number; latencyMaxMs: number }>;
  monitors: Array<{ name: string; uptime: number | null; p95Ms: number | null }>;
  days: Array<{ day: number; uptime: number | null; p95Ms: number | null }>;
}

interface Rows {
  rollups: Array<{
    monitor_id: string;
    bucket: number;
    checks: number;
    failures: number;
    latency_max: number;
  }>;
  bins: Array<{ monitor_id: string; bucket: number; bin: number; count: number }>;
}

async function readHours(store: Store, monitorIds: string[], from: number, to: number): Promise<Rows> {
  if (monitorIds.length === 0) return { rollups: [], bins: [] };
  const rollups = await store.db
    .selectFrom('check_rollups')
    .select(['monitor_id', 'bucket', 'checks', 'failures', 'latency_max'])
    .where('monitor_id', 'in', monitorIds)
    .where('granularity', '=', 'hour')
    .where('bucket', '>=', from)
    .where('bucket', '<', to)
    .execute();
  const bins = await store.db
    .selectFrom('check_latency_hours')
    .select(['monitor_id', 'bucket', 'bin', 'count'])
    .where('monitor_id', 'in', monitorIds)
    .where('bucket', '>=', from)
    .where('bucket', '<', to)
    .execute();
  const number = <T extends Record<string, unknown>>(row: T) =>
    Object.fromEntries(Object.entries(row).map(([k, v]) => [k, k === 'monitor_id' ? v : Number(v)])) as T;
  return { rollups: rollups.map(number), bins: bins.map(number) };
}

function figuresOf(rows: Rows, keep: (row: { monitor_id: string; bucket: number }) => boolean): WeekFigures {
  let checks = 0;
  let failures = 0;
  for (const row of rows.rollups) {
    if (!keep(row)) continue;
    checks += row.checks;
    failures += row.failures;
  }
  const histogram = mergeHistograms(rows.bins.filter(keep).map((row) => new Map([[row.bin, row.count]])));
  const round = (value: number | null) => (value === null ? null : Math.round(value));
  return {
    checks,
    failures,
    uptime: checks === 0 ? null : (checks - failures) / checks,
    p50Ms: round(percentile(histogram, 0.5)),
    p95Ms: round(percentile(histogram, 0.95)),
  };
}

/**
 * One instance's week from the hourly roll-ups and latency histograms (hours are UTC, and every zone in use
 * has whole-hour offsets from UTC at week boundaries, so a local week is a whole number of hours).
 */
export async function computeWeeklyReport(
  deps: { store: Store; incidents?: IncidentSummarySource | undefined },
  instance: { id: string; slug: string; customer: string },
  week: Week,
  timeZone: string,
): Promise<WeeklyReport> {
  const monitors = await deps.store.db
    .selectFrom('monitors')
    .select(['id', 'name'])
    .where('instance_id', '=', instance.id)
    .orderBy('name')
    .execute();
  const ids = monitors.map((monitor) => monitor.id);
  const names = new Map(monitors.map((monitor) => [monitor.id, monitor.name]));
  const previousWeek = weekBefore(week.from, timeZone);
  const [rows, previousRows] = await Promise.all([
    readHours(deps.store, ids, week.from, week.to),
    readHours(deps.store, ids, previousWeek.from, previousWeek.to),
  ]);
  const days = daysOf(week, timeZone);
  const dayEnd = (index: number) => days[index + 1] ?? week.to;
  const incidents = (await deps.incidents?.incidentsOf(instance.id, week.from, week.to)) ?? [];
  return {
    instance,
    week: week.label,
    from: week.from,
    to: week.to,
    timeZone,
    current: figuresOf(rows, () => true),
    previous: { week: previousWeek.label, ...figuresOf(previousRows, () => true) },
    incidents,
    slowest: [...rows.rollups]
      .sort((a, b) => b.latency_max - a.latency_max)
      .slice(0, 5)
      .map((row) => ({
        monitor: names.get(row.monitor_id) ?? row.monitor_id,
        hour: row.bucket,
        latencyMaxMs: row.latency_max,
      })),
    monitors: monitors.map((monitor) => {
      const figures = figuresOf(rows, (row) => row.monitor_id === monitor.id);
      return { name: monitor.name, uptime: figures.uptime, p95Ms: figures.p95Ms };
    }),
    days: days.map((day, index) => {
      const figures = figuresOf(rows, (row) => row.bucket >= day && row.bucket < dayEnd(index));
      return { day, uptime: figures.uptime, p95Ms: figures.p95Ms };
    }),
  };
}
