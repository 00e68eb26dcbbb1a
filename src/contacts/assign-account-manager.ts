import { z } from 'zod';
import { type Actor, authorize } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import { RoostError } from '../core/errors.ts';
import type { ContactDeps } from './add-contact.ts';
import { type AssignedManager, emailSchema, instanceBySlug, slugSchema } from './records.ts';

const assignInput = z.object({ slug: slugSchema, user: emailSchema });

/**
 * Assigns an account manager (an active user with the `account-manager` role) to an instance
 * (`status:write`): its incident notices go to them instead of to every account manager.
 */
export async function assignAccountManager(
  deps: ContactDeps,
  actor: Actor,
  input: z.input<typeof assignInput>,
): Promise<AssignedManager> {
  authorize(actor, 'status:write');
  const parsed = parseInput(assignInput, input);
  const now = deps.clock.now();
  return deps.store.db.transaction().execute(async (trx) => {
    const instance = await instanceBySlug(trx, parsed.slug);
    const user = await trx
      .selectFrom('users')
      .select(['id', 'email', 'name', 'role', 'disabled_at'])
      .where('email', '=', parsed.user)
      .executeTakeFirst();
    if (!user) throw new RoostError('not_found', `no user ${parsed.user}`, { user: parsed.user });
    if (user.role !== 'account-manager' || user.disabled_at !== null)
      throw new RoostError('invalid_input', `user: ${parsed.user} is not an active account manager`, {
        user: parsed.user,
        role: user.role,
      });
    const existing = await trx
      .selectFrom('instance_account_managers')
      .select('user_id')
      .where('instance_id', '=', instance.id)
      .where('user_id', '=', user.id)
      .executeTakeFirst();
    if (existing)
      throw new RoostError('conflict', `${parsed.user} is already an account manager of ${parsed.slug}`);
    await trx
      .insertInto('instance_account_managers')
      .values({ instance_id: instance.id, user_id: user.id, created_at: now.getTime() })
      .execute();
    await deps.audit.append(
      {
        actor,
        action: 'instance.account-manager.assign',
        target: instance.id,
        result: 'ok',
        details: { user: user.email },
      },
      { db: trx },
    );
    return { userId: user.id, email: user.email, name: user.name };
  });
}
