import { z } from 'zod';
import { liftBan, listBans } from '../../../auth/bans.ts';
import type { Ban } from '../../../auth/throttle-types.ts';
import { defineRoute } from '../route.ts';
import { accessDeps } from './access.ts';
import { idSchema, iso, limitSchema, timestamp } from './schemas.ts';

const banSchema = z.object({
  id: z.string(),
  subjectKind: z.enum(['ip', 'account']),
  subject: z.string(),
  reason: z.string(),
  offence: z.number().int(),
  createdAt: timestamp,
  expiresAt: timestamp,
  liftedAt: timestamp.nullable(),
  liftedBy: z.string().nullable(),
});

export function banBody(ban: Ban) {
  return {
    ...ban,
    createdAt: iso(ban.createdAt) as string,
    expiresAt: iso(ban.expiresAt) as string,
    liftedAt: iso(ban.liftedAt),
  };
}

export const banRoutes = [
  defineRoute({
    id: 'bans.list',
    method: 'get',
    path: '/bans',
    summary: 'List bans (active only with active=true)',
    tag: 'bans',
    permission: 'bans:read',
    input: z.object({ active: z.enum(['true', 'false']).optional(), limit: limitSchema }).strict(),
    output: z.object({ bans: z.array(banSchema) }),
    run: async ({ deps, actor }, input) => {
      const filter: { active?: boolean; limit?: number } = {};
      if (input.active !== undefined) filter.active = input.active === 'true';
      if (input.limit !== undefined) filter.limit = input.limit;
      return { bans: (await listBans(accessDeps(deps), actor, filter)).map(banBody) };
    },
  }),
  defineRoute({
    id: 'bans.lift',
    method: 'delete',
    path: '/bans/{id}',
    summary: 'Lift a ban before it expires',
    tag: 'bans',
    permission: 'bans:write',
    input: z.object({ id: idSchema }).strict(),
    output: z.object({ ban: banSchema }),
    run: async ({ deps, actor }, input) => ({
      ban: banBody(await liftBan(accessDeps(deps), actor, input.id)),
    }),
  }),
];
