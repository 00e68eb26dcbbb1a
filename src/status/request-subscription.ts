import { z } from 'zod';
import { emailSchema, parseInput } from '../auth/input.ts';
import { newId } from '../core/ids.ts';
import { alreadySubscribedMail, confirmationMail } from './mails.ts';
import { confirmLinkMs, type SubscriptionDeps, unsubscribeLinkMs, visitor } from './subscription-deps.ts';
import { signToken, subscriptionKey } from './subscription-tokens.ts';

const requestSubscriptionInput = z.object({
  slug: z.string().max(100),
  email: emailSchema,
  /** Component ids to hear about; empty for all. */
  components: z.array(z.string().max(100)).max(100).default([]),
  ip: z.string().max(100).nullable().default(null),
});

/**
 * A visitor asks for updates (R25, double opt-in): a new or pending address gets a signed confirmation
 * link and nothing else; a confirmed one gets a reminder with its unsubscribe link. The answer is the same
 * in every case, so the page never tells whether an address is subscribed. Unknown slugs do nothing.
 */
export async function requestSubscription(
  deps: SubscriptionDeps,
  input: z.input<typeof requestSubscriptionInput>,
): Promise<void> {
  const parsed = parseInput(requestSubscriptionInput, input);
  const now = deps.clock.now();
  const { db } = deps.store;
  const instance = await db
    .selectFrom('instances')
    .leftJoin('status_pages', 'status_pages.instance_id', 'instances.id')
    .select(['instances.id', 'instances.slug', 'instances.customer', 'instances.state', 'status_pages.name'])
    .where('instances.slug', '=', parsed.slug)
    .executeTakeFirst();
  // A page on its way out takes no new address: its subscribers are being erased (R27).
  if (!instance || instance.state === 'decommissioning' || instance.state === 'decommissioned') return;
  const name = instance.name ?? instance.customer;
  const known = await db
    .selectFrom('status_components')
    .select('id')
    .where('instance_id', '=', instance.id)
    .execute();
  const components = parsed.components.filter((id) => known.some((row) => row.id === id));
  const subscriber = await db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('status_subscribers')
      .selectAll()
      .where('instance_id', '=', instance.id)
      .where('email', '=', parsed.email)
      .executeTakeFirst();
    if (existing) {
      if (existing.confirmed_at === null)
        await trx
          .updateTable('status_subscribers')
          .set({ components: JSON.stringify(components) })
          .where('id', '=', existing.id)
          .execute();
      return existing;
    }
    const row = await trx
      .insertInto('status_subscribers')
      .values({
        id: newId('sub', now),
        instance_id: instance.id,
        email: parsed.email,
        components: JSON.stringify(components),
        confirmed_at: null,
        created_at: now.getTime(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await deps.audit.append(
      {
        actor: visitor(parsed.ip),
        action: 'subscriber.request',
        target: row.id,
        result: 'ok',
        details: { slug: instance.slug },
      },
      { db: trx },
    );
    return row;
  });
  const key = await subscriptionKey(deps.vault);
  const pageUrl = deps.pageUrl(instance.slug);
  if (subscriber.confirmed_at === null) {
    const token = signToken(key, subscriber.id, 'confirm', now.getTime() + confirmLinkMs);
    await deps.mailer.send(
      confirmationMail(parsed.email, name, `${pageUrl}/subscribe/confirm?token=${token}`),
    );
  } else {
    const token = signToken(key, subscriber.id, 'unsubscribe', now.getTime() + unsubscribeLinkMs);
    await deps.mailer.send(
      alreadySubscribedMail(parsed.email, name, pageUrl, `${pageUrl}/unsubscribe?token=${token}`),
    );
  }
}
