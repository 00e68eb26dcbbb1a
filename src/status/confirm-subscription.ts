import { RoostError } from '../core/errors.ts';
import { type SubscriptionDeps, visitor } from './subscription-deps.ts';
import { subscriptionKey, type TokenPurpose, verifyToken } from './subscription-tokens.ts';

async function subscriberOf(
  deps: SubscriptionDeps,
  slug: string,
  token: string,
  purpose: TokenPurpose,
  gone: 'refuse' | 'accept' = 'refuse',
) {
  const id = verifyToken(
    await subscriptionKey(deps.vault),
    token.slice(0, 500),
    purpose,
    deps.clock.now().getTime(),
  );
  const row =
    id &&
    (await deps.store.db
      .selectFrom('status_subscribers')
      .innerJoin('instances', 'instances.id', 'status_subscribers.instance_id')
      .select(['status_subscribers.id', 'status_subscribers.confirmed_at', 'instances.slug'])
      .where('status_subscribers.id', '=', id)
      .executeTakeFirst());
  // A genuine unsubscribe link of an address already removed: done already, say so again.
  if (id && !row && gone === 'accept') return undefined;
  // One answer for forged, expired, foreign and unknown links: none of them says more than "no".
  if (!row || row.slug !== slug)
    throw new RoostError('invalid_input', 'this link is not valid (or has expired)');
  return row;
}

/** The second step of the opt-in: a valid confirmation link makes the address a subscriber. */
export async function confirmSubscription(
  deps: SubscriptionDeps,
  input: { slug: string; token: string; ip: string | null },
): Promise<void> {
  const row = await subscriberOf(deps, input.slug, input.token, 'confirm');
  if (!row || row.confirmed_at !== null) return;
  const now = deps.clock.now();
  await deps.store.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('status_subscribers')
      .set({ confirmed_at: now.getTime() })
      .where('id', '=', row.id)
      .execute();
    await deps.audit.append(
      { actor: visitor(input.ip), action: 'subscriber.confirm', target: row.id, result: 'ok' },
      { db: trx },
    );
  });
}

/** Ends a subscription from the link in a mail or its one-click header; the address is forgotten. */
export async function unsubscribe(
  deps: SubscriptionDeps,
  input: { slug: string; token: string; ip: string | null },
): Promise<void> {
  const row = await subscriberOf(deps, input.slug, input.token, 'unsubscribe', 'accept');
  if (!row) return;
  await deps.store.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('status_deliveries').where('subscriber_id', '=', row.id).execute();
    await trx.deleteFrom('status_subscribers').where('id', '=', row.id).execute();
    await deps.audit.append(
      { actor: visitor(input.ip), action: 'subscriber.unsubscribe', target: row.id, result: 'ok' },
      { db: trx },
    );
  });
}
