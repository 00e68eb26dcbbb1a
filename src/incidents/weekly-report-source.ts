import type { Store } from '../store/index.ts';

/**
 * The incidents of one instance that started in [from, to): what monitoring's weekly report lists.
 * Shaped as monitoring's `IncidentSummarySource` port; src/main.ts wires the two.
 */
export function incidentSummaries(store: Store) {
  return {
    async incidentsOf(instanceId: string, from: number, to: number) {
      const rows = await store.db
        .selectFrom('incidents')
        .innerJoin('incident_instances', 'incident_instances.incident_id', 'incidents.id')
        .select(['incidents.title', 'incidents.severity', 'incidents.started_at'])
        .where('incident_instances.instance_id', '=', instanceId)
        .where('incidents.started_at', '>=', from)
        .where('incidents.started_at', '<', to)
        .orderBy('incidents.started_at')
        .execute();
      return rows.map((row) => ({
        title: row.title,
        severity: row.severity,
        startedAt: Number(row.started_at),
      }));
    },
  };
}
