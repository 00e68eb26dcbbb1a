import { isOpenIncident } from '../../core/incident-status.ts';
import {
  type PublicComponent,
  type PublicIncident,
  type PublicMaintenance,
  type PublicUpdate,
  postmortemPath,
  type StatusSnapshot,
} from '../../status/index.ts';

/**
 * Statuspage's public v2 API (`/api/v2/*.json`), field by field as Atlassian documents it, so tools that
 * read Statuspage pages read ours. Our ids stand in for theirs; Markdown update bodies are sent as written
 * (a post-mortem update with the post-mortem's address added).
 */

const iso = (time: Date | null) => (time === null ? null : time.toISOString());

export function pageOf(snapshot: StatusSnapshot, url: string) {
  return {
    id: snapshot.instanceId,
    name: snapshot.name,
    url,
    time_zone: 'Etc/UTC',
    updated_at: iso(snapshot.updatedAt),
  };
}

/** Statuspage has no `under_maintenance` indicator; a page under maintenance reports `maintenance`. */
export function statusOf(snapshot: StatusSnapshot) {
  return { indicator: snapshot.status.indicator, description: snapshot.status.description };
}

export function componentOf(snapshot: StatusSnapshot, component: PublicComponent) {
  return {
    id: component.id,
    name: component.name,
    status: component.status,
    created_at: iso(component.createdAt),
    updated_at: iso(component.updatedAt),
    position: component.position,
    description: component.description,
    showcase: true,
    start_date: component.createdAt.toISOString().slice(0, 10),
    group_id: null,
    page_id: snapshot.instanceId,
    group: false,
    only_show_if_degraded: false,
  };
}

function affected(snapshot: StatusSnapshot, ids: readonly string[]) {
  return snapshot.components
    .filter((component) => ids.includes(component.id))
    .map((component) => componentOf(snapshot, component));
}

/**
 * As on Statuspage, publishing a post-mortem moves the incident to `postmortem` and adds a `postmortem` update
 * saying so (the public entry `publishPostmortem` records, dated at publication); its body links the
 * post-mortem's page, since Statuspage's documents have no field for it. The snapshot reports `postmortem`
 * only for a published post-mortem, so a draft is never announced or linked.
 */
function bodyOf(incident: PublicIncident, update: PublicUpdate, url: string) {
  if (update.status !== 'postmortem' || incident.postmortem === null) return update.body;
  return `${update.body}\n\n${url}${postmortemPath(incident.id)}`;
}

export function incidentOf(snapshot: StatusSnapshot, incident: PublicIncident, url: string) {
  return {
    id: incident.id,
    name: incident.name,
    status: incident.status,
    created_at: iso(incident.createdAt),
    updated_at: iso(incident.updatedAt),
    monitoring_at: iso(incident.monitoringAt),
    resolved_at: iso(incident.resolvedAt),
    impact: incident.impact,
    shortlink: `${url}/history#incident-${incident.id}`,
    started_at: iso(incident.startedAt),
    page_id: snapshot.instanceId,
    incident_updates: incident.updates.map((update) => ({
      id: update.id,
      status: update.status,
      body: bodyOf(incident, update, url),
      incident_id: incident.id,
      created_at: iso(update.at),
      updated_at: iso(update.at),
      display_at: iso(update.at),
      affected_components: null,
      deliver_notifications: true,
      custom_tweet: null,
      tweet_id: null,
    })),
    components: affected(snapshot, incident.componentIds),
  };
}

export function maintenanceOf(snapshot: StatusSnapshot, maintenance: PublicMaintenance, url: string) {
  const at = iso(maintenance.createdAt);
  return {
    id: maintenance.id,
    name: maintenance.name,
    status: maintenance.state,
    created_at: at,
    updated_at: iso(maintenance.updatedAt),
    monitoring_at: null,
    resolved_at: maintenance.state === 'completed' ? iso(maintenance.endsAt) : null,
    impact: 'maintenance',
    shortlink: `${url}/#maintenance-${maintenance.id}`,
    started_at: iso(maintenance.startsAt),
    page_id: snapshot.instanceId,
    incident_updates: [
      {
        id: `${maintenance.id}-${maintenance.state}`,
        status: maintenance.state,
        body: maintenance.body,
        incident_id: maintenance.id,
        created_at: at,
        updated_at: iso(maintenance.updatedAt),
        display_at: at,
        affected_components: null,
        deliver_notifications: true,
        custom_tweet: null,
        tweet_id: null,
      },
    ],
    components: affected(snapshot, maintenance.componentIds),
    scheduled_for: iso(maintenance.startsAt),
    scheduled_until: iso(maintenance.endsAt),
  };
}

const unresolved = (incident: PublicIncident) => isOpenIncident(incident.status);

/** Every document of the v2 API by its path under `/api/v2/`. */
export function statuspageDocuments(snapshot: StatusSnapshot, url: string): Record<string, unknown> {
  const page = pageOf(snapshot, url);
  const components = snapshot.components.map((component) => componentOf(snapshot, component));
  const incidents = snapshot.incidents.slice(0, 50).map((incident) => incidentOf(snapshot, incident, url));
  const open = snapshot.incidents.filter(unresolved).map((incident) => incidentOf(snapshot, incident, url));
  const maintenances = (filter: (entry: PublicMaintenance) => boolean) =>
    snapshot.maintenances.filter(filter).map((entry) => maintenanceOf(snapshot, entry, url));
  const current = (entry: PublicMaintenance) => entry.state !== 'completed';
  return {
    'summary.json': {
      page,
      components,
      incidents: open,
      scheduled_maintenances: maintenances(current),
      status: statusOf(snapshot),
    },
    'status.json': { page, status: statusOf(snapshot) },
    'components.json': { page, components },
    'incidents.json': { page, incidents },
    'incidents/unresolved.json': { page, incidents: open },
    'scheduled-maintenances.json': { page, scheduled_maintenances: maintenances(() => true) },
    'scheduled-maintenances/upcoming.json': {
      page,
      scheduled_maintenances: maintenances((entry) => entry.state === 'scheduled'),
    },
    'scheduled-maintenances/active.json': {
      page,
      scheduled_maintenances: maintenances((entry) => entry.state === 'in_progress'),
    },
  };
}
