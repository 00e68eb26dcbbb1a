import { z } from 'zod';
import { type Actor, authorize } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import { RoostError } from '../core/errors.ts';
import type { StatusDeps } from './deps.ts';
import { type Maintenance, toMaintenance } from './maintenance-records.ts';
import { bumpStatusRevision } from './revision.ts';

const cancelMaintenanceInput = z.object({ id: z.string().max(100) });

/** Cancels a window that has not ended (`status:write`); it leaves the page and counts for nothing. */
export async function cancelMaintenance(
  deps: StatusDeps,
  actor: Actor,
  input: z.input<typeof cancelMaintenanceInput>,
): Promise<Maintenance> {
  authorize(actor, 'status:write');
  const { id } = parseInput(cancelMaintenanceInput, input);
  const now = deps.clock.now();
  return deps.store.db.transaction().execute(async (trx) => {
    const before = await trx.selectFrom('maintenances').selectAll().where('id', '=', id).executeTakeFirst();
    if (!before) throw new RoostError('not_found', `no maintenance ${id}`, { id });
    if (before.state === 'completed' || before.state === 'cancelled')
      throw new RoostError('conflict', `maintenance ${id} is ${before.state}`, { state: before.state });
    const row = await trx
      .updateTable('maintenances')
      .set({ state: 'cancelled', updated_at: now.getTime() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await bumpStatusRevision(trx, [row.instance_id], now);
    await deps.audit.append({ actor, action: 'maintenance.cancel', target: id, result: 'ok' }, { db: trx });
    return toMaintenance(row);
  });
}
