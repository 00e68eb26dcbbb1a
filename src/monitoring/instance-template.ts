import { localActor } from '../auth/actor.ts';
import type { Instance, InstanceLifecycleListener } from '../instances/index.ts';
import { createMonitor } from './create-monitor.ts';
import { removeMonitorRows } from './delete-monitor.ts';
import type { MonitoringDeps } from './deps.ts';
import type { MonitorDefinitionInput } from './validate-monitor.ts';

export interface TemplateDeps extends MonitoringDeps {
  /** Base URLs of an instance's API (the runtime's `inspect(slug).endpoints.api`). */
  apiEndpoints(slug: string): Promise<string[]>;
}

/**
 * The monitors every instance gets, the same in every environment (R4): its application status (each
 * dependency of `/status`) and its API answering in time. Front-node ports and host metrics belong to
 * nodes, not instances.
 */
export function instanceMonitors(instance: Instance, endpoint: string): MonitorDefinitionInput[] {
  const base = endpoint.replace(/\/$/, '');
  const labels = {
    instance: instance.slug,
    environment: instance.environment,
    customer: instance.customer.slice(0, 200),
  };
  return [
    {
      name: `${instance.slug} app status`,
      kind: 'app_status',
      settings: { url: `${base}/status` },
      instanceId: instance.id,
      intervalSeconds: 30,
      retries: 1,
      forSeconds: 60,
      labels,
    },
    {
      name: `${instance.slug} API`,
      kind: 'http',
      settings: { url: `${base}/status`, expectedStatus: [200, 503], maxLatencyMs: 2_000 },
      instanceId: instance.id,
      intervalSeconds: 30,
      retries: 2,
      forSeconds: 120,
      labels,
    },
  ];
}

const template = { id: 'monitoring', label: 'monitoring template' };

/**
 * Creates an instance's monitors from the template when it is provisioned (and corrects them when its
 * endpoint moves), deletes them with their results and alerts when it is erased. Both are idempotent.
 */
export function monitoringLifecycle(deps: TemplateDeps): InstanceLifecycleListener {
  const actor = { ...localActor(deps.clock), id: template.id, label: template.label };
  return {
    name: 'monitoring',
    async provisioned(instance) {
      const [endpoint] = await deps.apiEndpoints(instance.slug);
      if (!endpoint) return;
      const wanted = instanceMonitors(instance, endpoint);
      const existing = await deps.store.db
        .selectFrom('monitors')
        .select(['id', 'name', 'settings'])
        .where('instance_id', '=', instance.id)
        .where('source', '=', 'template')
        .execute();
      const byName = new Map(existing.map((row) => [row.name, row]));
      for (const definition of wanted) {
        const current = byName.get(definition.name);
        byName.delete(definition.name);
        if (current && JSON.parse(current.settings).url === (definition.settings as { url: string }).url)
          continue;
        await deps.store.db.transaction().execute(async (trx) => {
          if (current) await removeMonitorRows(trx, [current.id], deps.clock.now().getTime());
          await createMonitor(deps, actor, definition, 'template', trx);
        });
      }
      // Template monitors the template no longer has.
      if (byName.size > 0)
        await removeMonitorRows(
          deps.store.db,
          [...byName.values()].map((row) => row.id),
          deps.clock.now().getTime(),
        );
    },
    async erase(instance) {
      return deps.store.db.transaction().execute(async (trx) => {
        const monitors = await trx
          .selectFrom('monitors')
          .select('id')
          .where('instance_id', '=', instance.id)
          .execute();
        const ids = monitors.map((row) => row.id);
        const results =
          ids.length === 0
            ? 0
            : Number(
                (
                  await trx
                    .selectFrom('check_results')
                    .select((eb) => eb.fn.countAll().as('n'))
                    .where('monitor_id', 'in', ids)
                    .executeTakeFirstOrThrow()
                ).n,
              );
        await removeMonitorRows(trx, ids, deps.clock.now().getTime());
        const alerts = await trx
          .deleteFrom('alerts')
          .where('instance_id', '=', instance.id)
          .executeTakeFirst();
        await deps.audit.append(
          {
            actor: template,
            action: 'monitor.erase',
            target: instance.id,
            result: 'ok',
            details: { monitors: ids.length, results, alerts: Number(alerts.numDeletedRows) },
          },
          { db: trx },
        );
        return {
          items: [
            `${ids.length} monitor(s) with their roll-ups`,
            `${results} check result(s)`,
            `${Number(alerts.numDeletedRows)} alert(s)`,
          ],
        };
      });
    },
    retained: [
      {
        what: 'alert and monitor events in the audit trail',
        policy: 'kept with the audit trail; they name the instance, never customer data',
      },
    ],
  };
}
