import { z } from 'zod';
import { type Actor, authorize } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import { RoostError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { StatusDeps } from './deps.ts';
import { type Component, findLiveInstance, toComponent } from './records.ts';
import { bumpStatusRevision } from './revision.ts';

const addComponentInput = z.object({
  slug: z.string().max(100),
  name: z.string().trim().min(1).max(100),
  description: z.string().trim().max(500).optional(),
  /** Monitors whose state the component shows. */
  monitors: z.array(z.string().min(1).max(100)).max(50).default([]),
});

/** Adds a component (API, login, database, …) at the end of an instance's status page (`status:write`). */
export async function addComponent(
  deps: StatusDeps,
  actor: Actor,
  input: z.input<typeof addComponentInput>,
): Promise<Component> {
  authorize(actor, 'status:write');
  const parsed = parseInput(addComponentInput, input);
  const now = deps.clock.now();
  return deps.store.db.transaction().execute(async (trx) => {
    const instance = await findLiveInstance(trx, parsed.slug);
    const existing = await trx
      .selectFrom('status_components')
      .select(['name', 'position'])
      .where('instance_id', '=', instance.id)
      .execute();
    if (existing.some((row) => row.name.toLowerCase() === parsed.name.toLowerCase()))
      throw new RoostError('conflict', `${parsed.slug} already has a component named ${parsed.name}`);
    const row = await trx
      .insertInto('status_components')
      .values({
        id: newId('cmp', now),
        instance_id: instance.id,
        name: parsed.name,
        description: parsed.description ?? null,
        position: Math.max(0, ...existing.map((entry) => Number(entry.position))) + 1,
        manual_status: null,
        monitors: JSON.stringify([...new Set(parsed.monitors)]),
        created_at: now.getTime(),
        updated_at: now.getTime(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await bumpStatusRevision(trx, [instance.id], now);
    await deps.audit.append(
      {
        actor,
        action: 'status.component.add',
        target: row.id,
        result: 'ok',
        details: { slug: parsed.slug, name: parsed.name },
      },
      { db: trx },
    );
    return toComponent(row);
  });
}
