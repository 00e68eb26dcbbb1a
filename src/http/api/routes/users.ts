import { z } from 'zod';
import {
  confirmSecondFactor,
  createUser,
  disableUser,
  enableUser,
  freshSecondFactorMs,
  listUsers,
  resetSecondFactor,
  revokeAllSessions,
} from '../../../auth/index.ts';
import type { Permission } from '../../../auth/permissions.ts';
import type { User } from '../../../auth/user-record.ts';
import { defineRoute } from '../route.ts';
import { accessDeps } from './access.ts';
import { idSchema, iso, permissionSchema, roleSchema, timestamp } from './schemas.ts';

/** Where a session's API client confirms a code again (step-up); named in stale-second-factor refusals. */
export const stepUpPath = '/sessions/second-factor';

export const userSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: roleSchema,
  secondFactor: z.boolean(),
  disabledAt: timestamp.nullable(),
  createdAt: timestamp,
});

export function userBody(user: User) {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    secondFactor: user.totpEnabledAt !== null,
    disabledAt: iso(user.disabledAt),
    createdAt: iso(user.createdAt) as string,
  };
}

/**
 * An actor's permission set never changes after it is built, and a token's actor (with its set) is kept
 * between requests: its sorted list is made once per set, not on every `GET /me`.
 */
const sortedLists = new WeakMap<ReadonlySet<Permission>, readonly Permission[]>();

/** A copy of the kept list (not a frozen one: JSON.stringify is about three times slower on those). */
function sortedPermissions(permissions: ReadonlySet<Permission>): Permission[] {
  let sorted = sortedLists.get(permissions);
  if (!sorted) {
    sorted = [...permissions].sort();
    sortedLists.set(permissions, sorted);
  }
  return sorted.slice();
}

export const userRoutes = [
  defineRoute({
    id: 'me.get',
    method: 'get',
    path: '/me',
    summary: 'Who the caller is and what they may do',
    tag: 'users',
    permission: 'authenticated',
    input: z.object({}).strict(),
    output: z.object({
      id: z.string(),
      label: z.string(),
      kind: z.enum(['user', 'token', 'local', 'anonymous']),
      role: roleSchema.nullable(),
      permissions: z.array(permissionSchema),
    }),
    run: async ({ actor }) => ({
      id: actor.id,
      label: actor.label,
      kind: actor.kind,
      role: actor.role,
      permissions: sortedPermissions(actor.permissions),
    }),
  }),
  defineRoute({
    id: 'users.list',
    method: 'get',
    path: '/users',
    summary: 'List users',
    tag: 'users',
    permission: 'users:read',
    input: z.object({}).strict(),
    output: z.object({ users: z.array(userSchema) }),
    run: async ({ deps, actor }) => ({ users: (await listUsers(accessDeps(deps), actor)).map(userBody) }),
  }),
  defineRoute({
    id: 'users.create',
    method: 'post',
    path: '/users',
    summary:
      'Create a user (password: 12+ characters, not a common one); admins and operators enrol a second factor at first login',
    tag: 'users',
    permission: 'users:write',
    status: 201,
    input: z
      .object({
        email: z.string().max(320),
        name: z.string().max(200),
        role: roleSchema,
        password: z.string().max(1_000),
      })
      .strict(),
    output: z.object({ user: userSchema }),
    run: async ({ deps, actor }, input) => ({
      user: userBody(await createUser(accessDeps(deps), actor, input)),
    }),
  }),
  defineRoute({
    id: 'users.disable',
    method: 'post',
    path: '/users/{id}/disable',
    summary: 'Disable a user: their sessions and API tokens end at once',
    tag: 'users',
    permission: 'users:write',
    input: z.object({ id: idSchema }).strict(),
    output: z.object({ user: userSchema }),
    run: async ({ deps, actor }, input) => ({
      user: userBody(await disableUser(accessDeps(deps), actor, { userId: input.id })),
    }),
  }),
  defineRoute({
    id: 'users.enable',
    method: 'post',
    path: '/users/{id}/enable',
    summary: 'Enable a disabled user again',
    tag: 'users',
    permission: 'users:write',
    input: z.object({ id: idSchema }).strict(),
    output: z.object({ user: userSchema }),
    run: async ({ deps, actor }, input) => ({
      user: userBody(await enableUser(accessDeps(deps), actor, { userId: input.id })),
    }),
  }),
  defineRoute({
    id: 'users.resetSecondFactor',
    method: 'post',
    path: '/users/{id}/reset-second-factor',
    summary:
      "Forget a user's second factor (a lost phone): their sessions end and they enrol again at next login",
    tag: 'users',
    permission: 'users:write',
    input: z.object({ id: idSchema }).strict(),
    output: z.object({ ok: z.literal(true) }),
    run: async ({ deps, actor }, input) => {
      await resetSecondFactor(accessDeps(deps), actor, { userId: input.id });
      return { ok: true as const };
    },
  }),
  defineRoute({
    id: 'sessions.revokeAll',
    method: 'post',
    path: '/sessions/revoke-all',
    summary: 'Log out everywhere: end every session of the caller',
    tag: 'users',
    permission: 'authenticated',
    input: z.object({}).strict(),
    output: z.object({ revoked: z.number().int() }),
    run: async ({ deps, actor }) => ({ revoked: await revokeAllSessions(accessDeps(deps), actor, actor.id) }),
  }),
  defineRoute({
    id: 'sessions.secondFactor',
    method: 'post',
    path: stepUpPath,
    summary:
      "Step-up: confirm a current code (TOTP, or a recovery code) in the caller's session, so that what needs a second factor from the last 5 minutes (production restores and migrations, key export, secret reveal) is allowed until `freshUntil`. Checked, throttled and audited as at log-in; sessions only (an API token never carries a second factor)",
    tag: 'users',
    permission: 'authenticated',
    input: z.object({ code: z.string().max(40) }).strict(),
    output: z.object({
      secondFactorAt: timestamp,
      freshUntil: timestamp,
      method: z.enum(['totp', 'recovery-code']),
      remainingRecoveryCodes: z.number().int().optional(),
    }),
    run: async ({ deps, actor }, input) => {
      const { actor: refreshed, proof } = await confirmSecondFactor(accessDeps(deps), actor, input);
      const at = refreshed.secondFactorAt ?? 0;
      return {
        secondFactorAt: iso(at) as string,
        freshUntil: iso(at + freshSecondFactorMs) as string,
        ...proof,
      };
    },
  }),
];
