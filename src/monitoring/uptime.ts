import { z } from 'zod';
import { type Actor, authorize } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import type { Store } from '../store/index.ts';
import { type Granularity, granularities } from './results.ts';

export interface UptimeBucket {
  bucket: number;
  checks: number;
  failures: number;
  /** 0..1; null for a bucket without checks. */
  uptime: number | null;
  latencyAvgMs: number | null;
  latencyMaxMs: number;
}

export interface MonitorUptime {
  monitorId: string;
  checks: number;
  failures: number;
  uptime: number | null;
  buckets: UptimeBucket[];
}

/**
 * Uptime of monitors over [from, to) from the roll-ups: the read side status pages, SLA reports and
 * weekly reports use. Buckets without checks are absent.
 */
export async function uptimeOf(
  store: Store,
  monitorIds: readonly string[],
  from: number,
  to: number,
  granularity: Granularity,
): Promise<MonitorUptime[]> {
  const result = new Map<string, MonitorUptime>(
    monitorIds.map((id) => [id, { monitorId: id, checks: 0, failures: 0, uptime: null, buckets: [] }]),
  );
  if (monitorIds.length === 0) return [];
  const rows = await store.db
    .selectFrom('check_rollups')
    .selectAll()
    .where('monitor_id', 'in', monitorIds as string[])
    .where('granularity', '=', granularity)
    .where('bucket', '>=', from)
    .where('bucket', '<', to)
    .orderBy('bucket')
    .execute();
  for (const row of rows) {
    const entry = result.get(row.monitor_id);
    if (!entry) continue;
    const checks = Number(row.checks);
    const failures = Number(row.failures);
    entry.checks += checks;
    entry.failures += failures;
    entry.buckets.push({
      bucket: Number(row.bucket),
      checks,
      failures,
      uptime: checks === 0 ? null : (checks - failures) / checks,
      latencyAvgMs: checks === 0 ? null : Math.round(Number(row.latency_sum) / checks),
      latencyMaxMs: Number(row.latency_max),
    });
  }
  for (const entry of result.values()) {
    entry.uptime = entry.checks === 0 ? null : (entry.checks - entry.failures) / entry.checks;
  }
  return [...result.values()];
}

const uptimeInput = z.object({
  monitorIds: z.array(z.string().max(100)).min(1).max(1000),
  from: z.int().min(0),
  to: z.int().min(0),
  granularity: z.enum(granularities as [Granularity, ...Granularity[]]).default('hour'),
});

/** `uptimeOf` for people and the API (`monitoring:read`). */
export async function getUptime(
  deps: { store: Store },
  actor: Actor,
  input: z.input<typeof uptimeInput>,
): Promise<MonitorUptime[]> {
  authorize(actor, 'monitoring:read');
  const { monitorIds, from, to, granularity } = parseInput(uptimeInput, input);
  return uptimeOf(deps.store, monitorIds, from, to, granularity);
}
