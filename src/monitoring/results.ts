import { type Kysely, sql } from 'kysely';
import type { Database } from '../store/index.ts';
import { binOf } from './latency-histogram.ts';

export type Granularity = 'minute' | 'hour' | 'day';
export const granularities: readonly Granularity[] = ['minute', 'hour', 'day'];
const sizes: Record<Granularity, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** Start of the UTC bucket holding `at`. */
export function bucketOf(at: number, granularity: Granularity): number {
  return at - (at % sizes[granularity]);
}

export interface CheckRecord {
  monitorId: string;
  at: number;
  ok: boolean;
  latencyMs: number;
  message: string;
}

export interface MonitorStateChange {
  id: string;
  state: 'unknown' | 'up' | 'down';
  failures: number;
  message: string;
  latencyMs: number;
  checkedAt: number;
  stateSince: number;
}

const chunk = 400;

/**
 * Writes a batch of checks in one transaction: raw rows, the monitors' current state and the minute,
 * hour and day roll-ups (added to, so batches and processes can share a bucket).
 */
export async function writeChecks(
  db: Kysely<Database>,
  checks: readonly CheckRecord[],
  states: readonly MonitorStateChange[],
): Promise<void> {
  if (checks.length === 0 && states.length === 0) return;
  const rollups = new Map<
    string,
    {
      monitor_id: string;
      granularity: Granularity;
      bucket: number;
      checks: number;
      failures: number;
      latency_sum: number;
      latency_max: number;
    }
  >();
  const histogram = new Map<string, { monitor_id: string; bucket: number; bin: number; count: number }>();
  for (const check of checks) {
    const hour = bucketOf(check.at, 'hour');
    const bin = binOf(check.latencyMs);
    const binKey = `${check.monitorId}|${hour}|${bin}`;
    const binEntry = histogram.get(binKey);
    if (binEntry) binEntry.count += 1;
    else histogram.set(binKey, { monitor_id: check.monitorId, bucket: hour, bin, count: 1 });
    for (const granularity of granularities) {
      const bucket = bucketOf(check.at, granularity);
      const key = `${check.monitorId}|${granularity}|${bucket}`;
      let entry = rollups.get(key);
      if (!entry) {
        entry = {
          monitor_id: check.monitorId,
          granularity,
          bucket,
          checks: 0,
          failures: 0,
          latency_sum: 0,
          latency_max: 0,
        };
        rollups.set(key, entry);
      }
      entry.checks += 1;
      if (!check.ok) entry.failures += 1;
      entry.latency_sum += check.latencyMs;
      entry.latency_max = Math.max(entry.latency_max, check.latencyMs);
    }
  }
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < checks.length; i += chunk) {
      await trx
        .insertInto('check_results')
        .values(
          checks.slice(i, i + chunk).map((check) => ({
            monitor_id: check.monitorId,
            at: check.at,
            ok: check.ok ? 1 : 0,
            latency_ms: check.latencyMs,
            message: check.ok ? null : check.message.slice(0, 500),
          })),
        )
        .execute();
    }
    const rows = [...rollups.values()];
    for (let i = 0; i < rows.length; i += chunk) {
      await trx
        .insertInto('check_rollups')
        .values(rows.slice(i, i + chunk))
        .onConflict((conflict) =>
          conflict.columns(['monitor_id', 'granularity', 'bucket']).doUpdateSet({
            checks: sql`check_rollups.checks + excluded.checks`,
            failures: sql`check_rollups.failures + excluded.failures`,
            latency_sum: sql`check_rollups.latency_sum + excluded.latency_sum`,
            latency_max: sql`CASE WHEN excluded.latency_max > check_rollups.latency_max THEN excluded.latency_max ELSE check_rollups.latency_max END`,
          }),
        )
        .execute();
    }
    const bins = [...histogram.values()];
    for (let i = 0; i < bins.length; i += chunk) {
      await trx
        .insertInto('check_latency_hours')
        .values(bins.slice(i, i + chunk))
        .onConflict((conflict) =>
          conflict
            .columns(['monitor_id', 'bucket', 'bin'])
            .doUpdateSet({ count: sql`check_latency_hours.count + excluded.count` }),
        )
        .execute();
    }
    for (const state of states) {
      await trx
        .updateTable('monitors')
        .set({
          state: state.state,
          failures: state.failures,
          last_message: state.message.slice(0, 500),
          last_latency_ms: state.latencyMs,
          last_checked_at: state.checkedAt,
          state_since: state.stateSince,
        })
        .where('id', '=', state.id)
        .execute();
    }
  });
}

/** Raw results are kept for a short window; roll-ups carry the history (minutes for a day, hours for 90 days). */
export async function pruneChecks(
  db: Kysely<Database>,
  now: number,
  retention = { rawMs: 48 * 3_600_000, minuteMs: 2 * 86_400_000, hourMs: 100 * 86_400_000 },
): Promise<void> {
  await db
    .deleteFrom('check_results')
    .where('at', '<', now - retention.rawMs)
    .execute();
  await db
    .deleteFrom('check_rollups')
    .where('granularity', '=', 'minute')
    .where('bucket', '<', now - retention.minuteMs)
    .execute();
  await db
    .deleteFrom('check_rollups')
    .where('granularity', '=', 'hour')
    .where('bucket', '<', now - retention.hourMs)
    .execute();
  await db
    .deleteFrom('check_latency_hours')
    .where('bucket', '<', now - retention.hourMs)
    .execute();
}
