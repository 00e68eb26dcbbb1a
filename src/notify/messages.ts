import { alertLinkToken } from '../monitoring/alerts/links.ts';
import type { Alert } from '../monitoring/alerts/records.ts';

export interface Notification {
  subject: string;
  text: string;
  alertIds: string[];
  /** The JSON document webhooks receive (Alertmanager-like). */
  document: Record<string, unknown>;
}

/** One message for a group of alerts (one instance): what fails, since when, and links to act. */
export function renderNotification(
  alerts: readonly Alert[],
  reason: string,
  options: { publicUrl: string; linkKey: Buffer; instanceName?: string | undefined },
): Notification {
  const firing = alerts.filter((alert) => alert.state !== 'resolved');
  const resolved = alerts.filter((alert) => alert.state === 'resolved');
  const scope = options.instanceName ?? alerts[0]?.instanceId ?? 'Roost';
  const status = firing.length > 0 ? 'firing' : 'resolved';
  const head = firing.length > 0 ? `[FIRING:${firing.length}]` : '[RESOLVED]';
  const first = (firing[0] ?? resolved[0]) as Alert;
  const escalation = reason.startsWith('escalation:') ? ` (escalated to level ${reason.slice(11)})` : '';
  const subject =
    `${head} ${scope}: ${first.summary}${alerts.length > 1 ? ` (+${alerts.length - 1})` : ''}${escalation}`.slice(
      0,
      200,
    );
  const base = options.publicUrl.replace(/\/$/, '');
  const lines: string[] = [];
  for (const alert of firing) {
    const token = encodeURIComponent(alertLinkToken(options.linkKey, alert.id));
    lines.push(
      `FIRING (${alert.severity}): ${alert.summary}`,
      `  since ${(alert.firedAt ?? alert.pendingSince).toISOString()}${alert.instanceId ? `, instance ${scope}` : ''}`,
      `  details:     ${base}/monitoring/alerts/${alert.id}`,
      `  acknowledge: ${base}/alert-links/acknowledge?token=${token}`,
      `  resolve:     ${base}/alert-links/resolve?token=${token}`,
      '',
    );
  }
  for (const alert of resolved) {
    lines.push(`RESOLVED: ${alert.summary}`, `  at ${alert.resolvedAt?.toISOString() ?? ''}`, '');
  }
  const document = {
    version: '1',
    status,
    reason,
    groupKey: first.groupKey,
    alerts: alerts.map((alert) => ({
      id: alert.id,
      status: alert.state === 'resolved' ? 'resolved' : 'firing',
      severity: alert.severity,
      labels: alert.labels,
      summary: alert.summary,
      startsAt: (alert.firedAt ?? alert.pendingSince).toISOString(),
      endsAt: alert.resolvedAt?.toISOString() ?? null,
      url: `${base}/monitoring/alerts/${alert.id}`,
    })),
  };
  return { subject, text: lines.join('\n'), alertIds: alerts.map((alert) => alert.id), document };
}
