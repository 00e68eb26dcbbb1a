import { z } from 'zod';
import { type Actor, authorize } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import { RoostError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { MonitoringDeps } from '../monitoring/deps.ts';

export interface WebhookChannel {
  id: string;
  name: string;
  kind: 'webhook';
  url: string;
  /** Sends `{ text }` (Slack, Mattermost, Rocket.Chat incoming webhooks) instead of the JSON document. */
  slack: boolean;
  createdAt: Date;
}

const createInput = z.object({
  name: z.string().trim().min(1).max(100),
  url: z.url({ protocol: /^https?$/, error: 'an http:// or https:// URL' }),
  slack: z.boolean().default(false),
});

/** Adds a webhook every alert notification is also sent to (`monitoring:write`). */
export async function createWebhookChannel(
  deps: MonitoringDeps,
  actor: Actor,
  input: z.input<typeof createInput>,
): Promise<WebhookChannel> {
  authorize(actor, 'monitoring:write');
  const { name, url, slack } = parseInput(createInput, input);
  const now = deps.clock.now();
  const id = newId('chn', now);
  await deps.store.db.transaction().execute(async (trx) => {
    const taken = await trx
      .selectFrom('notification_channels')
      .select('id')
      .where('name', '=', name)
      .executeTakeFirst();
    if (taken) throw new RoostError('conflict', `a channel named ${name} already exists`, { name });
    await trx
      .insertInto('notification_channels')
      .values({
        id,
        name,
        kind: 'webhook',
        settings: JSON.stringify({ url, slack }),
        created_at: now.getTime(),
      })
      .execute();
    // The URL may carry a secret path (Slack hooks do): the audit names the host only.
    await deps.audit.append(
      {
        actor,
        action: 'channel.create',
        target: id,
        result: 'ok',
        details: { name, host: new URL(url).host, slack },
      },
      { db: trx },
    );
  });
  return { id, name, kind: 'webhook', url, slack, createdAt: now };
}

export async function listWebhookChannels(deps: Pick<MonitoringDeps, 'store'>): Promise<WebhookChannel[]> {
  const rows = await deps.store.db
    .selectFrom('notification_channels')
    .selectAll()
    .where('kind', '=', 'webhook')
    .orderBy('name')
    .execute();
  return rows.map((row) => {
    const settings = JSON.parse(row.settings) as { url: string; slack: boolean };
    return {
      id: row.id,
      name: row.name,
      kind: 'webhook',
      url: settings.url,
      slack: settings.slack,
      createdAt: new Date(Number(row.created_at)),
    };
  });
}

export async function listChannels(
  deps: MonitoringDeps,
  actor: Actor,
): Promise<Array<Omit<WebhookChannel, 'url'> & { host: string }>> {
  authorize(actor, 'monitoring:read');
  return (await listWebhookChannels(deps)).map(({ url, ...channel }) => ({
    ...channel,
    host: new URL(url).host,
  }));
}

export async function deleteChannel(
  deps: MonitoringDeps,
  actor: Actor,
  input: { id: string },
): Promise<void> {
  authorize(actor, 'monitoring:write');
  const { id } = parseInput(z.object({ id: z.string().max(100) }), input);
  await deps.store.db.transaction().execute(async (trx) => {
    const deleted = await trx.deleteFrom('notification_channels').where('id', '=', id).executeTakeFirst();
    if (Number(deleted.numDeletedRows) === 0) throw new RoostError('not_found', `no channel ${id}`, { id });
    await deps.audit.append({ actor, action: 'channel.delete', target: id, result: 'ok' }, { db: trx });
  });
}
