import { z } from 'zod';
import { type Actor, authorize } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import type { MonitoringDeps } from '../monitoring/deps.ts';

export interface Delivery {
  id: string;
  alertId: string;
  channel: string;
  reason: string;
  recipient: string;
  subject: string;
  state: 'pending' | 'sent' | 'failed';
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

const listInput = z.object({
  alertId: z.string().max(100).optional(),
  limit: z.int().min(1).max(1000).default(200),
});

/** The delivery log: every message, to whom, how many attempts, and why it failed. */
export async function listDeliveries(
  deps: MonitoringDeps,
  actor: Actor,
  input: z.input<typeof listInput> = {},
): Promise<Delivery[]> {
  authorize(actor, 'monitoring:read');
  const { alertId, limit } = parseInput(listInput, input);
  let query = deps.store.db
    .selectFrom('notification_deliveries')
    .selectAll()
    .orderBy('created_at', 'desc')
    .limit(limit);
  if (alertId) query = query.where('alert_id', '=', alertId);
  return (await query.execute()).map((row) => ({
    id: row.id,
    alertId: row.alert_id,
    channel: row.channel_id,
    reason: row.reason,
    recipient: row.recipient,
    subject: (JSON.parse(row.payload) as { subject: string }).subject,
    state: row.state,
    attempts: Number(row.attempts),
    lastError: row.last_error,
    createdAt: new Date(Number(row.created_at)),
    sentAt: row.sent_at === null ? null : new Date(Number(row.sent_at)),
  }));
}
