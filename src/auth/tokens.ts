import type { CompiledQuery, Kysely, Selectable } from 'kysely';
import { z } from 'zod';
import { RoostError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { ApiTokenTable, Database } from '../store/index.ts';
import { apiTokenPrefix, generateSecret } from '../vault/index.ts';
import { type Actor, authorize, can } from './actor.ts';
import type { AccessDeps } from './deps.ts';
import { sha256 } from './hashing.ts';
import { parseInput, requireCompleteLogin } from './input.ts';
import { allPermissions, isPermission, isRole, type Permission, rolePermissions } from './permissions.ts';
import { toDate } from './user-record.ts';

export interface ApiToken {
  id: string;
  userId: string;
  name: string;
  scopes: Permission[];
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export const defaultTokenDays = 90;
export const maximumTokenDays = 365;
/** last_used_at is written at most once a minute, so a busy API client does not cost a write per request. */
const lastUsedIntervalMs = 60_000;

const createTokenInput = z.object({
  name: z.string().trim().min(1).max(100),
  scopes: z
    .array(z.enum(allPermissions as [Permission, ...Permission[]]))
    .min(1)
    .max(allPermissions.length),
  expiresInDays: z.number().int().min(1).max(maximumTokenDays).optional(),
  /** For whom: only the local CLI on the server names a user; everybody else makes tokens for themselves. */
  userId: z.string().min(1).max(100).optional(),
});

/**
 * Creates an API token (`tokens:write`) for the person logged in, for the owner of the calling token, or,
 * from the local CLI on the server, for the user named by `userId` (email or id). Its scopes must be among
 * the owner's own permissions (and the calling token's). The token is returned here only; the database
 * keeps its SHA-256. It expires after `expiresInDays` (90 by default, at most 365).
 */
export async function createToken(
  deps: AccessDeps,
  actor: Actor,
  input: z.input<typeof createTokenInput>,
): Promise<{ token: string; record: ApiToken }> {
  authorize(actor, 'tokens:write');
  const { name, scopes, expiresInDays = defaultTokenDays, userId } = parseInput(createTokenInput, input);
  const owner = await tokenOwner(deps, actor, userId);
  for (const scope of scopes) {
    if (!owner.permissions.has(scope) || !can(actor, scope)) {
      throw new RoostError(
        'forbidden',
        `a token cannot have the scope ${scope}: you do not have it yourself`,
        { scope },
      );
    }
  }
  const unique = [...new Set(scopes)];
  const token = generateSecret('api-token');
  const now = deps.clock.now();
  const id = newId('tok', now);
  const expiresAt = now.getTime() + expiresInDays * 86_400_000;
  const row = await deps.store.db.transaction().execute(async (trx) => {
    const created = await trx
      .insertInto('api_tokens')
      .values({
        id,
        user_id: owner.id,
        name,
        token_hash: sha256(token),
        scopes: JSON.stringify(unique),
        created_at: now.getTime(),
        expires_at: expiresAt,
        last_used_at: null,
        revoked_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await deps.audit.append(
      {
        actor,
        action: 'token.create',
        target: id,
        result: 'ok',
        details: { name, owner: owner.id, scopes: unique, expiresAt: new Date(expiresAt).toISOString() },
      },
      { db: trx },
    );
    return created;
  });
  return { token, record: toApiToken(row) };
}

/** One's own tokens (`tokens:read`); with `all`, everybody's (needs `users:write`, i.e. an admin). Newest first. */
export async function listTokens(
  deps: AccessDeps,
  actor: Actor,
  options: { all?: boolean } = {},
): Promise<ApiToken[]> {
  authorize(actor, 'tokens:read');
  if (options.all) authorize(actor, 'users:write');
  const rows = await deps.store.db
    .selectFrom('api_tokens')
    .selectAll()
    .$if(!options.all, (query) => query.where('user_id', '=', actor.id))
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map(toApiToken);
}

/** Revokes a token: one's own (`tokens:write`), anyone's with `users:write`. Revoking twice is harmless. */
export async function revokeToken(
  deps: AccessDeps,
  actor: Actor,
  input: { tokenId: string },
): Promise<ApiToken> {
  authorize(actor, 'tokens:write');
  const { tokenId } = parseInput(z.object({ tokenId: z.string().min(1).max(100) }), input);
  const row = await deps.store.db
    .selectFrom('api_tokens')
    .selectAll()
    .where('id', '=', tokenId)
    .executeTakeFirst();
  // Somebody else's token is "not found" to those who may not manage it.
  if (!row || (row.user_id !== actor.id && !can(actor, 'users:write'))) {
    throw new RoostError('not_found', `no token ${tokenId}`, { tokenId });
  }
  if (row.revoked_at !== null) return toApiToken(row);
  const now = deps.clock.now().getTime();
  const revoked = await deps.store.db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('api_tokens')
      .set({ revoked_at: now })
      .where('id', '=', tokenId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await deps.audit.append(
      {
        actor,
        action: 'token.revoke',
        target: tokenId,
        result: 'ok',
        details: { name: row.name, owner: row.user_id },
      },
      { db: trx },
    );
    return updated;
  });
  return toApiToken(revoked);
}

/**
 * The actor behind an `Authorization: Bearer` value, or undefined when the token is unknown, expired,
 * revoked, or its user is disabled. Its permissions are the token's scopes that the user's role still
 * grants. One indexed select; last_used_at is written at most once a minute.
 */
export async function resolveToken(
  deps: Pick<AccessDeps, 'store' | 'clock'>,
  bearer: string,
  ip: string | null,
): Promise<Actor | undefined> {
  if (!bearer.startsWith(apiTokenPrefix) || bearer.length > 200) return undefined;
  const { db } = deps.store;
  const row = (await db.executeQuery(tokenLookup(db, sha256(bearer)))).rows[0];
  if (!row || row.revoked_at !== null || row.disabled_at !== null || !isRole(row.role)) return undefined;
  const now = deps.clock.now().getTime();
  if (row.expires_at !== null && now >= Number(row.expires_at)) return undefined;
  if (row.last_used_at === null || now - Number(row.last_used_at) >= lastUsedIntervalMs) {
    await db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', row.id).execute();
  }
  const granted = new Set<Permission>(rolePermissions[row.role]);
  return {
    kind: 'token',
    id: row.user_id,
    label: `${row.email} (token ${row.name})`,
    role: row.role,
    permissions: new Set(parseScopes(row.scopes).filter((scope) => granted.has(scope))),
    secondFactorAt: null,
    ip,
    tokenId: row.id,
  };
}

// Building and compiling the lookup with Kysely costs more than running it: compile once per database.
const compiledLookups = new WeakMap<Kysely<Database>, CompiledQuery<TokenLookupRow>>();

function tokenLookup(db: Kysely<Database>, tokenHash: string): CompiledQuery<TokenLookupRow> {
  let compiled = compiledLookups.get(db);
  if (!compiled) {
    compiled = db
      .selectFrom('api_tokens')
      .innerJoin('users', 'users.id', 'api_tokens.user_id')
      .select([
        'api_tokens.id',
        'api_tokens.user_id',
        'api_tokens.name',
        'api_tokens.scopes',
        'api_tokens.expires_at',
        'api_tokens.last_used_at',
        'api_tokens.revoked_at',
        'users.email',
        'users.role',
        'users.disabled_at',
      ])
      .where('api_tokens.token_hash', '=', '')
      .compile();
    compiledLookups.set(db, compiled);
  }
  return { ...compiled, parameters: [tokenHash] };
}

interface TokenLookupRow {
  id: string;
  user_id: string;
  name: string;
  scopes: string;
  expires_at: number | null;
  last_used_at: number | null;
  revoked_at: number | null;
  email: string;
  role: string;
  disabled_at: number | null;
}

/** Revokes a user's live tokens inside the caller's transaction; returns how many. */
export async function revokeTokensOf(db: Kysely<Database>, userId: string, now: number): Promise<number> {
  const result = await db
    .updateTable('api_tokens')
    .set({ revoked_at: now })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

function parseScopes(text: string): Permission[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value)
      ? value.filter((scope): scope is Permission => typeof scope === 'string' && isPermission(scope))
      : [];
  } catch {
    return [];
  }
}

export function toApiToken(row: Selectable<ApiTokenTable>): ApiToken {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    scopes: parseScopes(row.scopes),
    createdAt: new Date(Number(row.created_at)),
    expiresAt: toDate(row.expires_at),
    lastUsedAt: toDate(row.last_used_at),
    revokedAt: toDate(row.revoked_at),
  };
}

/** Whose token it will be, with the permissions of their role. */
async function tokenOwner(
  deps: AccessDeps,
  actor: Actor,
  userId: string | undefined,
): Promise<{ id: string; permissions: ReadonlySet<Permission> }> {
  if (actor.kind === 'local') {
    if (!userId)
      throw new RoostError('invalid_input', 'name the user the token is for (--user <email or id>)');
    const row = await deps.store.db
      .selectFrom('users')
      .select(['id', 'role', 'disabled_at'])
      .where((eb) => eb.or([eb('id', '=', userId), eb('email', '=', userId.trim().toLowerCase())]))
      .executeTakeFirst();
    if (!row) throw new RoostError('not_found', `no user ${userId}`);
    if (row.disabled_at !== null) throw new RoostError('conflict', `user ${userId} is disabled`);
    return { id: row.id, permissions: new Set(isRole(row.role) ? rolePermissions[row.role] : []) };
  }
  if (actor.kind !== 'user' && actor.kind !== 'token')
    throw new RoostError('unauthenticated', 'log in first');
  if (userId !== undefined && userId !== actor.id)
    throw new RoostError('forbidden', 'a token can only be made for yourself');
  requireCompleteLogin(actor);
  return { id: actor.id, permissions: actor.permissions };
}
