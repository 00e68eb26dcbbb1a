import { z } from 'zod';
import { RoostError } from '../core/errors.ts';
import type { Actor } from './actor.ts';
import type { AccessDeps } from './deps.ts';
import { parseInput } from './input.ts';
import { failAttempt, refuseIfBanned } from './login-failures.ts';
import { useRecoveryCode } from './recovery-codes.ts';
import { markSecondFactor } from './sessions.ts';
import { verifyTotpCode } from './totp.ts';

const verifyInput = z.object({
  userId: z.string().min(1).max(100),
  code: z.string().trim().min(1).max(40),
  ip: z.string().max(100).nullable(),
});

export interface SecondFactorProof {
  method: 'totp' | 'recovery-code';
  /** Recovery codes left after this one, when one was used. */
  remainingRecoveryCodes?: number;
}

/**
 * Accepts a TOTP code (± one 30-second step, each step once) or an unused recovery code (then used up).
 * A wrong code counts as a failed login for the account and the IP, and may ban them (`rate_limited`).
 */
export async function verifySecondFactor(
  deps: AccessDeps,
  input: z.input<typeof verifyInput>,
): Promise<SecondFactorProof> {
  const { userId, code, ip } = parseInput(verifyInput, input);
  const user = await deps.store.db
    .selectFrom('users')
    .select(['id', 'email', 'totp_enabled_at', 'disabled_at'])
    .where('id', '=', userId)
    .executeTakeFirst();
  if (!user || user.disabled_at !== null) throw new RoostError('unauthenticated', 'log in again');
  if (user.totp_enabled_at === null)
    throw new RoostError('conflict', 'no second factor is set up for this account');
  const attempt = { ip, account: user.email, action: 'second-factor.verify', target: user.id };
  await refuseIfBanned(deps, attempt);

  const actor = { id: user.id, label: user.email, ip };
  let proof: SecondFactorProof | undefined;
  if (/^\d{3}\s?\d{3}$/.test(code)) {
    if (await verifyTotpCode(deps, user.id, code)) {
      proof = { method: 'totp' };
      await deps.audit.append({
        actor,
        action: 'second-factor.verify',
        target: user.id,
        result: 'ok',
        details: { method: 'totp' },
      });
    }
  } else {
    proof = await deps.store.db.transaction().execute(async (trx) => {
      const remaining = await useRecoveryCode(trx, user.id, code, deps.clock.now());
      if (remaining === undefined) return undefined;
      const used: SecondFactorProof = { method: 'recovery-code', remainingRecoveryCodes: remaining };
      await deps.audit.append(
        { actor, action: 'second-factor.verify', target: user.id, result: 'ok', details: { ...used } },
        { db: trx },
      );
      return used;
    });
  }
  if (!proof) return failAttempt(deps, attempt, 'wrong second-factor code', 'wrong code');
  return proof;
}

/**
 * A code proved in a session, at log-in or later (step-up): checked and throttled by `verifySecondFactor`,
 * then the session's second-factor time becomes now and `session.second-factor` is audited with it.
 */
export async function proveInSession(
  deps: AccessDeps,
  actor: Actor & { sessionId: string },
  code: string,
  purpose: 'login' | 'step-up',
): Promise<SecondFactorProof> {
  const proof = await verifySecondFactor(deps, { userId: actor.id, code, ip: actor.ip });
  await deps.store.db.transaction().execute(async (trx) => {
    await markSecondFactor(deps, actor.sessionId, trx);
    await deps.audit.append(
      {
        actor,
        action: 'session.second-factor',
        target: actor.id,
        result: 'ok',
        details: {
          sessionId: actor.sessionId,
          method: proof.method,
          ...(purpose === 'step-up' ? { purpose } : {}),
        },
      },
      { db: trx },
    );
  });
  return proof;
}
