import type { Kysely } from 'kysely';
import { z } from 'zod';
import { RoostError } from '../core/errors.ts';
import type { Database } from '../store/index.ts';

/** What a customer contact can receive. */
export const contactTopics = ['incidents', 'postmortems', 'maintenances'] as const;
export type ContactTopic = (typeof contactTopics)[number];

export const slugSchema = z.string().trim().min(1).max(100);
export const emailSchema = z.string().trim().toLowerCase().max(254).email('an email address');

export interface CustomerContact {
  id: string;
  instanceId: string;
  name: string;
  email: string;
  receives: ContactTopic[];
  createdAt: Date;
}

export interface AssignedManager {
  userId: string;
  email: string;
  name: string;
}

export function toContact(row: {
  id: string;
  instance_id: string;
  name: string;
  email: string;
  receives: string;
  created_at: number | string;
}): CustomerContact {
  return {
    id: row.id,
    instanceId: row.instance_id,
    name: row.name,
    email: row.email,
    receives: JSON.parse(row.receives) as ContactTopic[],
    createdAt: new Date(Number(row.created_at)),
  };
}

export async function instanceBySlug(
  db: Kysely<Database>,
  slug: string,
): Promise<{ id: string; slug: string; customer: string }> {
  const row = await db
    .selectFrom('instances')
    .select(['id', 'slug', 'customer'])
    .where('slug', '=', slug)
    .executeTakeFirst();
  if (!row) throw new RoostError('not_found', `no instance ${slug}`, { slug });
  return row;
}

/** The customer contacts of an instance who receive `topic`, by address. */
export async function contactsReceiving(
  db: Kysely<Database>,
  instanceId: string,
  topic: ContactTopic,
): Promise<CustomerContact[]> {
  const rows = await db
    .selectFrom('instance_contacts')
    .selectAll()
    .where('instance_id', '=', instanceId)
    .orderBy('email')
    .execute();
  return rows.map(toContact).filter((contact) => contact.receives.includes(topic));
}

/**
 * Who tells the customer about an instance's incident: its assigned account managers (still active), or,
 * when none is assigned, every active account manager (`fallback: true`, so the mail can say so).
 */
export async function accountManagersFor(
  db: Kysely<Database>,
  instanceId: string,
): Promise<{ managers: AssignedManager[]; fallback: boolean }> {
  const assigned = await db
    .selectFrom('instance_account_managers')
    .innerJoin('users', 'users.id', 'instance_account_managers.user_id')
    .select(['users.id', 'users.email', 'users.name'])
    .where('instance_account_managers.instance_id', '=', instanceId)
    .where('users.role', '=', 'account-manager')
    .where('users.disabled_at', 'is', null)
    .orderBy('users.email')
    .execute();
  if (assigned.length > 0)
    return {
      managers: assigned.map((row) => ({ userId: row.id, email: row.email, name: row.name })),
      fallback: false,
    };
  const everyone = await db
    .selectFrom('users')
    .select(['id', 'email', 'name'])
    .where('role', '=', 'account-manager')
    .where('disabled_at', 'is', null)
    .orderBy('email')
    .execute();
  return {
    managers: everyone.map((row) => ({ userId: row.id, email: row.email, name: row.name })),
    fallback: true,
  };
}
