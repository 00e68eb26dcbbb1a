import type { Kysely, Selectable } from 'kysely';
import { RoostError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { Database, SessionTable } from '../store/index.ts';
import { type Actor, authorize } from './actor.ts';
import type { AccessDeps } from './deps.ts';
import { randomToken, sha256 } from './hashing.ts';
import { rolePermissions, rolesRequiringSecondFactor } from './permissions.ts';
import { toDate, toUser, type User } from './user-record.ts';

export interface Session {
  id: string;
  userId: string;
  createdAt: Date;
  lastSeenAt: Date;
  /** Absolute end of the session, whatever the activity. */
  expiresAt: Date;
  secondFactorAt: Date | null;
  ip: string | null;
  userAgent: string | null;
  revokedAt: Date | null;
}

/** What a logged-in person must do next: nothing, enter their code, or set up a second factor. */
export type LoginStep = 'done' | 'second-factor' | 'enrol';

export interface ResolvedSession {
  session: Session;
  user: User;
  actor: Actor;
  next: LoginStep;
}

/** last_seen_at is written at most this often, to spare a write per request; idle logout may come up to 30 s early. */
const touchIntervalMs = 30_000;

export interface NewSession {
  userId: string;
  ip: string | null;
  userAgent: string | null;
  secondFactorAt: number | null;
}

/** Opens a session; the token (the cookie value) is returned here only, the database keeps its SHA-256. */
export async function createSession(
  deps: Pick<AccessDeps, 'store' | 'clock' | 'settings'>,
  input: NewSession,
  db: Kysely<Database> = deps.store.db,
): Promise<{ token: string; session: Session }> {
  const token = randomToken();
  const now = deps.clock.now();
  const row = await db
    .insertInto('sessions')
    .values({
      id: newId('ses', now),
      token_hash: sha256(token),
      user_id: input.userId,
      created_at: now.getTime(),
      last_seen_at: now.getTime(),
      expires_at: now.getTime() + deps.settings.sessionLifetimeHours * 3_600_000,
      second_factor_at: input.secondFactorAt,
      ip: input.ip,
      user_agent: input.userAgent?.slice(0, 500) ?? null,
      revoked_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { token, session: toSession(row) };
}

/**
 * The session behind a cookie value, with its user and actor; undefined when unknown, revoked, past its
 * absolute lifetime, idle longer than `sessionIdleMinutes`, or when the user is disabled.
 */
export async function resolveSession(
  deps: Pick<AccessDeps, 'store' | 'clock' | 'settings'>,
  token: string,
  ip: string | null,
): Promise<ResolvedSession | undefined> {
  if (token.length === 0 || token.length > 100) return undefined;
  const { db } = deps.store;
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .selectAll('users')
    .select([
      'sessions.id as session_id',
      'sessions.created_at as session_created_at',
      'sessions.last_seen_at as session_last_seen_at',
      'sessions.expires_at as session_expires_at',
      'sessions.second_factor_at as session_second_factor_at',
      'sessions.ip as session_ip',
      'sessions.user_agent as session_user_agent',
      'sessions.revoked_at as session_revoked_at',
    ])
    .where('sessions.token_hash', '=', sha256(token))
    .executeTakeFirst();
  if (!row || row.session_revoked_at !== null || row.disabled_at !== null) return undefined;
  const now = deps.clock.now().getTime();
  const lastSeen = Number(row.session_last_seen_at);
  if (now >= Number(row.session_expires_at)) return undefined;
  if (now - lastSeen > deps.settings.sessionIdleMinutes * 60_000) return undefined;
  let lastSeenAt = lastSeen;
  if (now - lastSeen >= touchIntervalMs) {
    await db.updateTable('sessions').set({ last_seen_at: now }).where('id', '=', row.session_id).execute();
    lastSeenAt = now;
  }
  const session = toSession({
    id: row.session_id,
    token_hash: '',
    user_id: row.id,
    created_at: row.session_created_at,
    last_seen_at: lastSeenAt,
    expires_at: row.session_expires_at,
    second_factor_at: row.session_second_factor_at,
    ip: row.session_ip,
    user_agent: row.session_user_agent,
    revoked_at: null,
  });
  const user = toUser(row);
  const next = loginStep(user, session.secondFactorAt);
  return { session, user, next, actor: sessionActor(user, session, next, ip) };
}

/** `enrol` when the role needs a second factor the user has not set up; `second-factor` while an enrolled user owes one. */
export function loginStep(user: User, secondFactorAt: Date | null): LoginStep {
  if (user.totpEnabledAt === null) return rolesRequiringSecondFactor.includes(user.role) ? 'enrol' : 'done';
  return secondFactorAt === null ? 'second-factor' : 'done';
}

/** Until the login is complete the actor holds no permission: the edge sends it to the code or enrolment page. */
function sessionActor(user: User, session: Session, next: LoginStep, ip: string | null): Actor {
  return {
    kind: 'user',
    id: user.id,
    label: user.email,
    role: user.role,
    permissions: new Set(next === 'done' ? rolePermissions[user.role] : []),
    secondFactorAt: session.secondFactorAt?.getTime() ?? null,
    ip,
    sessionId: session.id,
  };
}

/** Records that the session proved a second factor now. */
export async function markSecondFactor(
  deps: Pick<AccessDeps, 'store' | 'clock'>,
  sessionId: string,
  db: Kysely<Database> = deps.store.db,
): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ second_factor_at: deps.clock.now().getTime() })
    .where('id', '=', sessionId)
    .execute();
}

/** Sessions of a user still usable now (own, or anyone's with `users:read`), newest first. */
export async function listSessions(deps: AccessDeps, actor: Actor, userId: string): Promise<Session[]> {
  if (!(actor.kind === 'user' && actor.id === userId)) authorize(actor, 'users:read');
  const now = deps.clock.now().getTime();
  const rows = await deps.store.db
    .selectFrom('sessions')
    .selectAll()
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .where('last_seen_at', '>=', now - deps.settings.sessionIdleMinutes * 60_000)
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map(toSession);
}

/** Ends one session: one's own, or anyone's with `users:write`. */
export async function revokeSession(deps: AccessDeps, actor: Actor, sessionId: string): Promise<void> {
  const row = await deps.store.db
    .selectFrom('sessions')
    .select(['id', 'user_id', 'revoked_at'])
    .where('id', '=', sessionId)
    .executeTakeFirst();
  const own = row !== undefined && actor.kind === 'user' && actor.id === row.user_id;
  if (!own) authorize(actor, 'users:write');
  if (!row) throw new RoostError('not_found', `no session ${sessionId}`, { sessionId });
  if (row.revoked_at !== null) return;
  const now = deps.clock.now().getTime();
  await deps.store.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('sessions')
      .set({ revoked_at: now })
      .where('id', '=', sessionId)
      .where('revoked_at', 'is', null)
      .execute();
    await deps.audit.append(
      { actor, action: 'session.revoke', target: row.user_id, result: 'ok', details: { sessionId } },
      { db: trx },
    );
  });
}

/** "Log out everywhere": ends every session of the user (own, or anyone's with `users:write`); returns how many. */
export async function revokeAllSessions(deps: AccessDeps, actor: Actor, userId: string): Promise<number> {
  if (!(actor.kind === 'user' && actor.id === userId)) authorize(actor, 'users:write');
  const now = deps.clock.now().getTime();
  return deps.store.db.transaction().execute(async (trx) => {
    const revoked = await revokeSessionsOf(trx, userId, now);
    await deps.audit.append(
      { actor, action: 'session.revoke-all', target: userId, result: 'ok', details: { revoked } },
      { db: trx },
    );
    return revoked;
  });
}

/** Revokes a user's open sessions, but `exceptSessionId`; inside the caller's transaction. */
export async function revokeSessionsOf(
  db: Kysely<Database>,
  userId: string,
  now: number,
  exceptSessionId?: string,
): Promise<number> {
  const result = await db
    .updateTable('sessions')
    .set({ revoked_at: now })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .$if(exceptSessionId !== undefined, (query) => query.where('id', '!=', exceptSessionId as string))
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** The session row of a cookie value, whatever its state; for logout and the second-factor step. */
export async function findSessionByToken(
  db: Kysely<Database>,
  token: string,
): Promise<Selectable<SessionTable> | undefined> {
  if (token.length === 0 || token.length > 100) return undefined;
  return db.selectFrom('sessions').selectAll().where('token_hash', '=', sha256(token)).executeTakeFirst();
}

export function toSession(row: Selectable<SessionTable>): Session {
  return {
    id: row.id,
    userId: row.user_id,
    createdAt: new Date(Number(row.created_at)),
    lastSeenAt: new Date(Number(row.last_seen_at)),
    expiresAt: new Date(Number(row.expires_at)),
    secondFactorAt: toDate(row.second_factor_at),
    ip: row.ip,
    userAgent: row.user_agent,
    revokedAt: toDate(row.revoked_at),
  };
}
