import type { Kysely } from 'kysely';
import { z } from 'zod';
import { RoostError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { Database } from '../store/index.ts';
import { type Actor, authorize } from './actor.ts';
import type { AccessDeps } from './deps.ts';
import { emailSchema, parseInput, requireCompleteLogin } from './input.ts';
import { checkPasswordPolicy } from './password-policy.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { roles } from './permissions.ts';
import { revokeSessionsOf } from './sessions.ts';
import { revokeTokensOf } from './tokens.ts';
import { isUniqueViolation, toUser, type User } from './user-record.ts';

const nameSchema = z.string().trim().min(1).max(200);

const createUserInput = z.object({
  email: emailSchema,
  name: nameSchema,
  role: z.enum(roles),
  password: z.string(),
});

/** Creates a user (`users:write`); emails are unique, compared lower-cased. */
export async function createUser(
  deps: AccessDeps,
  actor: Actor,
  input: z.input<typeof createUserInput>,
): Promise<User> {
  authorize(actor, 'users:write');
  const { email, name, role, password } = parseInput(createUserInput, input);
  checkPasswordPolicy(password, { email });
  const passwordHash = await hashPassword(password);
  const now = deps.clock.now();
  const id = newId('usr', now);
  try {
    const row = await deps.store.db.transaction().execute(async (trx) => {
      await refuseTakenEmail(trx, email);
      const created = await trx
        .insertInto('users')
        .values({
          id,
          email,
          name,
          role,
          password_hash: passwordHash,
          password_changed_at: now.getTime(),
          totp_enabled_at: null,
          disabled_at: null,
          created_at: now.getTime(),
          updated_at: now.getTime(),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await deps.audit.append(
        { actor, action: 'user.create', target: id, result: 'ok', details: { email, role } },
        { db: trx },
      );
      return created;
    });
    deps.logger?.info({ userId: id, role }, 'user created');
    return toUser(row);
  } catch (error) {
    if (isUniqueViolation(error)) throw emailTaken(email);
    throw error;
  }
}

async function refuseTakenEmail(db: Kysely<Database>, email: string): Promise<void> {
  const taken = await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
  if (taken) throw emailTaken(email);
}

function emailTaken(email: string): RoostError {
  return new RoostError('conflict', `a user with the email ${email} already exists`, { email });
}

/** Everyone with `users:read`, by email; disabled users included (they show as such). */
export async function listUsers(deps: AccessDeps, actor: Actor): Promise<User[]> {
  authorize(actor, 'users:read');
  const rows = await deps.store.db.selectFrom('users').selectAll().orderBy('email').execute();
  return rows.map(toUser);
}

/** One user: anyone may read their own record, `users:read` reads every record. */
export async function getUser(deps: AccessDeps, actor: Actor, userId: string): Promise<User> {
  if (actor.id !== userId) authorize(actor, 'users:read');
  const row = await deps.store.db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
  if (!row) throw new RoostError('not_found', `no user ${userId}`, { userId });
  return toUser(row);
}

const userIdInput = z.object({ userId: z.string().min(1).max(100) });

/**
 * Disables a user (`users:write`) and revokes their sessions and API tokens at once. The last enabled
 * admin cannot be disabled: nobody could manage users any more.
 */
export async function disableUser(
  deps: AccessDeps,
  actor: Actor,
  input: z.input<typeof userIdInput>,
): Promise<User> {
  authorize(actor, 'users:write');
  const { userId } = parseInput(userIdInput, input);
  const now = deps.clock.now().getTime();
  const { db, dialect } = deps.store;
  const row = await db.transaction().execute(async (trx) => {
    const user = await trx.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
    if (!user) throw new RoostError('not_found', `no user ${userId}`, { userId });
    if (user.disabled_at !== null) return user;
    if (user.role === 'admin') {
      // Lock every enabled admin (PostgreSQL) so two admins disabling each other cannot both succeed.
      const admins = await trx
        .selectFrom('users')
        .select('id')
        .where('role', '=', 'admin')
        .where('disabled_at', 'is', null)
        .$if(dialect === 'postgres', (query) => query.forUpdate())
        .execute();
      if (admins.filter((admin) => admin.id !== userId).length === 0) {
        throw new RoostError(
          'conflict',
          `${user.email} is the last enabled admin: make another admin first`,
          { userId },
        );
      }
    }
    const disabled = await trx
      .updateTable('users')
      .set({ disabled_at: now, updated_at: now })
      .where('id', '=', userId)
      .returningAll()
      .executeTakeFirstOrThrow();
    const sessionsRevoked = await revokeSessionsOf(trx, userId, now);
    const tokensRevoked = await revokeTokensOf(trx, userId, now);
    await deps.audit.append(
      {
        actor,
        action: 'user.disable',
        target: userId,
        result: 'ok',
        details: { email: user.email, sessionsRevoked, tokensRevoked },
      },
      { db: trx },
    );
    return disabled;
  });
  return toUser(row);
}

/** Enables a disabled user again (`users:write`); their old sessions and tokens stay revoked. */
export async function enableUser(
  deps: AccessDeps,
  actor: Actor,
  input: z.input<typeof userIdInput>,
): Promise<User> {
  authorize(actor, 'users:write');
  const { userId } = parseInput(userIdInput, input);
  const now = deps.clock.now().getTime();
  const row = await deps.store.db.transaction().execute(async (trx) => {
    const user = await trx.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
    if (!user) throw new RoostError('not_found', `no user ${userId}`, { userId });
    if (user.disabled_at === null) return user;
    const enabled = await trx
      .updateTable('users')
      .set({ disabled_at: null, updated_at: now })
      .where('id', '=', userId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await deps.audit.append(
      { actor, action: 'user.enable', target: userId, result: 'ok', details: { email: user.email } },
      { db: trx },
    );
    return enabled;
  });
  return toUser(row);
}

const setPasswordInput = z.object({
  userId: z.string().min(1).max(100),
  password: z.string(),
  /** Required when people change their own password, so a borrowed session cannot lock its owner out. */
  currentPassword: z.string().optional(),
});

/**
 * Sets a password: one's own (giving the current one) or anyone's with `users:write`. Every other
 * session of the user is revoked; API tokens stay (they have their own life cycle).
 */
export async function setPassword(
  deps: AccessDeps,
  actor: Actor,
  input: z.input<typeof setPasswordInput>,
): Promise<void> {
  const { userId, password, currentPassword } = parseInput(setPasswordInput, input);
  const own = actor.kind === 'user' && actor.id === userId;
  if (!own) authorize(actor, 'users:write');
  const user = await deps.store.db
    .selectFrom('users')
    .selectAll()
    .where('id', '=', userId)
    .executeTakeFirst();
  if (!user) throw new RoostError('not_found', `no user ${userId}`, { userId });
  if (own) {
    requireCompleteLogin(actor);
    if (currentPassword === undefined || !(await verifyPassword(currentPassword, user.password_hash))) {
      await deps.audit.append({
        actor,
        action: 'user.password',
        target: userId,
        result: 'failed',
        details: { reason: 'wrong current password' },
      });
      throw new RoostError('forbidden', 'the current password is wrong');
    }
  }
  checkPasswordPolicy(password, { email: user.email });
  const passwordHash = await hashPassword(password);
  const now = deps.clock.now().getTime();
  await deps.store.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('users')
      .set({ password_hash: passwordHash, password_changed_at: now, updated_at: now })
      .where('id', '=', userId)
      .execute();
    const sessionsRevoked = await revokeSessionsOf(trx, userId, now, own ? actor.sessionId : undefined);
    await deps.audit.append(
      { actor, action: 'user.password', target: userId, result: 'ok', details: { own, sessionsRevoked } },
      { db: trx },
    );
  });
}
