import type { Kysely } from 'kysely';
import { z } from 'zod';
import { type Actor, authorize } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import { RoostError } from '../core/errors.ts';
import type { Database } from '../store/index.ts';
import type { MonitoringDeps } from './deps.ts';

/** Removes monitors with their results and roll-ups; their alerts stay in history, resolved. */
export async function removeMonitorRows(
  db: Kysely<Database>,
  ids: readonly string[],
  now: number,
): Promise<void> {
  if (ids.length === 0) return;
  await db.deleteFrom('check_results').where('monitor_id', 'in', ids).execute();
  await db.deleteFrom('check_rollups').where('monitor_id', 'in', ids).execute();
  await db.deleteFrom('check_latency_hours').where('monitor_id', 'in', ids).execute();
  await db.deleteFrom('monitor_baselines').where('monitor_id', 'in', ids).execute();
  await db
    .updateTable('alerts')
    .set({ state: 'resolved', resolved_at: now, updated_at: now })
    .where('monitor_id', 'in', ids)
    .where('state', '!=', 'resolved')
    .execute();
  await db.deleteFrom('monitors').where('id', 'in', ids).execute();
}

export async function deleteMonitor(
  deps: MonitoringDeps,
  actor: Actor,
  input: { id: string },
): Promise<void> {
  authorize(actor, 'monitoring:write');
  const { id } = parseInput(z.object({ id: z.string().max(100) }), input);
  await deps.store.db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('monitors')
      .select(['id', 'name'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw new RoostError('not_found', `no monitor ${id}`, { id });
    await removeMonitorRows(trx, [id], deps.clock.now().getTime());
    await deps.audit.append(
      { actor, action: 'monitor.delete', target: id, result: 'ok', details: { name: row.name } },
      { db: trx },
    );
  });
}
