import type { Selectable } from 'kysely';
import { z } from 'zod';
import { type Actor, authorize } from '../../auth/actor.ts';
import { parseInput } from '../../auth/input.ts';
import { RoostError } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';
import type { SilenceTable } from '../../store/index.ts';
import type { MonitoringDeps } from '../deps.ts';

const matcherSchema = z
  .strictObject({
    label: z.string().min(1).max(63),
    value: z.string().max(500),
    /** `value` is a regular expression matched against the whole label value. */
    regex: z.boolean().default(false),
  })
  .superRefine((matcher, context) => {
    if (!matcher.regex) return;
    try {
      new RegExp(`^(?:${matcher.value})$`);
    } catch {
      context.addIssue({ code: 'custom', path: ['value'], message: 'a valid regular expression' });
    }
  });

export type Matcher = z.output<typeof matcherSchema>;

export interface Silence {
  id: string;
  matchers: Matcher[];
  author: string;
  comment: string;
  startsAt: Date;
  endsAt: Date;
  expiredAt: Date | null;
}

export function toSilence(row: Selectable<SilenceTable>): Silence {
  return {
    id: row.id,
    matchers: JSON.parse(row.matchers) as Matcher[],
    author: row.author,
    comment: row.comment,
    startsAt: new Date(Number(row.starts_at)),
    endsAt: new Date(Number(row.ends_at)),
    expiredAt: row.expired_at === null ? null : new Date(Number(row.expired_at)),
  };
}

/** Every matcher must match (Alertmanager semantics); a missing label is the empty string. */
export function silenceMatches(silence: Pick<Silence, 'matchers'>, labels: Record<string, string>): boolean {
  return silence.matchers.every((matcher) => {
    const value = labels[matcher.label] ?? '';
    return matcher.regex ? new RegExp(`^(?:${matcher.value})$`).test(value) : value === matcher.value;
  });
}

const createInput = z.object({
  matchers: z.array(matcherSchema).min(1).max(20),
  comment: z.string().trim().min(1).max(1000),
  /** Epoch ms; now when absent. */
  startsAt: z.int().min(0).optional(),
  /** Minutes from the start. */
  durationMinutes: z
    .int()
    .min(1)
    .max(60 * 24 * 90),
});

/** Creates a silence (`monitoring:write`); the author is the actor. */
export async function createSilence(
  deps: MonitoringDeps,
  actor: Actor,
  input: z.input<typeof createInput>,
): Promise<Silence> {
  authorize(actor, 'monitoring:write');
  const parsed = parseInput(createInput, input);
  const now = deps.clock.now().getTime();
  const startsAt = parsed.startsAt ?? now;
  const id = newId('sil', new Date(now));
  return deps.store.db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('silences')
      .values({
        id,
        matchers: JSON.stringify(parsed.matchers),
        author: actor.label,
        comment: parsed.comment,
        starts_at: startsAt,
        ends_at: startsAt + parsed.durationMinutes * 60_000,
        expired_at: null,
        created_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await deps.audit.append(
      {
        actor,
        action: 'silence.create',
        target: id,
        result: 'ok',
        details: {
          matchers: parsed.matchers,
          comment: parsed.comment,
          durationMinutes: parsed.durationMinutes,
        },
      },
      { db: trx },
    );
    return toSilence(row);
  });
}

/** Ends a silence now. */
export async function expireSilence(
  deps: MonitoringDeps,
  actor: Actor,
  input: { id: string },
): Promise<void> {
  authorize(actor, 'monitoring:write');
  const { id } = parseInput(z.object({ id: z.string().max(100) }), input);
  const now = deps.clock.now().getTime();
  await deps.store.db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('silences')
      .set({ expired_at: now })
      .where('id', '=', id)
      .where('expired_at', 'is', null)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0)
      throw new RoostError('not_found', `no active silence ${id}`, { id });
    await deps.audit.append({ actor, action: 'silence.expire', target: id, result: 'ok' }, { db: trx });
  });
}

export async function listSilences(
  deps: MonitoringDeps,
  actor: Actor,
  input: { active?: boolean } = {},
): Promise<Silence[]> {
  authorize(actor, 'monitoring:read');
  const now = deps.clock.now().getTime();
  let query = deps.store.db.selectFrom('silences').selectAll().orderBy('created_at', 'desc').limit(500);
  if (input.active)
    query = query.where('expired_at', 'is', null).where('ends_at', '>', now).where('starts_at', '<=', now);
  return (await query.execute()).map(toSilence);
}

/** Silences in force at `now`, for the alert engine. */
export async function activeSilences(deps: Pick<MonitoringDeps, 'store'>, now: number): Promise<Silence[]> {
  const rows = await deps.store.db
    .selectFrom('silences')
    .selectAll()
    .where('expired_at', 'is', null)
    .where('starts_at', '<=', now)
    .where('ends_at', '>', now)
    .execute();
  return rows.map(toSilence);
}
