import { z } from 'zod';
import { RoostError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { AccessDeps } from './deps.ts';
import { randomToken, sha256 } from './hashing.ts';
import { emailSchema, parseInput } from './input.ts';
import { checkPasswordPolicy } from './password-policy.ts';
import { hashPassword } from './passwords.ts';
import { toUser, type User } from './user-record.ts';

export const bootstrapTokenHours = 24;
const bootstrapTokenPrefix = 'rbt_';
const system = { id: 'roost', label: 'roost' };

/**
 * While Roost has no user: makes a one-time token (256 bits, valid 24 h, stored hashed) and returns it
 * once, for `roost serve` to print. Returns undefined when users exist, or when a live token exists
 * (it was printed already) unless `rotate` replaces it. There is never a default password.
 */
export async function ensureBootstrapToken(
  deps: Pick<AccessDeps, 'store' | 'clock' | 'audit'>,
  options: { rotate?: boolean } = {},
): Promise<{ token: string; expiresAt: Date } | undefined> {
  const now = deps.clock.now().getTime();
  return deps.store.db.transaction().execute(async (trx) => {
    const anyUser = await trx.selectFrom('users').select('id').limit(1).executeTakeFirst();
    if (anyUser) return undefined;
    if (options.rotate) {
      await trx.deleteFrom('bootstrap_tokens').where('used_at', 'is', null).execute();
    } else {
      const live = await trx
        .selectFrom('bootstrap_tokens')
        .select('token_hash')
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      if (live) return undefined;
    }
    const token = `${bootstrapTokenPrefix}${randomToken()}`;
    const expiresAt = now + bootstrapTokenHours * 3_600_000;
    await trx
      .insertInto('bootstrap_tokens')
      .values({ token_hash: sha256(token), created_at: now, expires_at: expiresAt, used_at: null })
      .execute();
    await deps.audit.append(
      {
        actor: system,
        action: 'bootstrap.token',
        result: 'ok',
        details: { rotated: options.rotate === true, expiresAt: new Date(expiresAt).toISOString() },
      },
      { db: trx },
    );
    return { token, expiresAt: new Date(expiresAt) };
  });
}

/** True while Roost has no user at all: the first admin is still to be created. */
export async function needsBootstrap(deps: Pick<AccessDeps, 'store'>): Promise<boolean> {
  const anyUser = await deps.store.db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  return anyUser === undefined;
}

const consumeInput = z.object({
  token: z.string().min(1).max(200),
  email: emailSchema,
  name: z.string().trim().min(1).max(200),
  password: z.string(),
  ip: z.string().max(100).nullable(),
});

/** Creates the first admin with a bootstrap token, once; refused as soon as any user exists. */
export async function consumeBootstrapToken(
  deps: Pick<AccessDeps, 'store' | 'clock' | 'audit' | 'logger'>,
  input: z.input<typeof consumeInput>,
): Promise<User> {
  const { token, email, name, password, ip } = parseInput(consumeInput, input);
  checkPasswordPolicy(password, { email });
  const passwordHash = await hashPassword(password);
  const now = deps.clock.now().getTime();
  const outcome = await deps.store.db.transaction().execute(async (trx) => {
    const anyUser = await trx.selectFrom('users').select('id').limit(1).executeTakeFirst();
    if (anyUser)
      return {
        refused: new RoostError(
          'conflict',
          'Roost already has users: log in, or ask an admin for an account',
        ),
      };
    // Marking the token used only if it still is unused makes two concurrent attempts yield one admin.
    const used = await trx
      .updateTable('bootstrap_tokens')
      .set({ used_at: now })
      .where('token_hash', '=', sha256(token))
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    if (Number(used.numUpdatedRows) !== 1) {
      return { refused: new RoostError('unauthenticated', 'the bootstrap token is wrong, used or expired') };
    }
    const id = newId('usr', new Date(now));
    const row = await trx
      .insertInto('users')
      .values({
        id,
        email,
        name,
        role: 'admin',
        password_hash: passwordHash,
        password_changed_at: now,
        totp_enabled_at: null,
        disabled_at: null,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await deps.audit.append(
      {
        actor: { id, label: email, ip },
        action: 'user.create',
        target: id,
        result: 'ok',
        details: { email, role: 'admin', via: 'bootstrap' },
      },
      { db: trx },
    );
    return { row };
  });
  if ('refused' in outcome) {
    const reason = outcome.refused.code === 'conflict' ? 'users exist' : 'wrong, used or expired token';
    await deps.audit.append({
      actor: { id: 'anonymous', label: 'anonymous', ip },
      action: 'bootstrap.consume',
      result: 'failed',
      details: { email, reason },
    });
    throw outcome.refused;
  }
  deps.logger?.info({ userId: outcome.row.id }, 'first admin created with the bootstrap token');
  return toUser(outcome.row);
}
