import { z } from 'zod';
import { type Actor, authorize } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import { RoostError } from '../core/errors.ts';
import type { MonitoringDeps } from './deps.ts';
import { type Monitor, monitorFieldsSchema, toMonitor } from './records.ts';
import { validateMonitor } from './validate-monitor.ts';

const updateInput = z.object({
  id: z.string().max(100),
  changes: monitorFieldsSchema.partial().omit({ kind: true }),
});

/** Changes a monitor's definition (its kind stays); the merged definition is validated as a whole. */
export async function updateMonitor(
  deps: MonitoringDeps,
  actor: Actor,
  input: z.input<typeof updateInput>,
): Promise<Monitor> {
  authorize(actor, 'monitoring:write');
  const { id } = parseInput(updateInput, input);
  const changes = (input.changes ?? {}) as Record<string, unknown>;
  return deps.store.db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('monitors').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new RoostError('not_found', `no monitor ${id}`, { id });
    const current = toMonitor(row);
    const merged = validateMonitor({
      name: current.name,
      kind: current.kind,
      settings: current.settings,
      instanceId: current.instanceId,
      intervalSeconds: current.intervalSeconds,
      timeoutMs: current.timeoutMs,
      retries: current.retries,
      severity: current.severity,
      forSeconds: current.forSeconds,
      labels: current.labels,
      enabled: current.enabled,
      ...changes,
    });
    const now = deps.clock.now().getTime();
    const updated = await trx
      .updateTable('monitors')
      .set({
        name: merged.name,
        settings: JSON.stringify(merged.settings),
        instance_id: merged.instanceId,
        interval_seconds: merged.intervalSeconds,
        timeout_ms: merged.timeoutMs,
        retries: merged.retries,
        severity: merged.severity,
        for_seconds: merged.forSeconds,
        labels: JSON.stringify(merged.labels),
        enabled: merged.enabled ? 1 : 0,
        updated_at: now,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await deps.audit.append(
      {
        actor,
        action: 'monitor.update',
        target: id,
        result: 'ok',
        details: { fields: Object.keys(changes) },
      },
      { db: trx },
    );
    return toMonitor(updated);
  });
}
