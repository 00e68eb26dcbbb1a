import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { type Actor, authorize } from '../auth/actor.ts';
import { newId } from '../core/ids.ts';
import type { Database, MonitorTable } from '../store/index.ts';
import type { MonitoringDeps } from './deps.ts';
import { type Monitor, toMonitor } from './records.ts';
import { type MonitorDefinitionInput, validateMonitor } from './validate-monitor.ts';

export function hashPushToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface CreatedMonitor {
  monitor: Monitor;
  /** Heartbeat monitors only: the secret part of the push URL, shown once. */
  pushToken?: string;
}

/** Registers a monitor (`monitoring:write`); the scheduler picks it up at its next refresh. */
export async function createMonitor(
  deps: MonitoringDeps,
  actor: Actor,
  input: MonitorDefinitionInput,
  source: MonitorTable['source'] = 'manual',
  db?: Kysely<Database>,
  nodeId: string | null = null,
): Promise<CreatedMonitor> {
  authorize(actor, 'monitoring:write');
  const definition = validateMonitor(input);
  const now = deps.clock.now().getTime();
  const id = newId('mon', new Date(now));
  const pushToken = definition.kind === 'heartbeat' ? randomBytes(24).toString('base64url') : undefined;
  const work = async (trx: Kysely<Database>) => {
    const row = await trx
      .insertInto('monitors')
      .values({
        id,
        name: definition.name,
        kind: definition.kind,
        instance_id: definition.instanceId,
        source,
        settings: JSON.stringify(definition.settings),
        interval_seconds: definition.intervalSeconds,
        timeout_ms: definition.timeoutMs,
        retries: definition.retries,
        severity: definition.severity,
        for_seconds: definition.forSeconds,
        labels: JSON.stringify(definition.labels),
        enabled: definition.enabled ? 1 : 0,
        push_token_hash: pushToken ? hashPushToken(pushToken) : null,
        state: 'unknown',
        failures: 0,
        last_message: null,
        last_latency_ms: null,
        last_checked_at: null,
        // A heartbeat monitor's clock starts at creation: the first push is due one interval later.
        last_pushed_at: pushToken ? now : null,
        state_since: now,
        created_at: now,
        updated_at: now,
        node_id: nodeId,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await deps.audit.append(
      {
        actor,
        action: 'monitor.create',
        target: id,
        result: 'ok',
        details: { name: definition.name, kind: definition.kind, instanceId: definition.instanceId, source },
      },
      { db: trx },
    );
    return toMonitor(row);
  };
  const monitor = db ? await work(db) : await deps.store.db.transaction().execute(work);
  return pushToken ? { monitor, pushToken } : { monitor };
}
