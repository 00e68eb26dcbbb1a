import type { AuditLog } from '../audit/types.ts';
import type { Clock } from '../core/clock.ts';
import { type Actor, authorize, requireFreshSecondFactor } from './actor.ts';

/**
 * What touches a production instance's data (restore, migration) needs an admin with a fresh second factor
 * (`keys:export`); a refusal is audited under the operation's own action.
 */
export async function requireProductionAccess(
  deps: { clock: Clock; audit: AuditLog },
  actor: Actor,
  event: { action: string; target: string; details: Record<string, unknown> },
): Promise<void> {
  try {
    authorize(actor, 'keys:export');
    requireFreshSecondFactor(actor, deps.clock);
  } catch (error) {
    await deps.audit.append({
      actor,
      action: event.action,
      target: event.target,
      result: 'denied',
      details: { ...event.details, reason: 'production needs an admin with a fresh second factor' },
    });
    throw error;
  }
}
