import { z } from 'zod';
import { RoostError } from '../core/errors.ts';
import type { AccessDeps } from './deps.ts';
import { normalizeEmail, parseInput } from './input.ts';
import { failAttempt, refuseIfBanned } from './login-failures.ts';
import { dummyVerifyPassword, hashPassword, needsRehash, verifyPassword } from './passwords.ts';
import { proveInSession } from './second-factor.ts';
import {
  createSession,
  findSessionByToken,
  type LoginStep,
  loginStep,
  type ResolvedSession,
  resolveSession,
  type Session,
} from './sessions.ts';
import { toUser, type User } from './user-record.ts';

const wrongCredentials = 'wrong email or password';

const loginInput = z.object({
  email: z.string().max(320).transform(normalizeEmail),
  password: z.string().max(4_096),
  ip: z.string().max(100).nullable(),
  userAgent: z.string().nullable().optional(),
});

export interface LoginResult {
  /** The cookie value; returned here only. */
  sessionToken: string;
  session: Session;
  user: User;
  next: LoginStep;
}

/**
 * Checks an email and password and opens a session. Refused while the IP or the account is banned, even
 * with the right password. Unknown email, wrong password and disabled user get the same answer in the
 * same time. A session of a user with TOTP (or whose role needs it) has no permission until the next step.
 */
export async function login(deps: AccessDeps, input: z.input<typeof loginInput>): Promise<LoginResult> {
  const { email, password, ip, userAgent } = parseInput(loginInput, input);
  const row = await deps.store.db
    .selectFrom('users')
    .selectAll()
    .where('email', '=', email)
    .executeTakeFirst();
  const attempt = { ip, account: email, action: 'session.login', target: row?.id ?? null };
  await refuseIfBanned(deps, attempt);

  const matches = row
    ? await verifyPassword(password, row.password_hash)
    : await dummyVerifyPassword(password);
  if (!row || !matches || row.disabled_at !== null) {
    const reason = !row ? 'unknown email' : !matches ? 'wrong password' : 'disabled user';
    return failAttempt(deps, attempt, reason, wrongCredentials);
  }

  const now = deps.clock.now().getTime();
  const rehash = needsRehash(row.password_hash) ? await hashPassword(password) : undefined;
  const user = toUser(row);
  const next = loginStep(user, null);
  const { token, session } = await deps.store.db.transaction().execute(async (trx) => {
    // The stored hash is replaced only if unchanged since it was read, so a concurrent password change wins.
    if (rehash)
      await trx
        .updateTable('users')
        .set({ password_hash: rehash })
        .where('id', '=', row.id)
        .where('password_hash', '=', row.password_hash)
        .execute();
    const created = await createSession(
      deps,
      { userId: row.id, ip, userAgent: userAgent ?? null, secondFactorAt: null },
      trx,
    );
    await deps.audit.append(
      {
        actor: { id: row.id, label: row.email, ip },
        action: 'session.login',
        target: row.id,
        result: 'ok',
        details: { sessionId: created.session.id, next, ...(rehash ? { passwordRehashed: true } : {}) },
      },
      { db: trx },
    );
    return created;
  });
  deps.logger?.info(
    { userId: row.id, sessionId: session.id, next, durationMs: deps.clock.now().getTime() - now },
    'login',
  );
  return { sessionToken: token, session, user, next };
}

const secondFactorInput = z.object({
  sessionToken: z.string().min(1).max(100),
  code: z.string().trim().min(1).max(40),
  ip: z.string().max(100).nullable(),
});

/** The login's second step: a TOTP or recovery code marks the session; a wrong code counts as a failed login. */
export async function completeSecondFactor(
  deps: AccessDeps,
  input: z.input<typeof secondFactorInput>,
): Promise<ResolvedSession> {
  const { sessionToken, code, ip } = parseInput(secondFactorInput, input);
  const pending = await resolveSession(deps, sessionToken, ip);
  if (!pending) throw new RoostError('unauthenticated', 'the session has ended: log in again');
  await proveInSession(deps, { ...pending.actor, sessionId: pending.session.id }, code, 'login');
  const resolved = await resolveSession(deps, sessionToken, ip);
  if (!resolved) throw new RoostError('unauthenticated', 'the session has ended: log in again');
  return resolved;
}

/** Ends the session behind a cookie value; unknown or ended sessions are ignored. */
export async function logout(
  deps: AccessDeps,
  input: { sessionToken: string; ip: string | null },
): Promise<void> {
  const row = await findSessionByToken(deps.store.db, input.sessionToken);
  if (!row || row.revoked_at !== null) return;
  const user = await deps.store.db
    .selectFrom('users')
    .select(['id', 'email'])
    .where('id', '=', row.user_id)
    .executeTakeFirst();
  const now = deps.clock.now().getTime();
  await deps.store.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('sessions')
      .set({ revoked_at: now })
      .where('id', '=', row.id)
      .where('revoked_at', 'is', null)
      .execute();
    await deps.audit.append(
      {
        actor: { id: row.user_id, label: user?.email ?? row.user_id, ip: input.ip },
        action: 'session.logout',
        target: row.user_id,
        result: 'ok',
        details: { sessionId: row.id },
      },
      { db: trx },
    );
  });
}
