import { markdownToText } from '../core/markdown.ts';
import { contactMaintenanceMail, maintenanceMail } from './mails.ts';
import { type SubscriptionDeps, unsubscribeLinkMs } from './subscription-deps.ts';
import { signToken, subscriptionKey } from './subscription-tokens.ts';

const hour = 3_600_000;

/** When subscribers hear about a window before it starts (R26: announced by mail beforehand). */
export const announcementLeads = [
  { key: '72h', beforeMs: 72 * hour },
  { key: '1h', beforeMs: hour },
] as const;

/**
 * Mails the announcements that are due: 72 hours and 1 hour before each scheduled window, to the confirmed
 * subscribers of its instance who follow one of its components (or all), and to the instance's customer
 * contacts who receive maintenance mail. A window scheduled late gets only the announcements still ahead of
 * it; deliveries are recorded, so nothing is sent twice.
 */
export async function announceMaintenances(deps: SubscriptionDeps): Promise<number> {
  const { db } = deps.store;
  const now = deps.clock.now().getTime();
  const windows = await db
    .selectFrom('maintenances')
    .innerJoin('instances', 'instances.id', 'maintenances.instance_id')
    .leftJoin('status_pages', 'status_pages.instance_id', 'instances.id')
    .select([
      'maintenances.id',
      'maintenances.instance_id',
      'maintenances.title',
      'maintenances.body',
      'maintenances.components',
      'maintenances.starts_at',
      'maintenances.ends_at',
      'instances.slug',
      'instances.customer',
      'status_pages.name',
    ])
    .where('maintenances.state', '=', 'scheduled')
    .where('maintenances.starts_at', '>', now)
    .where('maintenances.starts_at', '<=', now + announcementLeads[0].beforeMs)
    .execute();
  if (windows.length === 0) return 0;
  const key = await subscriptionKey(deps.vault);
  let sent = 0;
  for (const window of windows) {
    const untilStart = Number(window.starts_at) - now;
    // The nearest lead already reached: one announcement per window and lead, never a stale one.
    const lead = [...announcementLeads].reverse().find((candidate) => untilStart <= candidate.beforeMs);
    if (!lead) continue;
    const entryId = `${window.id}:${lead.key}`;
    const components = JSON.parse(window.components) as string[];
    const subscribers = await db
      .selectFrom('status_subscribers')
      .leftJoin('status_deliveries', (join) =>
        join
          .onRef('status_deliveries.subscriber_id', '=', 'status_subscribers.id')
          .on('status_deliveries.entry_id', '=', entryId),
      )
      .select(['status_subscribers.id', 'status_subscribers.email', 'status_subscribers.components'])
      .where('status_subscribers.instance_id', '=', window.instance_id)
      .where('status_subscribers.confirmed_at', 'is not', null)
      .where('status_deliveries.entry_id', 'is', null)
      .execute();
    for (const subscriber of subscribers) {
      const follows = JSON.parse(subscriber.components) as string[];
      if (follows.length > 0 && components.length > 0 && !follows.some((id) => components.includes(id)))
        continue;
      const pageUrl = deps.pageUrl(window.slug);
      const token = signToken(key, subscriber.id, 'unsubscribe', now + unsubscribeLinkMs);
      await deps.mailer.send(
        maintenanceMail(
          subscriber.email,
          {
            name: window.name ?? window.customer,
            title: markdownToText(window.title),
            body: window.body,
            startsAt: new Date(Number(window.starts_at)),
            endsAt: new Date(Number(window.ends_at)),
            pageUrl,
          },
          `${pageUrl}/unsubscribe?token=${token}`,
        ),
      );
      await db
        .insertInto('status_deliveries')
        .values({ entry_id: entryId, subscriber_id: subscriber.id, sent_at: now })
        .execute();
      sent++;
    }
    const contacts = await db
      .selectFrom('instance_contacts')
      .leftJoin('contact_deliveries', (join) =>
        join
          .onRef('contact_deliveries.contact_id', '=', 'instance_contacts.id')
          .on('contact_deliveries.entry_id', '=', entryId),
      )
      .select(['instance_contacts.id', 'instance_contacts.email', 'instance_contacts.receives'])
      .where('instance_contacts.instance_id', '=', window.instance_id)
      .where('contact_deliveries.entry_id', 'is', null)
      .orderBy('instance_contacts.email')
      .execute();
    for (const contact of contacts) {
      if (!(JSON.parse(contact.receives) as string[]).includes('maintenances')) continue;
      await deps.mailer.send(
        contactMaintenanceMail(contact.email, {
          name: window.name ?? window.customer,
          title: markdownToText(window.title),
          body: window.body,
          startsAt: new Date(Number(window.starts_at)),
          endsAt: new Date(Number(window.ends_at)),
          pageUrl: deps.pageUrl(window.slug),
        }),
      );
      await db
        .insertInto('contact_deliveries')
        .values({ entry_id: entryId, contact_id: contact.id, sent_at: now })
        .execute();
      sent++;
    }
  }
  return sent;
}
