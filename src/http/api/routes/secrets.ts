import { z } from 'zod';
import { requireFreshSecondFactor } from '../../../auth/actor.ts';
import { defineRoute } from '../route.ts';
import { iso, timestamp } from './schemas.ts';

const secretSchema = z.object({
  id: z.string(),
  owner: z.string(),
  name: z.string(),
  kind: z.string(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const secretRoutes = [
  defineRoute({
    id: 'secrets.list',
    method: 'get',
    path: '/secrets',
    summary: 'List secrets in the vault (names and kinds, never values)',
    tag: 'secrets',
    permission: 'secrets:read',
    input: z.object({ owner: z.string().max(200).optional() }).strict(),
    output: z.object({ secrets: z.array(secretSchema) }),
    run: async ({ deps }, input) => ({
      secrets: (await deps.vault.list(input.owner)).map((secret) => ({
        ...secret,
        createdAt: iso(secret.createdAt) as string,
        updatedAt: iso(secret.updatedAt) as string,
      })),
    }),
  }),
  defineRoute({
    id: 'secrets.reveal',
    method: 'post',
    path: '/secrets/{owner}/{name}/reveal',
    summary:
      'Reveal a secret value: admins only, with a second factor entered in the last 5 minutes; audited',
    tag: 'secrets',
    permission: 'secrets:reveal',
    input: z.object({ owner: z.string().max(200), name: z.string().max(200) }).strict(),
    output: z.object({ owner: z.string(), name: z.string(), value: z.string() }),
    run: async ({ deps, actor }, input) => {
      const target = `${input.owner}/${input.name}`;
      try {
        requireFreshSecondFactor(actor, deps.clock);
      } catch (error) {
        await deps.audit.append({
          actor,
          action: 'secret.reveal',
          target,
          result: 'denied',
          details: { reason: 'second_factor_required' },
        });
        throw error;
      }
      const value = await deps.vault.reveal(input.owner, input.name);
      await deps.audit.append({ actor, action: 'secret.reveal', target, result: 'ok' });
      return { owner: input.owner, name: input.name, value };
    },
  }),
];
