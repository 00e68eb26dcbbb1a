import { type Kysely, sql } from 'kysely';
import type { Baseline } from '../core/baseline.ts';
import type { Database } from '../store/index.ts';

/** A host monitor's EWMA baselines as last saved (metric → baseline), so a restart does not forget them. */
export async function loadBaselines(db: Kysely<Database>, monitorId: string): Promise<Map<string, Baseline>> {
  const rows = await db
    .selectFrom('monitor_baselines')
    .select(['metric', 'state'])
    .where('monitor_id', '=', monitorId)
    .execute();
  const baselines = new Map<string, Baseline>();
  for (const row of rows) {
    try {
      baselines.set(row.metric, JSON.parse(row.state) as Baseline);
    } catch {
      // An unreadable row is a baseline to learn again, not a reason to stop checking.
    }
  }
  return baselines;
}

/** Writes the baselines of the monitors checked since the last save (one row per monitor and metric). */
export async function saveBaselines(
  db: Kysely<Database>,
  baselines: ReadonlyArray<{ monitorId: string; metrics: ReadonlyMap<string, Baseline> }>,
  now: number,
): Promise<void> {
  const rows = baselines.flatMap(({ monitorId, metrics }) =>
    [...metrics].map(([metric, baseline]) => ({
      monitor_id: monitorId,
      metric,
      state: JSON.stringify(baseline),
      updated_at: now,
    })),
  );
  if (rows.length === 0) return;
  await db
    .insertInto('monitor_baselines')
    .values(rows)
    .onConflict((conflict) =>
      conflict.columns(['monitor_id', 'metric']).doUpdateSet({
        state: sql`excluded.state`,
        updated_at: sql`excluded.updated_at`,
      }),
    )
    .execute();
}
