import type { Selectable } from 'kysely';
import type { AlertTable } from '../../store/index.ts';

export interface Alert {
  id: string;
  fingerprint: string;
  monitorId: string | null;
  instanceId: string | null;
  groupKey: string;
  severity: AlertTable['severity'];
  labels: Record<string, string>;
  summary: string;
  state: AlertTable['state'];
  route: AlertTable['route'];
  level: number;
  suppressedBy: string | null;
  pendingSince: Date;
  firedAt: Date | null;
  resolvedAt: Date | null;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
}

const date = (value: number | null): Date | null => (value === null ? null : new Date(Number(value)));

export function toAlert(row: Selectable<AlertTable>): Alert {
  return {
    id: row.id,
    fingerprint: row.fingerprint,
    monitorId: row.monitor_id,
    instanceId: row.instance_id,
    groupKey: row.group_key,
    severity: row.severity,
    labels: JSON.parse(row.labels) as Record<string, string>,
    summary: row.summary,
    state: row.state,
    route: row.route,
    level: Number(row.level),
    suppressedBy: row.suppressed_by,
    pendingSince: new Date(Number(row.pending_since)),
    firedAt: date(row.fired_at),
    resolvedAt: date(row.resolved_at),
    acknowledgedAt: date(row.acknowledged_at),
    acknowledgedBy: row.acknowledged_by,
  };
}

/** Alert states move one way: pending → firing → resolved (or pending → resolved when it clears in time). */
export type AlertTransitionKind =
  | 'pending'
  | 'firing'
  | 'resolved'
  | 'acknowledged'
  | 'escalated'
  | 'suppressed'
  | 'unsuppressed';

export interface AlertTransition {
  kind: AlertTransitionKind;
  alert: Alert;
  at: Date;
}

/**
 * Who else hears about alert transitions (incident timelines, later). Called after the transition is
 * committed; a listener's failure is logged and never blocks alerting.
 */
export interface AlertListener {
  name: string;
  alertChanged(transition: AlertTransition): Promise<void> | void;
}

/**
 * Maintenance windows, owned by the status domain: while one covers an instance (or everything, with a
 * null instance), its alerts fire silently. The port keeps monitoring free of the status tables.
 */
export interface MaintenanceSource {
  activeMaintenance(instanceId: string | null, at: number): Promise<{ id: string; title: string } | null>;
}

/** A fixed list of windows: for tests and for a configuration without the status domain. */
export function staticMaintenances(
  windows: Array<{ id: string; title: string; instanceId: string | null; from: number; until: number }>,
): MaintenanceSource {
  return {
    activeMaintenance: async (instanceId, at) => {
      const found = windows.find(
        (window) =>
          window.from <= at &&
          at < window.until &&
          (window.instanceId === null || window.instanceId === instanceId),
      );
      return found ? { id: found.id, title: found.title } : null;
    },
  };
}
