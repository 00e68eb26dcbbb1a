import { z } from 'zod';
import { type Actor, authorize } from '../../auth/actor.ts';
import { parseInput } from '../../auth/input.ts';
import type { Clock } from '../../core/clock.ts';
import { RoostError } from '../../core/errors.ts';
import type { Store } from '../../store/index.ts';
import { computeWeeklyReport, type IncidentSummarySource, type WeeklyReport } from './compute-report.ts';
import { weekBefore, weekRange } from './week.ts';

export interface ReportDeps {
  store: Store;
  clock: Clock;
  /** The zone weeks are read in (configuration `timeZone`). */
  timeZone: string;
  incidents?: IncidentSummarySource | undefined;
}

const reportInput = z.object({
  slug: z.string().min(1).max(100),
  /** ISO week, `2026-W47`; default the last complete week. */
  week: z.string().max(10).optional(),
});

/** An instance's weekly report, computed from the roll-ups (`monitoring:read`). */
export async function getWeeklyReport(
  deps: ReportDeps,
  actor: Actor,
  input: z.input<typeof reportInput>,
): Promise<WeeklyReport> {
  authorize(actor, 'monitoring:read');
  const { slug, week } = parseInput(reportInput, input);
  const range = week ? weekRange(week, deps.timeZone) : weekBefore(deps.clock.now().getTime(), deps.timeZone);
  const instance = await deps.store.db
    .selectFrom('instances')
    .select(['id', 'slug', 'customer'])
    .where('slug', '=', slug)
    .executeTakeFirst();
  if (!instance) throw new RoostError('not_found', `no instance ${slug}`, { field: 'slug' });
  return computeWeeklyReport(deps, instance, range, deps.timeZone);
}
