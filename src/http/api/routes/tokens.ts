import { z } from 'zod';
import { createToken, listTokens, revokeToken } from '../../../auth/index.ts';
import type { ApiToken } from '../../../auth/tokens.ts';
import { defineRoute } from '../route.ts';
import { accessDeps } from './access.ts';
import { idSchema, iso, permissionSchema, timestamp } from './schemas.ts';

const tokenSchema = z.object({
  id: z.string(),
  userId: z.string(),
  name: z.string(),
  scopes: z.array(permissionSchema),
  createdAt: timestamp,
  expiresAt: timestamp.nullable(),
  lastUsedAt: timestamp.nullable(),
  revokedAt: timestamp.nullable(),
});

function tokenBody(token: ApiToken) {
  return {
    ...token,
    createdAt: iso(token.createdAt) as string,
    expiresAt: iso(token.expiresAt),
    lastUsedAt: iso(token.lastUsedAt),
    revokedAt: iso(token.revokedAt),
  };
}

export const tokenRoutes = [
  defineRoute({
    id: 'tokens.list',
    method: 'get',
    path: '/tokens',
    summary: "List the caller's API tokens (all=true: everybody's, admins only)",
    tag: 'tokens',
    permission: 'tokens:read',
    input: z.object({ all: z.enum(['true', 'false']).optional() }).strict(),
    output: z.object({ tokens: z.array(tokenSchema) }),
    run: async ({ deps, actor }, input) => ({
      tokens: (await listTokens(accessDeps(deps), actor, { all: input.all === 'true' })).map(tokenBody),
    }),
  }),
  defineRoute({
    id: 'tokens.create',
    method: 'post',
    path: '/tokens',
    summary: 'Create an API token; the token is in this response only',
    tag: 'tokens',
    permission: 'tokens:write',
    status: 201,
    input: z
      .object({
        name: z.string().max(100),
        scopes: z.array(permissionSchema).min(1),
        expiresInDays: z.number().int().min(1).max(365).optional(),
        userId: z
          .string()
          .max(320)
          .optional()
          .describe('for whom; only the CLI on the server names another user'),
      })
      .strict(),
    output: z.object({ token: z.string(), record: tokenSchema }),
    run: async ({ deps, actor }, input) => {
      const created = await createToken(accessDeps(deps), actor, input as Parameters<typeof createToken>[2]);
      return { token: created.token, record: tokenBody(created.record) };
    },
  }),
  defineRoute({
    id: 'tokens.revoke',
    method: 'delete',
    path: '/tokens/{id}',
    summary: 'Revoke an API token (own, or any for admins)',
    tag: 'tokens',
    permission: 'tokens:write',
    input: z.object({ id: idSchema }).strict(),
    output: z.object({ token: tokenSchema }),
    run: async ({ deps, actor }, input) => ({
      token: tokenBody(await revokeToken(accessDeps(deps), actor, { tokenId: input.id })),
    }),
  }),
];
