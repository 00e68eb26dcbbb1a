import { z } from 'zod';
import { type Actor, authorize } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import type { Clock } from '../core/clock.ts';
import { RoostError } from '../core/errors.ts';
import { computeSla, monthBounds, type SlaResult } from '../core/sla.ts';
import type { UptimeBucket, UptimeSource } from '../status/index.ts';
import type { Store } from '../store/index.ts';

const slaReportInput = z.object({
  slug: z.string().max(100),
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month as YYYY-MM'),
});

export interface SlaReport extends SlaResult {
  slug: string;
  customer: string;
  timeZone: string;
  monitors: string[];
  maintenances: Array<{ id: string; title: string; start: Date; end: Date }>;
  /** The month is not over yet: figures so far. */
  partial: boolean;
}

/**
 * An instance's monthly SLA (R26, `incidents:read`): uptime from the per-minute roll-ups of every monitor
 * on its status page, maintenance windows excluded, against its target (99% unless the page says otherwise).
 */
export async function slaReport(
  deps: { store: Store; clock: Clock; uptime: UptimeSource; timeZone: string },
  actor: Actor,
  input: z.input<typeof slaReportInput>,
): Promise<SlaReport> {
  authorize(actor, 'incidents:read');
  const { slug, month } = parseInput(slaReportInput, input);
  const { db } = deps.store;
  const instance = await db
    .selectFrom('instances')
    .leftJoin('status_pages', 'status_pages.instance_id', 'instances.id')
    .select(['instances.id', 'instances.slug', 'instances.customer', 'status_pages.sla_target'])
    .where('instances.slug', '=', slug)
    .executeTakeFirst();
  if (!instance) throw new RoostError('not_found', `no instance ${slug}`, { slug });
  const { result, monitors, maintenances, to } = await instanceSla(deps, instance, month);
  const now = deps.clock.now();
  return {
    ...result,
    slug: instance.slug,
    customer: instance.customer,
    timeZone: deps.timeZone,
    monitors,
    maintenances,
    partial: now < to,
  };
}

/**
 * The SLA of one instance for a month up to now (or the month's end): its monitors' minute roll-ups,
 * maintenance windows excluded, against its page's target (99% by default).
 */
export async function instanceSla(
  deps: { store: Store; clock: Clock; uptime: UptimeSource; timeZone: string },
  instance: { id: string; sla_target: number | string | null },
  month: string,
): Promise<{
  result: SlaResult;
  monitors: string[];
  maintenances: SlaReport['maintenances'];
  buckets: UptimeBucket[];
  from: Date;
  to: Date;
}> {
  const { db } = deps.store;
  const { from, to } = monthBounds(month, deps.timeZone);
  const now = deps.clock.now();
  const until = new Date(Math.min(to.getTime(), now.getTime()));
  const components = await db
    .selectFrom('status_components')
    .select('monitors')
    .where('instance_id', '=', instance.id)
    .execute();
  const monitors = [...new Set(components.flatMap((row) => JSON.parse(row.monitors) as string[]))].sort();
  const windows = await db
    .selectFrom('maintenances')
    .select(['id', 'title', 'starts_at', 'ends_at'])
    .where('instance_id', '=', instance.id)
    .where('state', '!=', 'cancelled')
    .where('starts_at', '<', to.getTime())
    .where('ends_at', '>', from.getTime())
    .orderBy('starts_at')
    .execute();
  const maintenances = windows.map((row) => ({
    id: row.id,
    title: row.title,
    start: new Date(Number(row.starts_at)),
    end: new Date(Number(row.ends_at)),
  }));
  const buckets =
    monitors.length > 0 && until > from ? await deps.uptime.buckets(monitors, from, until, 'minute') : [];
  const result = computeSla({
    month,
    timeZone: deps.timeZone,
    target: instance.sla_target === null ? 99 : Number(instance.sla_target),
    buckets,
    excluded: maintenances,
  });
  return { result, monitors, maintenances, buckets, from, to };
}
