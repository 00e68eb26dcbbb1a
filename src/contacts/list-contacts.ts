import { z } from 'zod';
import { type Actor, authorize } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import type { Store } from '../store/index.ts';
import {
  type AssignedManager,
  accountManagersFor,
  type CustomerContact,
  instanceBySlug,
  slugSchema,
  toContact,
} from './records.ts';

export interface InstanceContacts {
  slug: string;
  customer: string;
  /** Who is told about incidents: the assigned managers, or every account manager when none is. */
  accountManagers: AssignedManager[];
  /** true: nobody is assigned, so every account manager is told. */
  fallback: boolean;
  contacts: CustomerContact[];
}

/** An instance's account managers and customer contacts (`status:read`). */
export async function listContacts(
  deps: { store: Store },
  actor: Actor,
  input: { slug: string },
): Promise<InstanceContacts> {
  authorize(actor, 'status:read');
  const { slug } = parseInput(z.object({ slug: slugSchema }), input);
  const { db } = deps.store;
  const instance = await instanceBySlug(db, slug);
  const { managers, fallback } = await accountManagersFor(db, instance.id);
  const rows = await db
    .selectFrom('instance_contacts')
    .selectAll()
    .where('instance_id', '=', instance.id)
    .orderBy('email')
    .execute();
  return {
    slug: instance.slug,
    customer: instance.customer,
    accountManagers: managers,
    fallback,
    contacts: rows.map(toContact),
  };
}
