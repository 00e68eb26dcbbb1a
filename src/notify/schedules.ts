import type { Selectable } from 'kysely';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { type Actor, authorize } from '../auth/actor.ts';
import { emailSchema, parseInput } from '../auth/input.ts';
import { isValidTimeZone } from '../core/business-hours.ts';
import { RoostError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import {
  onCallAt,
  type Rotation,
  type RotationLayer,
  type RotationOverride,
  rotationCalendar,
  type Shift,
  shiftsBetween,
} from '../core/rotation.ts';
import type { MonitoringDeps } from '../monitoring/deps.ts';
import type { OnCallScheduleTable, Store } from '../store/index.ts';

export interface OnCallSchedule {
  id: string;
  name: string;
  timeZone: string;
  layers: RotationLayer[];
  overrides: RotationOverride[];
}

export function toSchedule(row: Selectable<OnCallScheduleTable>): OnCallSchedule {
  return {
    id: row.id,
    name: row.name,
    timeZone: row.time_zone,
    layers: JSON.parse(row.layers) as RotationLayer[],
    overrides: JSON.parse(row.overrides) as RotationOverride[],
  };
}

export function rotationOf(schedule: OnCallSchedule): Rotation {
  return { timeZone: schedule.timeZone, layers: schedule.layers, overrides: schedule.overrides };
}

const layerSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  users: z.array(emailSchema).min(1).max(50),
  every: z.enum(['day', 'week', 'hours']).default('week'),
  length: z.int().min(1).max(52).default(1),
  handoff: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, 'a local date and time: 2026-03-02T09:00')
    .refine((value) => DateTime.fromISO(value).isValid, 'a real local date and time'),
});

const createInput = z.object({
  name: z.string().trim().min(1).max(100),
  timeZone: z
    .string()
    .default('Europe/Paris')
    .refine(isValidTimeZone, 'an IANA time zone such as Europe/Paris'),
  layers: z.array(layerSchema).min(1).max(10),
});

/** Creates an on-call schedule of rotation layers (`monitoring:write`). */
export async function createSchedule(
  deps: MonitoringDeps,
  actor: Actor,
  input: z.input<typeof createInput>,
): Promise<OnCallSchedule> {
  authorize(actor, 'monitoring:write');
  const parsed = parseInput(createInput, input);
  const now = deps.clock.now().getTime();
  const id = newId('sch', new Date(now));
  return deps.store.db.transaction().execute(async (trx) => {
    const taken = await trx
      .selectFrom('oncall_schedules')
      .select('id')
      .where('name', '=', parsed.name)
      .executeTakeFirst();
    if (taken)
      throw new RoostError('conflict', `a schedule named ${parsed.name} already exists`, {
        name: parsed.name,
      });
    const row = await trx
      .insertInto('oncall_schedules')
      .values({
        id,
        name: parsed.name,
        time_zone: parsed.timeZone,
        layers: JSON.stringify(parsed.layers),
        overrides: '[]',
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await deps.audit.append(
      {
        actor,
        action: 'schedule.create',
        target: id,
        result: 'ok',
        details: { name: parsed.name, timeZone: parsed.timeZone, layers: parsed.layers.length },
      },
      { db: trx },
    );
    return toSchedule(row);
  });
}

const overrideInput = z
  .object({
    scheduleId: z.string().max(100),
    user: emailSchema,
    from: z.int().min(0),
    until: z.int().min(0),
  })
  .refine((value) => value.until > value.from, { path: ['until'], message: 'after from' });

/** Someone covers a slot (holiday swap): overrides win over every layer. */
export async function addOverride(
  deps: MonitoringDeps,
  actor: Actor,
  input: z.input<typeof overrideInput>,
): Promise<OnCallSchedule> {
  authorize(actor, 'monitoring:write');
  const parsed = parseInput(overrideInput, input);
  return deps.store.db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('oncall_schedules')
      .selectAll()
      .where('id', '=', parsed.scheduleId)
      .executeTakeFirst();
    if (!row) throw new RoostError('not_found', `no schedule ${parsed.scheduleId}`);
    const now = deps.clock.now().getTime();
    // Past overrides are dropped as new ones come: the list stays short.
    const overrides = (JSON.parse(row.overrides) as RotationOverride[]).filter(
      (entry) => entry.until > now - 30 * 86_400_000,
    );
    overrides.push({ user: parsed.user, from: parsed.from, until: parsed.until });
    const updated = await trx
      .updateTable('oncall_schedules')
      .set({ overrides: JSON.stringify(overrides), updated_at: now })
      .where('id', '=', parsed.scheduleId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await deps.audit.append(
      {
        actor,
        action: 'schedule.override',
        target: parsed.scheduleId,
        result: 'ok',
        details: { user: parsed.user, from: parsed.from, until: parsed.until },
      },
      { db: trx },
    );
    return toSchedule(updated);
  });
}

export async function listSchedules(deps: MonitoringDeps, actor: Actor): Promise<OnCallSchedule[]> {
  authorize(actor, 'monitoring:read');
  return (await deps.store.db.selectFrom('oncall_schedules').selectAll().orderBy('name').execute()).map(
    toSchedule,
  );
}

export async function loadSchedule(store: Store, id: string): Promise<OnCallSchedule | null> {
  const row = await store.db
    .selectFrom('oncall_schedules')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? toSchedule(row) : null;
}

/** Who is on call in each schedule at a moment (now by default). */
export async function whoIsOnCall(
  deps: MonitoringDeps,
  actor: Actor,
  input: { at?: number } = {},
): Promise<Array<{ schedule: { id: string; name: string }; shift: Shift | null }>> {
  authorize(actor, 'monitoring:read');
  const at = input.at ?? deps.clock.now().getTime();
  const schedules = await listSchedules(deps, actor);
  return schedules.map((schedule) => ({
    schedule: { id: schedule.id, name: schedule.name },
    shift: onCallAt(rotationOf(schedule), at),
  }));
}

/** The schedule as an iCalendar feed of the next `days` days (calendar apps subscribe to it). */
export async function scheduleCalendar(
  deps: MonitoringDeps,
  actor: Actor,
  input: { id: string; days?: number },
): Promise<string> {
  authorize(actor, 'monitoring:read');
  const { id, days } = parseInput(
    z.object({ id: z.string().max(100), days: z.int().min(1).max(366).default(60) }),
    input,
  );
  const schedule = await loadSchedule(deps.store, id);
  if (!schedule) throw new RoostError('not_found', `no schedule ${id}`, { id });
  const now = deps.clock.now().getTime();
  const from = now - 7 * 86_400_000;
  return rotationCalendar(
    schedule.name,
    schedule.id,
    shiftsBetween(rotationOf(schedule), from, now + days * 86_400_000),
    now,
  );
}
