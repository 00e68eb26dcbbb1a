import { z } from 'zod';
import { type Actor, authorize } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import { contactsReceiving } from '../contacts/index.ts';
import { RoostError } from '../core/errors.ts';
import { escapeHtml } from '../documents/index.ts';
import type { Mailer } from '../status/index.ts';
import { draftCustomerNotice } from './customer-notice.ts';
import type { IncidentDeps } from './deps.ts';
import { findIncident, incidentIdSchema, toIncident } from './records.ts';
import { recordOnTimeline } from './timeline.ts';

const sendCustomerNoticeInput = z.object({
  id: incidentIdSchema,
  /** The affected instance whose customer is told; optional when the incident touches one instance. */
  slug: z.string().trim().min(1).max(100).optional(),
  /** The drafted subject and text, edited or not; the draft when left out. */
  subject: z.string().trim().min(1).max(300).optional(),
  body: z.string().trim().min(1).max(20_000).optional(),
  /** Replaces the draft's estimated resolution line when the body is the draft. */
  estimatedResolution: z.string().trim().min(1).max(300).optional(),
});

export interface SentNotice {
  slug: string;
  to: string[];
  subject: string;
}

/**
 * Sends the customer notice in one action (R24, `incidents:write`): the drafted (or edited) message goes to
 * the instance's customer contacts who receive incident mail, and the timeline and the audit trail record
 * who got it.
 */
export async function sendCustomerNotice(
  deps: IncidentDeps & { mailer?: Mailer | undefined; pageUrl(slug: string): string },
  actor: Actor,
  input: z.input<typeof sendCustomerNoticeInput>,
): Promise<SentNotice> {
  authorize(actor, 'incidents:write');
  const parsed = parseInput(sendCustomerNoticeInput, input);
  const { db } = deps.store;
  const incident = toIncident(await findIncident(db, parsed.id));
  const instances = await db
    .selectFrom('incident_instances')
    .innerJoin('instances', 'instances.id', 'incident_instances.instance_id')
    .select(['instances.id', 'instances.slug', 'instances.customer'])
    .where('incident_instances.incident_id', '=', incident.id)
    .orderBy('instances.slug')
    .execute();
  if (instances.length === 0)
    throw new RoostError('conflict', `incident ${incident.id} touches no instance: no customer to tell`);
  if (parsed.slug === undefined && instances.length > 1)
    throw new RoostError(
      'invalid_input',
      `slug: the incident touches ${instances.map((row) => row.slug).join(', ')}; say which customer to tell`,
      { field: 'slug' },
    );
  const instance =
    parsed.slug === undefined ? instances[0] : instances.find((row) => row.slug === parsed.slug);
  if (!instance)
    throw new RoostError('invalid_input', `slug: the incident does not touch ${parsed.slug}`, {
      field: 'slug',
    });
  const contacts = await contactsReceiving(db, instance.id, 'incidents');
  if (contacts.length === 0)
    throw new RoostError(
      'conflict',
      `${instance.slug} has no customer contact receiving incidents: add one with roost instance contacts add ${instance.slug}`,
    );
  if (!deps.mailer) throw new RoostError('unavailable', 'no SMTP server configured (smtp.host)');
  const draft = draftCustomerNotice(incident, instance.customer, {
    statusPageUrl: deps.pageUrl(instance.slug),
    ...(parsed.estimatedResolution ? { estimatedResolution: parsed.estimatedResolution } : {}),
  });
  const subject = parsed.subject ?? draft.subject;
  const body = parsed.body ?? draft.body;
  const to = contacts.map((contact) => contact.email);
  // The message is the manager's text: sent as plain text, and as escaped text in the HTML part.
  await deps.mailer.send({
    to,
    subject,
    text: `${body}\n`,
    html: `<div style="white-space:pre-wrap">${escapeHtml(body)}</div>`,
  });
  const now = deps.clock.now();
  await db.transaction().execute((trx) =>
    recordOnTimeline(
      trx,
      deps.audit,
      {
        incidentId: incident.id,
        body: `Customer notice sent to ${instance.customer} (${to.join(', ')}): ${subject}\n\n${body}`,
        actor,
        action: 'incident.customer-notice',
        details: { instance: instance.slug, to, subject },
      },
      now,
    ),
  );
  return { slug: instance.slug, to, subject };
}
