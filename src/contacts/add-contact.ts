import { z } from 'zod';
import type { AuditLog } from '../audit/types.ts';
import { type Actor, authorize } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import type { Clock } from '../core/clock.ts';
import { RoostError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { Store } from '../store/index.ts';
import {
  type CustomerContact,
  contactTopics,
  emailSchema,
  instanceBySlug,
  slugSchema,
  toContact,
} from './records.ts';

export interface ContactDeps {
  store: Store;
  clock: Clock;
  audit: AuditLog;
}

const addContactInput = z.object({
  slug: slugSchema,
  name: z.string().trim().min(1).max(200),
  email: emailSchema,
  /** What the contact receives; everything unless said. */
  receives: z
    .array(z.enum(contactTopics))
    .min(1, 'at least one of incidents, postmortems, maintenances')
    .optional(),
});

/**
 * Adds a customer contact address to an instance (`status:write`): who hears about its incidents,
 * post-mortems and maintenance windows (R24, R26).
 */
export async function addContact(
  deps: ContactDeps,
  actor: Actor,
  input: z.input<typeof addContactInput>,
): Promise<CustomerContact> {
  authorize(actor, 'status:write');
  const parsed = parseInput(addContactInput, input);
  const now = deps.clock.now();
  return deps.store.db.transaction().execute(async (trx) => {
    const instance = await instanceBySlug(trx, parsed.slug);
    const existing = await trx
      .selectFrom('instance_contacts')
      .select('id')
      .where('instance_id', '=', instance.id)
      .where('email', '=', parsed.email)
      .executeTakeFirst();
    if (existing)
      throw new RoostError('conflict', `${parsed.email} is already a contact of ${parsed.slug}`, {
        email: parsed.email,
      });
    const receives = contactTopics.filter((topic) => (parsed.receives ?? contactTopics).includes(topic));
    const row = await trx
      .insertInto('instance_contacts')
      .values({
        id: newId('ctc', now),
        instance_id: instance.id,
        name: parsed.name,
        email: parsed.email,
        receives: JSON.stringify(receives),
        created_at: now.getTime(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await deps.audit.append(
      {
        actor,
        action: 'instance.contact.add',
        target: instance.id,
        result: 'ok',
        details: { email: parsed.email, receives },
      },
      { db: trx },
    );
    return toContact(row);
  });
}
