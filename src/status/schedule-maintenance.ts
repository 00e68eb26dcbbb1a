import { z } from 'zod';
import { type Actor, authorize } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import { type BusinessHours, businessHoursOverlap, parisSupportHours } from '../core/business-hours.ts';
import { RoostError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { StatusDeps } from './deps.ts';
import { type Maintenance, toMaintenance } from './maintenance-records.ts';
import { maintenanceState } from './read-public-status.ts';
import { findLiveInstance } from './records.ts';
import { bumpStatusRevision } from './revision.ts';

const yearMs = 366 * 86_400_000;

const scheduleMaintenanceInput = z
  .object({
    slug: z.string().max(100),
    title: z.string().trim().min(1).max(200),
    /** Markdown: what happens and what customers will notice. */
    body: z.string().max(20_000).default(''),
    startsAt: z.coerce.date(),
    endsAt: z.coerce.date(),
    /** Component ids of the instance's page; empty for the whole service. */
    components: z.array(z.string().max(100)).max(100).default([]),
    /** Say yes to a window inside business hours (R26 wants downtime outside them). */
    confirmBusinessHours: z.boolean().default(false),
  })
  .refine((input) => input.endsAt > input.startsAt, {
    message: 'the window must end after it starts',
    path: ['endsAt'],
  })
  .refine((input) => input.endsAt.getTime() - input.startsAt.getTime() <= yearMs, {
    message: 'a window lasts at most a year',
    path: ['endsAt'],
  });

/**
 * Schedules a maintenance window (`status:write`). A window that touches business hours (9:00–18:00 Paris,
 * working days) is refused with `conflict` and the overlapping hours, until the caller confirms it.
 */
export async function scheduleMaintenance(
  deps: StatusDeps & { businessHours?: BusinessHours },
  actor: Actor,
  input: z.input<typeof scheduleMaintenanceInput>,
): Promise<Maintenance> {
  authorize(actor, 'status:write');
  const parsed = parseInput(scheduleMaintenanceInput, input);
  const now = deps.clock.now();
  const overlap = businessHoursOverlap(
    parsed.startsAt,
    parsed.endsAt,
    deps.businessHours ?? parisSupportHours,
  );
  if (overlap.length > 0 && !parsed.confirmBusinessHours) {
    throw new RoostError(
      'conflict',
      `the window falls inside business hours (${overlap.length} working day(s), from ${overlap[0]?.start.toISOString()}); move it, or confirm it`,
      {
        reason: 'business_hours',
        overlap: overlap.map((range) => ({ start: range.start.toISOString(), end: range.end.toISOString() })),
      },
    );
  }
  return deps.store.db.transaction().execute(async (trx) => {
    const instance = await findLiveInstance(trx, parsed.slug);
    const known = await trx
      .selectFrom('status_components')
      .select('id')
      .where('instance_id', '=', instance.id)
      .execute();
    const unknown = parsed.components.filter((id) => !known.some((row) => row.id === id));
    if (unknown.length > 0)
      throw new RoostError(
        'invalid_input',
        `components ${unknown.join(', ')} are not on ${parsed.slug}'s page`,
      );
    const row = await trx
      .insertInto('maintenances')
      .values({
        id: newId('mnt', now),
        instance_id: instance.id,
        title: parsed.title,
        body: parsed.body,
        state: maintenanceState(parsed.startsAt.getTime(), parsed.endsAt.getTime(), now.getTime()),
        components: JSON.stringify([...new Set(parsed.components)]),
        starts_at: parsed.startsAt.getTime(),
        ends_at: parsed.endsAt.getTime(),
        in_business_hours: overlap.length > 0 ? 1 : 0,
        created_at: now.getTime(),
        updated_at: now.getTime(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await bumpStatusRevision(trx, [instance.id], now);
    await deps.audit.append(
      {
        actor,
        action: 'maintenance.schedule',
        target: row.id,
        result: 'ok',
        details: {
          slug: parsed.slug,
          startsAt: parsed.startsAt.toISOString(),
          endsAt: parsed.endsAt.toISOString(),
          inBusinessHours: overlap.length > 0,
        },
      },
      { db: trx },
    );
    return toMaintenance(row);
  });
}
