import { RoostError } from '../core/errors.ts';
import { banMessage } from './bans.ts';
import type { AccessDeps } from './deps.ts';
import { activeBan, recordLoginFailure } from './throttle.ts';
import type { Ban } from './throttle-types.ts';

export interface Attempt {
  ip: string | null;
  /** The account named in the attempt (lower-cased email). */
  account: string;
  /** Audit action: `session.login`, `second-factor.verify`. */
  action: string;
  /** `usr_…` when the account exists. */
  target: string | null;
}

function rateLimited(ban: Ban): RoostError {
  return new RoostError('rate_limited', banMessage(ban), { until: ban.expiresAt.toISOString() });
}

/** Refuses (and audits) an attempt while its IP or account is banned, whatever the credentials. */
export async function refuseIfBanned(deps: AccessDeps, attempt: Attempt): Promise<void> {
  const ban = await activeBan(deps, { ip: attempt.ip, account: attempt.account });
  if (!ban) return;
  await deps.audit.append({
    actor: { id: 'anonymous', label: attempt.account, ip: attempt.ip },
    action: attempt.action,
    target: attempt.target ?? attempt.account,
    result: 'denied',
    details: { reason: 'banned', banId: ban.id },
  });
  throw rateLimited(ban);
}

/**
 * Counts a failed attempt toward bans, audits it, and throws: `rate_limited` when this failure created
 * a ban, else `unauthenticated` with `message` (the same whatever went wrong, so nobody learns which).
 */
export async function failAttempt(
  deps: AccessDeps,
  attempt: Attempt,
  reason: string,
  message: string,
): Promise<never> {
  const ban = await recordLoginFailure(deps, { ip: attempt.ip, account: attempt.account, reason });
  await deps.audit.append({
    actor: { id: 'anonymous', label: attempt.account, ip: attempt.ip },
    action: attempt.action,
    target: attempt.target ?? attempt.account,
    result: 'failed',
    details: ban ? { reason, banId: ban.id } : { reason },
  });
  deps.logger?.info(
    { action: attempt.action, reason, ip: attempt.ip, banned: ban !== undefined },
    'failed login attempt',
  );
  // This attempt was checked and failed like any other; the ban it caused refuses the next ones (429).
  throw new RoostError('unauthenticated', message);
}
