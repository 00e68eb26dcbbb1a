import type { Clock } from '../core/clock.ts';
import { RoostError } from '../core/errors.ts';
import { allPermissions, type Permission, type Role } from './permissions.ts';

/** Who is asking: every operation receives one, and every audit event names one. */
export interface Actor {
  kind: 'user' | 'token' | 'local' | 'anonymous';
  /** `usr_…` for users and their tokens, `local` for the CLI on the server, `anonymous` otherwise. */
  id: string;
  /** What people read in the audit trail: an email, `local`, `anonymous`. */
  label: string;
  role: Role | null;
  permissions: ReadonlySet<Permission>;
  /** When the actor last proved a second factor (epoch ms), or null. */
  secondFactorAt: number | null;
  ip: string | null;
  sessionId?: string;
  tokenId?: string;
}

/** The CLI run on the server itself: whoever holds the database and the master key holds everything. */
export function localActor(clock: Clock): Actor {
  return {
    kind: 'local',
    id: 'local',
    label: 'local',
    role: 'admin',
    permissions: new Set(allPermissions),
    secondFactorAt: clock.now().getTime(),
    ip: null,
  };
}

export function anonymousActor(ip: string | null): Actor {
  return {
    kind: 'anonymous',
    id: 'anonymous',
    label: 'anonymous',
    role: null,
    permissions: new Set(),
    secondFactorAt: null,
    ip,
  };
}

export function can(actor: Actor, permission: Permission): boolean {
  return actor.permissions.has(permission);
}

/** Throws `unauthenticated` for nobody, `forbidden` for somebody without the permission. */
export function authorize(actor: Actor, permission: Permission): void {
  if (actor.kind === 'anonymous') throw new RoostError('unauthenticated', 'log in or send an API token');
  if (!can(actor, permission)) {
    throw new RoostError('forbidden', `${actor.label} may not do this (needs ${permission})`, { permission });
  }
}

export const freshSecondFactorMs = 5 * 60 * 1000;

/** Whether the actor proved a second factor in the last `maxAgeMs` (5 minutes). */
export function hasFreshSecondFactor(actor: Actor, clock: Clock, maxAgeMs = freshSecondFactorMs): boolean {
  const at = actor.secondFactorAt;
  return at !== null && clock.now().getTime() - at <= maxAgeMs;
}

/**
 * Revealing a secret or exporting a private key needs a second factor proved in the last 5 minutes. A person
 * refreshes it by entering a current code in their session (step-up); an API token never carries one.
 */
export function requireFreshSecondFactor(actor: Actor, clock: Clock, maxAgeMs = freshSecondFactorMs): void {
  if (hasFreshSecondFactor(actor, clock, maxAgeMs)) return;
  const message =
    actor.kind === 'token'
      ? 'this needs a second factor entered in the last 5 minutes, which an API token never carries: do it in a session logged in with your code, or with roost on the server itself'
      : 'this needs a second factor entered in the last 5 minutes: confirm a current code from your app, then try again';
  throw new RoostError('forbidden', message, {
    reason: 'second_factor_required',
    maxAgeSeconds: maxAgeMs / 1000,
  });
}
