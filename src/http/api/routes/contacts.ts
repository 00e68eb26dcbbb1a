import { z } from 'zod';
import {
  addContact,
  assignAccountManager,
  type CustomerContact,
  contactTopics,
  listContacts,
  removeContact,
} from '../../../contacts/index.ts';
import { defineRoute } from '../route.ts';
import { iso, timestamp } from './schemas.ts';

const slug = z.string().max(100);

const contactSchema = z.object({
  id: z.string(),
  instanceId: z.string(),
  name: z.string(),
  email: z.string(),
  receives: z.array(z.enum(contactTopics)),
  createdAt: timestamp,
});
const managerSchema = z.object({ userId: z.string(), email: z.string(), name: z.string() });

const contactBody = (contact: CustomerContact) => ({
  ...contact,
  createdAt: iso(contact.createdAt) as string,
});

export const contactRoutes = [
  defineRoute({
    id: 'contacts.list',
    method: 'get',
    path: '/instances/{slug}/contacts',
    summary:
      "An instance's account managers (assigned, or every account manager when none is) and customer contacts",
    tag: 'status',
    permission: 'status:read',
    input: z.object({ slug }).strict(),
    output: z.object({
      slug: z.string(),
      customer: z.string(),
      accountManagers: z.array(managerSchema),
      fallback: z.boolean(),
      contacts: z.array(contactSchema),
    }),
    run: async ({ deps, actor }, input) => {
      const listed = await listContacts(deps, actor, input);
      return { ...listed, contacts: listed.contacts.map(contactBody) };
    },
  }),
  defineRoute({
    id: 'contacts.add',
    method: 'post',
    path: '/instances/{slug}/contacts',
    summary:
      'Add a customer contact: who receives incident notices, post-mortems and maintenance announcements',
    tag: 'status',
    permission: 'status:write',
    status: 201,
    input: z
      .object({
        slug,
        name: z.string().max(200),
        email: z.string().max(254),
        receives: z.array(z.enum(contactTopics)).max(3).optional(),
      })
      .strict(),
    output: contactSchema,
    run: async ({ deps, actor }, input) => contactBody(await addContact(deps, actor, input)),
  }),
  defineRoute({
    id: 'contacts.managers.assign',
    method: 'post',
    path: '/instances/{slug}/account-managers',
    summary: 'Assign an account manager to an instance: its incident notices go to them',
    tag: 'status',
    permission: 'status:write',
    status: 201,
    input: z.object({ slug, user: z.string().max(254) }).strict(),
    output: managerSchema,
    run: async ({ deps, actor }, input) => assignAccountManager(deps, actor, input),
  }),
  defineRoute({
    id: 'contacts.remove',
    method: 'delete',
    path: '/instances/{slug}/contacts/{email}',
    summary: 'Remove a customer contact or an assigned account manager, by address',
    tag: 'status',
    permission: 'status:write',
    input: z.object({ slug, email: z.string().max(254) }).strict(),
    output: z.object({ removed: z.enum(['contact', 'account-manager']), email: z.string() }),
    run: async ({ deps, actor }, input) => removeContact(deps, actor, input),
  }),
];
