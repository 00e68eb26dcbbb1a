import { z } from 'zod';
import { type Actor, authorize } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import { RoostError } from '../core/errors.ts';
import type { ContactDeps } from './add-contact.ts';
import { emailSchema, instanceBySlug, slugSchema } from './records.ts';

const removeInput = z.object({ slug: slugSchema, email: emailSchema });

/**
 * Removes a customer contact or an assigned account manager from an instance, by address (`status:write`).
 * Returns which of the two it was.
 */
export async function removeContact(
  deps: ContactDeps,
  actor: Actor,
  input: z.input<typeof removeInput>,
): Promise<{ removed: 'contact' | 'account-manager'; email: string }> {
  authorize(actor, 'status:write');
  const parsed = parseInput(removeInput, input);
  return deps.store.db.transaction().execute(async (trx) => {
    const instance = await instanceBySlug(trx, parsed.slug);
    let removed: 'contact' | 'account-manager';
    const contact = await trx
      .selectFrom('instance_contacts')
      .select('id')
      .where('instance_id', '=', instance.id)
      .where('email', '=', parsed.email)
      .executeTakeFirst();
    if (contact) {
      await trx.deleteFrom('contact_deliveries').where('contact_id', '=', contact.id).execute();
      await trx.deleteFrom('instance_contacts').where('id', '=', contact.id).execute();
      removed = 'contact';
    } else {
      const user = await trx
        .selectFrom('users')
        .select('id')
        .where('email', '=', parsed.email)
        .executeTakeFirst();
      const result = user
        ? await trx
            .deleteFrom('instance_account_managers')
            .where('instance_id', '=', instance.id)
            .where('user_id', '=', user.id)
            .executeTakeFirst()
        : undefined;
      if (!result || Number(result.numDeletedRows) === 0)
        throw new RoostError(
          'not_found',
          `${parsed.email} is neither a contact nor an account manager of ${parsed.slug}`,
          { email: parsed.email },
        );
      removed = 'account-manager';
    }
    await deps.audit.append(
      {
        actor,
        action: removed === 'contact' ? 'instance.contact.remove' : 'instance.account-manager.remove',
        target: instance.id,
        result: 'ok',
        details: { email: parsed.email },
      },
      { db: trx },
    );
    return { removed, email: parsed.email };
  });
}
