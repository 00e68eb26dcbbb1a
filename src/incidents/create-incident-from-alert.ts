import { z } from 'zod';
import { type Actor, authorize } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import { RoostError } from '../core/errors.ts';
import { createIncident } from './create-incident.ts';
import type { IncidentDeps } from './deps.ts';
import { type Incident, openIncidentStatuses, type Severity, toIncident } from './records.ts';
import { recordOnTimeline } from './timeline.ts';

const fromAlertInput = z.object({ alertId: z.string().regex(/^alr_[0-9a-z]{26}$/, 'an alert id (alr_…)') });

const severityOf: Record<string, Severity> = { critical: 'critical', warning: 'major', info: 'minor' };

/**
 * Opens an incident from an alert in one click (`incidents:write`): the title and severity come from the
 * alert, the affected instance and the status page components showing its monitor from its target, and the
 * timeline starts with the alert. The alert's later transitions reach this timeline (alert-timeline.ts). An
 * alert that already has an open incident returns it (`created: false`) instead of opening a second.
 */
export async function createIncidentFromAlert(
  deps: IncidentDeps,
  actor: Actor,
  input: z.input<typeof fromAlertInput>,
): Promise<{ incident: Incident; created: boolean }> {
  authorize(actor, 'incidents:write');
  const { alertId } = parseInput(fromAlertInput, input);
  const now = deps.clock.now();
  return deps.store.db.transaction().execute(async (trx) => {
    const alert = await trx.selectFrom('alerts').selectAll().where('id', '=', alertId).executeTakeFirst();
    if (!alert) throw new RoostError('not_found', `no alert ${alertId}`, { alertId });
    const existing = await trx
      .selectFrom('incident_alerts')
      .innerJoin('incidents', 'incidents.id', 'incident_alerts.incident_id')
      .selectAll('incidents')
      .where('incident_alerts.alert_id', '=', alertId)
      .where('incidents.status', 'in', openIncidentStatuses)
      .orderBy('incidents.created_at', 'desc')
      .executeTakeFirst();
    if (existing) return { incident: toIncident(existing), created: false };
    const instance =
      alert.instance_id === null
        ? undefined
        : await trx
            .selectFrom('instances')
            .select(['id', 'slug'])
            .where('id', '=', alert.instance_id)
            .executeTakeFirst();
    const components =
      instance && alert.monitor_id
        ? (
            await trx
              .selectFrom('status_components')
              .select(['id', 'monitors'])
              .where('instance_id', '=', instance.id)
              .execute()
          )
            .filter((row) => (JSON.parse(row.monitors) as string[]).includes(alert.monitor_id as string))
            .map((row) => row.id)
        : [];
    const incident = await createIncident(
      deps,
      actor,
      {
        title: alert.summary.slice(0, 200) || `Alert ${alert.id}`,
        severity: severityOf[alert.severity] ?? 'major',
        instances: instance ? [instance.slug] : [],
        components,
        whatIsGoingOn: `Opened from alert ${alert.id}: ${alert.summary}`,
        startedAt: new Date(Number(alert.fired_at ?? alert.pending_since)),
      },
      { db: trx },
    );
    await trx
      .insertInto('incident_alerts')
      .values({ incident_id: incident.id, alert_id: alert.id })
      .execute();
    await recordOnTimeline(
      trx,
      deps.audit,
      {
        incidentId: incident.id,
        kind: 'alert',
        source: 'monitoring',
        body: `Alert ${alert.id} (${alert.state}, ${alert.severity}): ${alert.summary}`,
        actor,
        action: 'incident.from-alert',
        details: { alert: alert.id },
      },
      now,
    );
    return { incident, created: true };
  });
}
