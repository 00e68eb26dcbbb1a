import { z } from 'zod';
import { type Actor, authorize } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import type { StatusDeps } from './deps.ts';
import { type Component, componentStatuses, findComponent, toComponent } from './records.ts';
import { bumpStatusRevision } from './revision.ts';

const setComponentStatusInput = z.object({
  id: z.string().max(100),
  /** What people say the component's state is; null hands it back to its monitors. */
  status: z.enum(componentStatuses).nullable(),
});

/** Sets (or clears) a component's manual status, which wins over its monitors (`status:write`). */
export async function setComponentStatus(
  deps: StatusDeps,
  actor: Actor,
  input: z.input<typeof setComponentStatusInput>,
): Promise<Component> {
  authorize(actor, 'status:write');
  const parsed = parseInput(setComponentStatusInput, input);
  const now = deps.clock.now();
  return deps.store.db.transaction().execute(async (trx) => {
    const before = await findComponent(trx, parsed.id);
    const row = await trx
      .updateTable('status_components')
      .set({ manual_status: parsed.status, updated_at: now.getTime() })
      .where('id', '=', parsed.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await bumpStatusRevision(trx, [before.instance_id], now);
    await deps.audit.append(
      {
        actor,
        action: 'status.component.status',
        target: parsed.id,
        result: 'ok',
        details: { from: before.manual_status, to: parsed.status },
      },
      { db: trx },
    );
    return toComponent(row);
  });
}
