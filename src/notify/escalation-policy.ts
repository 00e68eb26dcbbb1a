import { z } from 'zod';
import { type Actor, authorize } from '../auth/actor.ts';
import { emailSchema, parseInput } from '../auth/input.ts';
import { RoostError } from '../core/errors.ts';
import type { EscalationLevel } from '../core/escalation.ts';
import { newId } from '../core/ids.ts';
import type { MonitoringDeps } from '../monitoring/deps.ts';
import type { Store } from '../store/index.ts';

export interface EscalationPolicy {
  id: string;
  name: string;
  /** Paged during business hours (R13: the support team). */
  support: string[];
  /** Paged outside business hours, level 1 first. */
  levels: EscalationLevel[];
}

const policyInput = z.object({
  name: z.string().trim().min(1).max(100).default('default'),
  support: z.array(emailSchema).min(1).max(50),
  levels: z
    .array(
      z.strictObject({
        scheduleId: z.string().max(100),
        timeoutMinutes: z.int().min(1).max(1440).default(15),
      }),
    )
    .min(1)
    .max(3),
});

/** Creates or replaces the escalation policy of that name (`monitoring:write`); its schedules must exist. */
export async function setEscalationPolicy(
  deps: MonitoringDeps,
  actor: Actor,
  input: z.input<typeof policyInput>,
): Promise<EscalationPolicy> {
  authorize(actor, 'monitoring:write');
  const parsed = parseInput(policyInput, input);
  const now = deps.clock.now().getTime();
  return deps.store.db.transaction().execute(async (trx) => {
    for (const [index, level] of parsed.levels.entries()) {
      const found = await trx
        .selectFrom('oncall_schedules')
        .select('id')
        .where('id', '=', level.scheduleId)
        .executeTakeFirst();
      if (!found)
        throw new RoostError('invalid_input', `levels.${index}.scheduleId: no schedule ${level.scheduleId}`);
    }
    const existing = await trx
      .selectFrom('escalation_policies')
      .select('id')
      .where('name', '=', parsed.name)
      .executeTakeFirst();
    const id = existing?.id ?? newId('esc', new Date(now));
    const values = {
      support: JSON.stringify(parsed.support),
      levels: JSON.stringify(parsed.levels),
      updated_at: now,
    };
    if (existing) await trx.updateTable('escalation_policies').set(values).where('id', '=', id).execute();
    else
      await trx
        .insertInto('escalation_policies')
        .values({ id, name: parsed.name, created_at: now, ...values })
        .execute();
    await deps.audit.append(
      {
        actor,
        action: 'escalation.set',
        target: id,
        result: 'ok',
        details: { name: parsed.name, support: parsed.support.length, levels: parsed.levels },
      },
      { db: trx },
    );
    return { id, name: parsed.name, support: parsed.support, levels: parsed.levels };
  });
}

/** The policy alerts follow: the one named `default`, else the oldest. */
export async function currentPolicy(store: Store): Promise<EscalationPolicy | null> {
  const rows = await store.db.selectFrom('escalation_policies').selectAll().orderBy('created_at').execute();
  const row = rows.find((candidate) => candidate.name === 'default') ?? rows[0];
  if (!row) return null;
  return {
    id: row.id,
    name: row.name,
    support: JSON.parse(row.support) as string[],
    levels: JSON.parse(row.levels) as EscalationLevel[],
  };
}

export async function getEscalationPolicy(
  deps: MonitoringDeps,
  actor: Actor,
): Promise<EscalationPolicy | null> {
  authorize(actor, 'monitoring:read');
  return currentPolicy(deps.store);
}
