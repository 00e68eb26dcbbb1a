import type { AuditLog } from '../audit/types.ts';
import type { Clock } from '../core/clock.ts';
import { isRoostError } from '../core/errors.ts';
import { markdownToText } from '../core/markdown.ts';
import type { DocumentPrinter } from '../documents/index.ts';
import { escapeHtml } from '../documents/index.ts';
import type { Jobs } from '../jobs/index.ts';
import type { Logger } from '../observability/index.ts';
import { type Mailer, postmortemPath } from '../status/index.ts';
import type { Store } from '../store/index.ts';
import { renderPostmortem } from './postmortem-document.ts';
import { findIncident, toIncident } from './records.ts';
import { recordOnTimeline } from './timeline.ts';

/** Mails a published post-mortem to the customer contacts of the instances it touched (R24). */
export const postmortemMailQueue = 'incidents.postmortem-mail';

export interface PostmortemMailDeps {
  store: Store;
  clock: Clock;
  audit: AuditLog;
  mailer: Mailer;
  printer: DocumentPrinter | undefined;
  pageUrl(slug: string): string;
  logger?: Logger | undefined;
}

/**
 * One mail per contact receiving `postmortems`, the PDF attached (the stored one, printed once for the status
 * pages too; HTML when no printer is available) and its page on the status page linked. Deliveries are
 * recorded per publication, so a retried job mails nobody twice, while a post-mortem withdrawn by a
 * reopening and published again is mailed again; the timeline says who got it. `publishedAt` is the
 * publication the job was queued for: withdrawn since, it mails nothing.
 */
export async function mailPostmortem(
  deps: PostmortemMailDeps,
  incidentId: string,
  publishedAt?: number,
): Promise<number> {
  const { db } = deps.store;
  const incident = toIncident(await findIncident(db, incidentId));
  if (incident.postmortemPublishedAt === null || !incident.postmortem) return 0;
  if (publishedAt !== undefined && incident.postmortemPublishedAt.getTime() !== publishedAt) return 0;
  // Jobs queued before publications were told apart carry no time, and their deliveries no suffix.
  const entryId = `postmortem:${incident.id}${publishedAt === undefined ? '' : `@${publishedAt}`}`;
  const recipients = await db
    .selectFrom('incident_instances')
    .innerJoin('instances', 'instances.id', 'incident_instances.instance_id')
    .innerJoin('instance_contacts', 'instance_contacts.instance_id', 'instances.id')
    .leftJoin('contact_deliveries', (join) =>
      join
        .onRef('contact_deliveries.contact_id', '=', 'instance_contacts.id')
        .on('contact_deliveries.entry_id', '=', entryId),
    )
    .select([
      'instance_contacts.id',
      'instance_contacts.name',
      'instance_contacts.email',
      'instance_contacts.receives',
      'instances.slug',
    ])
    .where('incident_instances.incident_id', '=', incident.id)
    .where('contact_deliveries.entry_id', 'is', null)
    .orderBy('instance_contacts.email')
    .execute();
  const due = recipients.filter((row) => (JSON.parse(row.receives) as string[]).includes('postmortems'));
  if (due.length === 0) return 0;
  // Without a working Chromium the customer still gets the post-mortem: as HTML, and the log says why.
  const attachment = await renderPostmortem(deps, incident, 'pdf').catch(async (error: unknown) => {
    if (!isRoostError(error, 'unavailable')) throw error;
    deps.logger?.warn(
      { incident: incident.id, reason: error.message },
      'post-mortem mailed as HTML, not PDF',
    );
    return renderPostmortem(deps, incident, 'html');
  });
  // Titles are plain text everywhere: as they are in the subject, escaped in HTML.
  const title = incident.title;
  const sent: string[] = [];
  for (const contact of due) {
    const pageUrl = deps.pageUrl(contact.slug);
    const postmortemUrl = `${pageUrl}${postmortemPath(incident.id)}`;
    const text = `Hello ${contact.name},\n\nThe post-mortem of the incident "${title}" is attached (${attachment.filename}) and published on your status page: ${postmortemUrl}\n\n${markdownToText(incident.postmortem)}\n`;
    await deps.mailer.send({
      to: contact.email,
      subject: `Post-mortem: ${title}`,
      text,
      html: `<p>Hello ${escapeHtml(contact.name)},</p><p>The post-mortem of the incident “${escapeHtml(title)}” is attached and published on <a href="${escapeHtml(postmortemUrl)}">your status page</a>.</p>`,
      attachments: [attachment],
    });
    await db
      .insertInto('contact_deliveries')
      .values({ entry_id: entryId, contact_id: contact.id, sent_at: deps.clock.now().getTime() })
      .execute();
    sent.push(contact.email);
  }
  const now = deps.clock.now();
  await db.transaction().execute((trx) =>
    recordOnTimeline(
      trx,
      deps.audit,
      {
        incidentId: incident.id,
        body: `Post-mortem mailed to ${sent.join(', ')} (${attachment.filename}).`,
        actor: { id: 'mail', label: 'mail' },
        action: 'incident.postmortem.mail',
        details: { to: sent, attachment: attachment.filename },
      },
      now,
    ),
  );
  return sent.length;
}

export function registerPostmortemMailJobs(
  deps: Omit<PostmortemMailDeps, 'mailer'> & { mailer: Mailer | undefined; jobs: Jobs },
): void {
  const { mailer } = deps;
  deps.jobs.work(postmortemMailQueue, async (job) =>
    mailer
      ? {
          sent: await mailPostmortem(
            { ...deps, mailer },
            (job.payload as { incidentId: string }).incidentId,
            (job.payload as { publishedAt?: number }).publishedAt,
          ),
        }
      : { sent: 0, reason: 'no SMTP server configured' },
  );
}
