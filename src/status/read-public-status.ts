import type { Kysely } from 'kysely';
import type { Clock } from '../core/clock.ts';
import { isOpenIncident } from '../core/incident-status.ts';
import type { ComponentStatus, Database, IncidentStatus, Store } from '../store/index.ts';
import type { ComponentHealthSource, UptimeSource } from './ports.ts';
import { type Component, type Indicator, overallStatus, pageAndComponents } from './records.ts';
import { daysStart, ninetyDays, totalsOf, type UptimeDay, uptimePercent } from './uptime.ts';

/** What the public pages are rendered from: no actor, since the page is public by design (R25). */
export interface PublicStatusDeps {
  store: Store;
  clock: Clock;
  health: ComponentHealthSource;
  uptime: UptimeSource;
}

export interface PublicComponent extends Component {
  status: ComponentStatus;
  days: UptimeDay[];
  /** Over the 90 days; null without data. */
  uptime: number | null;
}

export interface PublicUpdate {
  id: string;
  /** `postmortem` only when the incident's post-mortem is published (see `PublicIncident.status`). */
  status: IncidentStatus;
  /** Markdown. */
  body: string;
  at: Date;
}

export interface PublicIncident {
  id: string;
  name: string;
  impact: 'none' | 'minor' | 'major' | 'critical';
  /** `postmortem` only when its post-mortem is published; `resolved` until then. */
  status: IncidentStatus;
  startedAt: Date;
  createdAt: Date;
  updatedAt: Date;
  monitoringAt: Date | null;
  resolvedAt: Date | null;
  componentIds: string[];
  /** Newest first, as status pages show them. */
  updates: PublicUpdate[];
  /** The published post-mortem (Markdown), null until it is published. */
  postmortem: string | null;
  postmortemPublishedAt: Date | null;
  /** SHA-256 (hex) of the post-mortem's stored PDF; null until it is printed (or while it is printed again). */
  postmortemPdf: string | null;
}

export type MaintenanceState = 'scheduled' | 'in_progress' | 'completed';

export interface PublicMaintenance {
  id: string;
  name: string;
  body: string;
  state: MaintenanceState;
  startsAt: Date;
  endsAt: Date;
  componentIds: string[];
  createdAt: Date;
  updatedAt: Date;
}

export interface StatusSnapshot {
  instanceId: string;
  slug: string;
  name: string;
  logoUrl: string | null;
  updatedAt: Date;
  status: { indicator: Indicator; description: string };
  components: PublicComponent[];
  /** Unresolved first, then the rest of the last 90 days; only incidents with a public update. */
  incidents: PublicIncident[];
  /** Upcoming, active and completed in the last 7 days. */
  maintenances: PublicMaintenance[];
  generatedAt: Date;
}

const weekMs = 7 * 86_400_000;

/** Where a maintenance window is now, from the clock: the page never waits for the job to notice. */
export function maintenanceState(startsAt: number, endsAt: number, now: number): MaintenanceState {
  if (now < startsAt) return 'scheduled';
  return now < endsAt ? 'in_progress' : 'completed';
}

/** The instance behind a public page: known and not decommissioned. */
export async function liveInstance(db: Kysely<Database>, slug: string) {
  const instance = await db
    .selectFrom('instances')
    .select(['id', 'slug', 'customer', 'state'])
    .where('slug', '=', slug)
    .executeTakeFirst();
  return instance && instance.state !== 'decommissioned' ? instance : undefined;
}

async function maintenancesOf(
  db: Kysely<Database>,
  instanceId: string,
  now: number,
): Promise<PublicMaintenance[]> {
  const rows = await db
    .selectFrom('maintenances')
    .selectAll()
    .where('instance_id', '=', instanceId)
    .where('state', '!=', 'cancelled')
    .where('ends_at', '>', now - weekMs)
    .orderBy('starts_at')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    name: row.title,
    body: row.body,
    state: maintenanceState(Number(row.starts_at), Number(row.ends_at), now),
    startsAt: new Date(Number(row.starts_at)),
    endsAt: new Date(Number(row.ends_at)),
    componentIds: JSON.parse(row.components) as string[],
    createdAt: new Date(Number(row.created_at)),
    updatedAt: new Date(Number(row.updated_at)),
  }));
}

/**
 * A short string that changes whenever the page would: the revision bumped by every write, what the
 * monitors say now, the day (bars move at midnight) and where each maintenance window is. Caches compare it.
 */
export async function statusFingerprint(deps: PublicStatusDeps, slug: string): Promise<string | undefined> {
  const { db } = deps.store;
  const instance = await liveInstance(db, slug);
  if (!instance) return undefined;
  const now = deps.clock.now();
  const page = await db
    .selectFrom('status_pages')
    .select('revision')
    .where('instance_id', '=', instance.id)
    .executeTakeFirst();
  const components = await db
    .selectFrom('status_components')
    .select(['id', 'monitors'])
    .where('instance_id', '=', instance.id)
    .execute();
  const health = await deps.health.current(
    components.map((row) => ({ componentId: row.id, monitorIds: JSON.parse(row.monitors) as string[] })),
  );
  const windows = (await maintenancesOf(db, instance.id, now.getTime()))
    .map((entry) => entry.state[0])
    .join('');
  return `${page?.revision ?? 0}|${now.toISOString().slice(0, 10)}|${JSON.stringify([...health].sort())}|${windows}`;
}

/** Everything an instance's public status page shows, or undefined for an unknown slug. */
export async function readPublicStatus(
  deps: PublicStatusDeps,
  slug: string,
): Promise<StatusSnapshot | undefined> {
  const { db } = deps.store;
  const instance = await liveInstance(db, slug);
  if (!instance) return undefined;
  const now = deps.clock.now();
  const { page, components } = await pageAndComponents(db, instance.id);
  const health = await deps.health.current(
    components.map((component) => ({ componentId: component.id, monitorIds: component.monitorIds })),
  );
  const maintenances = await maintenancesOf(db, instance.id, now.getTime());
  const underMaintenance = new Set(
    maintenances.filter((entry) => entry.state === 'in_progress').flatMap((entry) => entry.componentIds),
  );
  const from = daysStart(now);
  const publicComponents: PublicComponent[] = [];
  for (const component of components) {
    const buckets =
      component.monitorIds.length > 0
        ? await deps.uptime.buckets(component.monitorIds, from, now, 'day')
        : [];
    publicComponents.push({
      ...component,
      status:
        component.manualStatus ??
        (underMaintenance.has(component.id)
          ? 'under_maintenance'
          : (health.get(component.id) ?? 'operational')),
      days: ninetyDays(buckets, now),
      uptime: uptimePercent(totalsOf(buckets)),
    });
  }
  const incidents = await incidentsOf(db, instance.id, now);
  return {
    instanceId: instance.id,
    slug: instance.slug,
    name: page?.name ?? instance.customer,
    logoUrl: page?.logo_url ?? null,
    updatedAt: new Date(Number(page?.updated_at ?? now.getTime())),
    status: overallStatus(publicComponents.map((component) => component.status)),
    components: publicComponents,
    incidents,
    maintenances,
    generatedAt: now,
  };
}

async function incidentsOf(db: Kysely<Database>, instanceId: string, now: Date): Promise<PublicIncident[]> {
  const since = now.getTime() - 90 * 86_400_000;
  const rows = await db
    .selectFrom('incidents')
    .innerJoin('incident_instances', 'incident_instances.incident_id', 'incidents.id')
    .leftJoin('postmortem_pdfs', 'postmortem_pdfs.incident_id', 'incidents.id')
    .selectAll('incidents')
    .select('postmortem_pdfs.sha256 as postmortem_pdf')
    .where('incident_instances.instance_id', '=', instanceId)
    .where((eb) => eb.or([eb('incidents.started_at', '>=', since), eb('incidents.resolved_at', 'is', null)]))
    .orderBy('incidents.started_at', 'desc')
    .limit(100)
    .execute();
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.id);
  const updates = await db
    .selectFrom('incident_timeline')
    .select(['id', 'incident_id', 'status', 'body', 'at'])
    .where('incident_id', 'in', ids)
    .where('public', '=', 1)
    // Newest first; updates of the same time in the reverse of the order they were written.
    .orderBy('at', 'desc')
    .orderBy('seq', 'desc')
    .execute();
  const links = await db
    .selectFrom('incident_components')
    .select(['incident_id', 'component_id'])
    .where('incident_id', 'in', ids)
    .execute();
  const result: PublicIncident[] = [];
  for (const row of rows) {
    const mine = updates.filter((update) => update.incident_id === row.id);
    if (mine.length === 0) continue; // never published: stays in the logbook
    const monitoring = mine.filter((update) => update.status === 'monitoring').at(-1);
    // Reopening withdraws a published post-mortem; an incident reopened before that rule, still published,
    // shows none while it is open.
    const published =
      row.postmortem_published_at !== null && !!row.postmortem?.trim() && !isOpenIncident(row.status);
    // `postmortem` means a published post-mortem here, as on Statuspage: an incident (or update) moved to
    // `postmortem` by hand (before only publishing could) while its post-mortem is a draft reads `resolved`.
    const shown = (status: IncidentStatus) => (status === 'postmortem' && !published ? 'resolved' : status);
    result.push({
      id: row.id,
      name: row.title,
      impact: row.severity,
      status: shown(row.status),
      startedAt: new Date(Number(row.started_at)),
      createdAt: new Date(Number(row.created_at)),
      updatedAt: new Date(Number(row.updated_at)),
      monitoringAt: monitoring ? new Date(Number(monitoring.at)) : null,
      resolvedAt: row.resolved_at === null ? null : new Date(Number(row.resolved_at)),
      componentIds: links.filter((link) => link.incident_id === row.id).map((link) => link.component_id),
      // Drafts stay in the logbook: only a published post-mortem (and its PDF) reaches the page.
      postmortem: published ? row.postmortem : null,
      postmortemPublishedAt: published ? new Date(Number(row.postmortem_published_at)) : null,
      postmortemPdf: published ? row.postmortem_pdf : null,
      updates: mine.map((update) => ({
        id: update.id,
        status: shown(update.status ?? row.status),
        body: update.body,
        at: new Date(Number(update.at)),
      })),
    });
  }
  return result.sort((a, b) => Number(isOpenIncident(b.status)) - Number(isOpenIncident(a.status)));
}

/** The name a page shows, for the pages around subscriptions; undefined for an unknown slug. */
export async function publicPageName(
  deps: Pick<PublicStatusDeps, 'store'>,
  slug: string,
): Promise<string | undefined> {
  const instance = await liveInstance(deps.store.db, slug);
  if (!instance) return undefined;
  const page = await deps.store.db
    .selectFrom('status_pages')
    .select('name')
    .where('instance_id', '=', instance.id)
    .executeTakeFirst();
  return page?.name ?? instance.customer;
}
