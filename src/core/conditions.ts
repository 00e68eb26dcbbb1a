/**
 * A condition another domain reports to alerting: a backup that keeps failing, a failed restore drill, a
 * month projected to miss its SLA. Alerting gives it the same lifecycle as a probe's alert (silences,
 * maintenance windows, grouping, business-hours routing, escalation, resolved notifications).
 */
export interface Condition {
  /** The reporting domain, e.g. `backups`, `drills`, `sla`; becomes the `source` label. */
  source: string;
  /** Stable per condition within its source (e.g. `<instance id>:backup-failed`): one alert per key. */
  key: string;
  instanceId: string | null;
  severity: 'info' | 'warning' | 'critical';
  /** What the alert says, for a human. */
  summary: string;
  labels?: Record<string, string>;
  /** true: the condition holds (the alert fires); false: it cleared (the alert resolves, if open). */
  active: boolean;
}

export interface ConditionReporter {
  report(condition: Condition): Promise<void>;
}

/** For set-ups without alerting (tests of one domain, CLI commands that do not run monitoring). */
export const ignoredConditions: ConditionReporter = { report: async () => {} };
