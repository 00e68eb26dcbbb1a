import { z } from 'zod';
import { RoostError } from '../core/errors.ts';
import type { Actor } from './actor.ts';
import type { AccessDeps } from './deps.ts';
import { parseInput, requireCompleteLogin, requireUserSession } from './input.ts';
import { proveInSession, type SecondFactorProof } from './second-factor.ts';

const stepUpInput = z.object({ code: z.string().trim().min(1).max(40) });

/**
 * Step-up: a person logged in enters a current code again, so that what needs a second factor from the
 * last 5 minutes (production restores and migrations, key export, secret reveal, replacing the second
 * factor) is allowed in this session. The same check, throttling and audit as the log-in's code: a wrong,
 * expired or replayed code counts as a failed login (and may ban, `rate_limited`). Returns the actor with its
 * second-factor time refreshed.
 */
export async function confirmSecondFactor(
  deps: AccessDeps,
  actor: Actor,
  input: z.input<typeof stepUpInput>,
): Promise<{ actor: Actor; proof: SecondFactorProof }> {
  requireUserSession(actor, 'confirming a second-factor code');
  requireCompleteLogin(actor);
  const { code } = parseInput(stepUpInput, input);
  const sessionId = actor.sessionId;
  if (sessionId === undefined)
    throw new RoostError('forbidden', 'confirming a second-factor code needs a session of the admin UI');
  const proof = await proveInSession(deps, { ...actor, sessionId }, code, 'step-up');
  return { actor: { ...actor, secondFactorAt: deps.clock.now().getTime() }, proof };
}
