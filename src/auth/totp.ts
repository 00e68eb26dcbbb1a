import { generateSecret as generateTotpSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';
import { z } from 'zod';
import { isRoostError, RoostError } from '../core/errors.ts';
import type { Vault } from '../vault/index.ts';
import { type Actor, authorize, requireFreshSecondFactor } from './actor.ts';
import type { AccessDeps } from './deps.ts';
import { parseInput, requireUserSession } from './input.ts';
import { generateRecoveryCodes, replaceRecoveryCodes } from './recovery-codes.ts';
import { markSecondFactor, revokeSessionsOf } from './sessions.ts';

export const totpIssuer = 'Roost';
const stepSeconds = 30;
/** Accept the previous and the next 30-second step too: phones' clocks drift. */
const toleranceSeconds = stepSeconds;

// Vault entries of a user (owner = user id): the secret, the one being enrolled, the last accepted step.
const secretName = 'totp';
const pendingName = 'totp-pending';
const lastStepName = 'totp-last-step';

export interface TotpEnrolment {
  /** Base32, for typing into an app by hand; shown once. */
  secret: string;
  otpauthUrl: string;
  /** The otpauth URL as an SVG QR code. */
  qrSvg: string;
}

/**
 * Starts (or, with a second factor from the last 5 minutes, restarts) TOTP enrolment for the person
 * logged in. The secret waits in the vault until `confirmEnrolment` proves the app has it.
 */
export async function startEnrolment(deps: AccessDeps, actor: Actor): Promise<TotpEnrolment> {
  requireUserSession(actor, 'setting up a second factor');
  const user = await deps.store.db
    .selectFrom('users')
    .select(['email', 'totp_enabled_at'])
    .where('id', '=', actor.id)
    .executeTakeFirst();
  if (!user) throw new RoostError('not_found', `no user ${actor.id}`);
  if (user.totp_enabled_at !== null) requireFreshSecondFactor(actor, deps.clock);
  const secret = generateTotpSecret();
  await deps.vault.put(actor.id, pendingName, 'totp-secret', secret);
  const otpauthUrl = generateURI({ issuer: totpIssuer, label: user.email, secret });
  const qrSvg = await QRCode.toString(otpauthUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  await deps.audit.append({ actor, action: 'second-factor.enrol-start', target: actor.id, result: 'ok' });
  return { secret, otpauthUrl, qrSvg };
}

const codeInput = z.object({ code: z.string().trim().min(1).max(40) });

/**
 * Checks a code from the app being enrolled; then TOTP is on, the current session counts as having
 * proved it, and ten recovery codes are returned, once (earlier ones stop working). The user's other
 * sessions end: they were opened with the factor as it was.
 */
export async function confirmEnrolment(
  deps: AccessDeps,
  actor: Actor,
  input: z.input<typeof codeInput>,
): Promise<{ recoveryCodes: string[]; sessionsEnded: number }> {
  requireUserSession(actor, 'setting up a second factor');
  const { code } = parseInput(codeInput, input);
  const secret = await revealOrUndefined(deps.vault, actor.id, pendingName);
  if (secret === undefined)
    throw new RoostError('conflict', 'no enrolment in progress: start setting up the second factor again');
  const step = await matchingStep(deps, secret, code, undefined);
  if (step === undefined) {
    await deps.audit.append({
      actor,
      action: 'second-factor.enrol',
      target: actor.id,
      result: 'failed',
      details: { reason: 'wrong code' },
    });
    throw new RoostError(
      'invalid_input',
      'wrong code: check that the phone shows the right time and enter the current code',
      {
        reason: 'wrong_code',
      },
    );
  }
  await deps.vault.put(actor.id, secretName, 'totp-secret', secret);
  await deps.vault.put(actor.id, lastStepName, 'totp-step', String(step));
  await deps.vault.remove(actor.id, pendingName);
  const recoveryCodes = generateRecoveryCodes();
  const now = deps.clock.now();
  const sessionsEnded = await deps.store.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('users')
      .set({ totp_enabled_at: now.getTime(), updated_at: now.getTime() })
      .where('id', '=', actor.id)
      .execute();
    await replaceRecoveryCodes(trx, actor.id, recoveryCodes, now);
    if (actor.sessionId !== undefined) await markSecondFactor(deps, actor.sessionId, trx);
    const ended = await revokeSessionsOf(trx, actor.id, now.getTime(), actor.sessionId);
    await deps.audit.append(
      {
        actor,
        action: 'second-factor.enrol',
        target: actor.id,
        result: 'ok',
        details: { recoveryCodes: recoveryCodes.length, sessionsRevoked: ended },
      },
      { db: trx },
    );
    return ended;
  });
  return { recoveryCodes, sessionsEnded };
}

/**
 * Checks a TOTP code of an enrolled user and remembers its time step: a code is accepted once, and
 * never a code older than the last one accepted.
 */
export async function verifyTotpCode(
  deps: Pick<AccessDeps, 'vault' | 'clock'>,
  userId: string,
  code: string,
): Promise<boolean> {
  const secret = await revealOrUndefined(deps.vault, userId, secretName);
  if (secret === undefined) return false;
  const last = await revealOrUndefined(deps.vault, userId, lastStepName);
  const lastStep = last === undefined ? undefined : Number(last);
  const step = await matchingStep(deps, secret, code, Number.isSafeInteger(lastStep) ? lastStep : undefined);
  if (step === undefined) return false;
  // Read-then-write: two requests racing with the same code within milliseconds could both pass.
  await deps.vault.put(userId, lastStepName, 'totp-step', String(step));
  return true;
}

/** Turns a user's second factor off (`users:write`), e.g. after a lost phone; they must enrol again. */
export async function resetSecondFactor(
  deps: AccessDeps,
  actor: Actor,
  input: { userId: string },
): Promise<void> {
  authorize(actor, 'users:write');
  const { userId } = parseInput(z.object({ userId: z.string().min(1).max(100) }), input);
  const user = await deps.store.db
    .selectFrom('users')
    .select(['id', 'email'])
    .where('id', '=', userId)
    .executeTakeFirst();
  if (!user) throw new RoostError('not_found', `no user ${userId}`, { userId });
  const now = deps.clock.now();
  await deps.store.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('users')
      .set({ totp_enabled_at: null, updated_at: now.getTime() })
      .where('id', '=', userId)
      .execute();
    await replaceRecoveryCodes(trx, userId, [], now);
    const sessionsRevoked = await revokeSessionsOf(trx, userId, now.getTime());
    await deps.audit.append(
      {
        actor,
        action: 'second-factor.reset',
        target: userId,
        result: 'ok',
        details: { email: user.email, sessionsRevoked },
      },
      { db: trx },
    );
  });
  for (const name of [secretName, pendingName, lastStepName]) await deps.vault.remove(userId, name);
}

/** The time step `code` belongs to (now ± one step, after `afterStep`), or undefined. */
async function matchingStep(
  deps: Pick<AccessDeps, 'clock'>,
  secret: string,
  code: string,
  afterStep: number | undefined,
): Promise<number | undefined> {
  const token = code.replace(/\s/g, '');
  if (!/^\d{6}$/.test(token)) return undefined;
  const epoch = Math.floor(deps.clock.now().getTime() / 1000);
  // otplib throws when every step of the window is at or before `afterStep` (a clock moved back): nothing can match.
  if (afterStep !== undefined && afterStep >= Math.floor((epoch + toleranceSeconds) / stepSeconds))
    return undefined;
  const result = await verify({
    secret,
    token,
    epoch,
    period: stepSeconds,
    epochTolerance: toleranceSeconds,
    ...(afterStep === undefined ? {} : { afterTimeStep: afterStep }),
  });
  // otplib's functional API types TOTP and HOTP results alike; a TOTP match always carries its step.
  return result.valid && 'timeStep' in result ? result.timeStep : undefined;
}

async function revealOrUndefined(vault: Vault, owner: string, name: string): Promise<string | undefined> {
  try {
    return await vault.reveal(owner, name);
  } catch (error) {
    if (isRoostError(error, 'not_found')) return undefined;
    throw error;
  }
}
