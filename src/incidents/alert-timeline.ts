import type { Actor } from '../auth/actor.ts';
import { allPermissions } from '../auth/permissions.ts';
import type { AlertListener } from '../monitoring/index.ts';
import { appendTimelineEntry } from './append-timeline-entry.ts';
import type { IncidentDeps } from './deps.ts';
import { openIncidentStatuses } from './records.ts';

/** Who the timeline names for what monitoring reports. */
const monitoringActor: Actor = {
  kind: 'local',
  id: 'monitoring',
  label: 'monitoring',
  role: null,
  permissions: new Set(allPermissions.filter((permission) => permission === 'incidents:write')),
  secondFactorAt: null,
  ip: null,
};

const reported = new Set(['firing', 'resolved', 'acknowledged', 'escalated']);

/**
 * Alert transitions on the timelines of the open incidents that touch the alert's instance or were opened
 * from the alert, so a timeline fills itself while people work (R23).
 */
export function alertTimeline(deps: IncidentDeps): AlertListener {
  return {
    name: 'incident timelines',
    async alertChanged({ kind, alert, at }) {
      if (!reported.has(kind)) return;
      const byInstance =
        alert.instanceId === null
          ? []
          : await deps.store.db
              .selectFrom('incident_instances')
              .innerJoin('incidents', 'incidents.id', 'incident_instances.incident_id')
              .select('incidents.id')
              .where('incident_instances.instance_id', '=', alert.instanceId)
              .where('incidents.status', 'in', openIncidentStatuses)
              .execute();
      const byAlert = await deps.store.db
        .selectFrom('incident_alerts')
        .innerJoin('incidents', 'incidents.id', 'incident_alerts.incident_id')
        .select('incidents.id')
        .where('incident_alerts.alert_id', '=', alert.id)
        .where('incidents.status', 'in', openIncidentStatuses)
        .execute();
      const open = [...new Set([...byInstance, ...byAlert].map((row) => row.id))].map((id) => ({ id }));
      for (const incident of open) {
        await appendTimelineEntry(deps, monitoringActor, {
          incidentId: incident.id,
          kind: 'alert',
          source: 'monitoring',
          body: `Alert ${kind}: ${alert.summary} (${alert.severity})`,
          at,
        });
      }
    },
  };
}
