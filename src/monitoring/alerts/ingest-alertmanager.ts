import { z } from 'zod';
import { type Actor, authorize } from '../../auth/actor.ts';
import { parseInput } from '../../auth/input.ts';
import { AlertEngine, type AlertEngineDeps, fingerprintOf, type Signal } from './engine.ts';

const alertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: z.record(z.string().max(200), z.string().max(1000)),
  annotations: z.record(z.string().max(200), z.string().max(4000)).default({}),
  startsAt: z.string().max(100),
  endsAt: z.string().max(100).optional(),
  fingerprint: z.string().max(200).optional(),
});

/** Alertmanager's webhook payload (version 4); fields Roost does not use are accepted and ignored. */
const payloadSchema = z.looseObject({
  status: z.enum(['firing', 'resolved']),
  alerts: z.array(alertSchema).max(1000),
});

const severityOf = (value: string | undefined): Signal['severity'] =>
  value === 'critical' || value === 'info' ? value : value === 'warning' ? 'warning' : 'warning';

/**
 * The Alertmanager-compatible receiver (`webhook_configs`): alerts of an existing Prometheus stack enter
 * Roost's lifecycle, silences, grouping, business-hours routing and escalation. Prometheus has applied
 * `for` already, so they fire at once. `roost_instance` (an `ins_…` id) groups them with an instance.
 */
export async function ingestAlertmanager(
  deps: AlertEngineDeps,
  actor: Actor,
  input: unknown,
): Promise<{ received: number }> {
  authorize(actor, 'monitoring:write');
  const payload = parseInput(payloadSchema, input);
  const now = deps.clock.now().getTime();
  const signals: Signal[] = payload.alerts.map((alert) => {
    const started = Date.parse(alert.startsAt);
    return {
      fingerprint: fingerprintOf({
        source: 'alertmanager',
        alert: alert.fingerprint ?? JSON.stringify(Object.entries(alert.labels).sort()),
      }),
      monitorId: null,
      instanceId: alert.labels.roost_instance ?? null,
      severity: severityOf(alert.labels.severity),
      labels: { ...alert.labels, source: 'alertmanager' },
      summary:
        alert.annotations.summary ??
        alert.annotations.description ??
        alert.labels.alertname ??
        'alert from Alertmanager',
      active: alert.status === 'firing',
      since: Number.isNaN(started) ? now : started,
      forSeconds: 0,
    };
  });
  await new AlertEngine(deps).evaluate(signals, now);
  return { received: signals.length };
}
