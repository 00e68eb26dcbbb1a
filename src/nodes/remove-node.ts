import { z } from 'zod';
import { type Actor, authorize } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import { RoostError } from '../core/errors.ts';
import { type MonitoringDeps, removeMonitorRows } from '../monitoring/index.ts';

/** Marks a node removed and deletes its template monitors with their results (`instances:write`). */
export async function removeNode(
  deps: MonitoringDeps,
  actor: Actor,
  input: { name: string },
): Promise<{ name: string; monitors: number }> {
  authorize(actor, 'instances:write');
  const { name } = parseInput(z.object({ name: z.string().min(1).max(63) }), input);
  const now = deps.clock.now().getTime();
  return deps.store.db.transaction().execute(async (trx) => {
    const node = await trx
      .selectFrom('nodes')
      .select('id')
      .where('name', '=', name)
      .where('removed_at', 'is', null)
      .executeTakeFirst();
    if (!node) throw new RoostError('not_found', `name: no node ${name}`, { field: 'name' });
    const monitors = await trx.selectFrom('monitors').select('id').where('node_id', '=', node.id).execute();
    await removeMonitorRows(
      trx,
      monitors.map((row) => row.id),
      now,
    );
    await trx.updateTable('nodes').set({ removed_at: now }).where('id', '=', node.id).execute();
    await deps.audit.append(
      {
        actor,
        action: 'node.remove',
        target: node.id,
        result: 'ok',
        details: { name, monitors: monitors.length },
      },
      { db: trx },
    );
    return { name, monitors: monitors.length };
  });
}
