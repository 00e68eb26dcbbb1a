import type { Jobs } from '../jobs/index.ts';
import { announceMaintenances } from './announce-maintenances.ts';
import { updateMail } from './mails.ts';
import { postmortemPath } from './public-paths.ts';
import { type SubscriptionDeps, unsubscribeLinkMs } from './subscription-deps.ts';
import { signToken, subscriptionKey } from './subscription-tokens.ts';

/** The job that mails one public incident update to the subscribers of the pages it appears on. */
export const notifyQueue = 'status.notify';

/**
 * Mails a public timeline entry to every confirmed subscriber of the affected instances who follows one of
 * the affected components (or all of them). Each delivery is recorded, so a retried run skips those done.
 */
export async function notifySubscribers(deps: SubscriptionDeps, entryId: string): Promise<number> {
  const { db } = deps.store;
  const entry = await db
    .selectFrom('incident_timeline')
    .innerJoin('incidents', 'incidents.id', 'incident_timeline.incident_id')
    .select([
      'incident_timeline.id',
      'incident_timeline.body',
      'incident_timeline.status',
      'incident_timeline.public',
      'incidents.id as incidentId',
      'incidents.title',
      'incidents.status as incidentStatus',
      'incidents.postmortem_published_at',
    ])
    .where('incident_timeline.id', '=', entryId)
    .executeTakeFirst();
  if (!entry || Number(entry.public) !== 1) return 0;
  // The update publishing posts: its mail links the post-mortem, as the page's JSON and feeds do.
  const announcesPostmortem = entry.status === 'postmortem' && entry.postmortem_published_at !== null;
  const components = (
    await db
      .selectFrom('incident_components')
      .select('component_id')
      .where('incident_id', '=', entry.incidentId)
      .execute()
  ).map((row) => row.component_id);
  const subscribers = await db
    .selectFrom('incident_instances')
    .innerJoin('instances', 'instances.id', 'incident_instances.instance_id')
    .innerJoin('status_subscribers', 'status_subscribers.instance_id', 'instances.id')
    .leftJoin('status_pages', 'status_pages.instance_id', 'instances.id')
    .leftJoin('status_deliveries', (join) =>
      join
        .onRef('status_deliveries.subscriber_id', '=', 'status_subscribers.id')
        .on('status_deliveries.entry_id', '=', entryId),
    )
    .select([
      'status_subscribers.id',
      'status_subscribers.email',
      'status_subscribers.components',
      'instances.slug',
      'instances.customer',
      'status_pages.name',
    ])
    .where('incident_instances.incident_id', '=', entry.incidentId)
    .where('instances.state', '!=', 'decommissioned')
    .where('status_subscribers.confirmed_at', 'is not', null)
    .where('status_deliveries.entry_id', 'is', null)
    .execute();
  const key = await subscriptionKey(deps.vault);
  let sent = 0;
  for (const subscriber of subscribers) {
    const follows = JSON.parse(subscriber.components) as string[];
    if (follows.length > 0 && components.length > 0 && !follows.some((id) => components.includes(id)))
      continue;
    const now = deps.clock.now().getTime();
    const pageUrl = deps.pageUrl(subscriber.slug);
    const token = signToken(key, subscriber.id, 'unsubscribe', now + unsubscribeLinkMs);
    await deps.mailer.send(
      updateMail(
        subscriber.email,
        {
          name: subscriber.name ?? subscriber.customer,
          title: entry.title,
          status: entry.status ?? entry.incidentStatus,
          body: entry.body,
          pageUrl,
          postmortemUrl: announcesPostmortem ? `${pageUrl}${postmortemPath(entry.incidentId)}` : undefined,
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
  return sent;
}

/** The minute job that mails maintenance announcements when they fall due. */
export const announceQueue = 'status.announce';

/**
 * Mails run as durable jobs: updates queued in the same transaction as the update they announce,
 * maintenance announcements every minute.
 */
export async function registerSubscriberJobs(deps: SubscriptionDeps & { jobs: Jobs }): Promise<void> {
  deps.jobs.work(notifyQueue, async (job) => ({
    sent: await notifySubscribers(deps, (job.payload as { entryId: string }).entryId),
  }));
  deps.jobs.work(announceQueue, async () => ({ sent: await announceMaintenances(deps) }));
  await deps.jobs.schedule({ name: 'maintenance-announcements', cron: '* * * * *', queue: announceQueue });
}
