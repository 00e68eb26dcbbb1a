import type { AuditLog } from '../audit/types.ts';
import type { Clock } from '../core/clock.ts';
import type { Jobs } from '../jobs/index.ts';
import type { Store } from '../store/index.ts';
import { maintenanceQueue } from './maintenance-records.ts';
import { maintenanceState } from './read-public-status.ts';
import { bumpStatusRevision } from './revision.ts';

const scheduler = { id: 'scheduler', label: 'scheduler' };

/**
 * Moves every window whose time has come: scheduled → in progress → completed, each change audited and its
 * page marked as changed. Idempotent, so a run repeated after a crash does nothing twice.
 */
export async function advanceMaintenances(deps: {
  store: Store;
  clock: Clock;
  audit: AuditLog;
}): Promise<number> {
  const now = deps.clock.now();
  return deps.store.db.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom('maintenances')
      .select(['id', 'instance_id', 'state', 'starts_at', 'ends_at'])
      .where('state', 'in', ['scheduled', 'in_progress'])
      .where('starts_at', '<=', now.getTime())
      .execute();
    let moved = 0;
    for (const row of rows) {
      const state = maintenanceState(Number(row.starts_at), Number(row.ends_at), now.getTime());
      if (state === row.state) continue;
      await trx
        .updateTable('maintenances')
        .set({ state, updated_at: now.getTime() })
        .where('id', '=', row.id)
        .execute();
      await bumpStatusRevision(trx, [row.instance_id], now);
      await deps.audit.append(
        {
          actor: scheduler,
          action: `maintenance.${state}`,
          target: row.id,
          result: 'ok',
          details: { from: row.state },
        },
        { db: trx },
      );
      moved++;
    }
    return moved;
  });
}

/** Runs the advance every minute through the durable jobs (one run at a time across processes). */
export async function registerMaintenanceJobs(deps: {
  store: Store;
  clock: Clock;
  audit: AuditLog;
  jobs: Jobs;
}): Promise<void> {
  deps.jobs.work(maintenanceQueue, async () => ({ moved: await advanceMaintenances(deps) }));
  await deps.jobs.schedule({ name: 'maintenance-windows', cron: '* * * * *', queue: maintenanceQueue });
}
