import { accountManagersFor } from '../contacts/index.ts';
import type { Jobs } from '../jobs/index.ts';
import type { Mailer, MailMessage } from '../status/index.ts';
import type { Store } from '../store/index.ts';
import { draftCustomerNotice } from './customer-notice.ts';
import { findIncident, toIncident } from './records.ts';

/** Tells account managers at once when an incident touches instances (R24). */
export const accountManagerQueue = 'incidents.account-managers';

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * Mails the account managers of each affected instance (those assigned to it, or every active account
 * manager when none is, which the mail says) the drafted customer notice, ready to send from the incident
 * page. Returns how many mails went out.
 */
export async function notifyAccountManagers(
  deps: { store: Store; mailer: Mailer; pageUrl(slug: string): string; adminUrl?: string | undefined },
  incidentId: string,
): Promise<number> {
  const { db } = deps.store;
  const incident = toIncident(await findIncident(db, incidentId));
  const instances = await db
    .selectFrom('incident_instances')
    .innerJoin('instances', 'instances.id', 'incident_instances.instance_id')
    .select(['instances.id', 'instances.slug', 'instances.customer'])
    .where('incident_instances.incident_id', '=', incidentId)
    .orderBy('instances.slug')
    .execute();
  let sent = 0;
  for (const instance of instances) {
    const { managers, fallback } = await accountManagersFor(db, instance.id);
    const who = fallback
      ? `No account manager is assigned to ${instance.slug}, so every account manager gets this mail.`
      : `You are an account manager of ${instance.slug}.`;
    const notice = draftCustomerNotice(incident, instance.customer, {
      statusPageUrl: deps.pageUrl(instance.slug),
    });
    for (const manager of managers) {
      const intro = `${incident.severity} incident on ${instance.slug} (${instance.customer}): tell the customer now. ${who} Draft below; send it from the incident page (Send to the customer).`;
      const message: MailMessage = {
        to: manager.email,
        subject: `[${incident.severity}] ${instance.customer}: ${notice.subject}`,
        text: `${intro}\n\nSubject: ${notice.subject}\n\n${notice.body}\n`,
        html: `<p>${escapeHtml(intro)}</p><p><strong>Subject:</strong> ${escapeHtml(notice.subject)}</p><pre>${escapeHtml(notice.body)}</pre>`,
      };
      await deps.mailer.send(message);
      sent++;
    }
  }
  return sent;
}

export function registerAccountManagerJobs(deps: {
  store: Store;
  mailer: Mailer | undefined;
  jobs: Jobs;
  pageUrl(slug: string): string;
}): void {
  const { mailer } = deps;
  deps.jobs.work(accountManagerQueue, async (job) =>
    mailer
      ? {
          sent: await notifyAccountManagers(
            { ...deps, mailer },
            (job.payload as { incidentId: string }).incidentId,
          ),
        }
      : { sent: 0, reason: 'no SMTP server configured' },
  );
}
