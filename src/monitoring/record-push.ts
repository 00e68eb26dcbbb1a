import { z } from 'zod';
import { parseInput } from '../auth/input.ts';
import { RoostError } from '../core/errors.ts';
import { hashPushToken } from './create-monitor.ts';
import type { MonitoringDeps } from './deps.ts';

/**
 * A heartbeat push (`curl https://roost…/heartbeat/<token>` at the end of a cron job or backup): the
 * token is the credential, so nobody else needs an account. Not audited: it is a measurement, not an act.
 */
export async function recordPush(
  deps: MonitoringDeps,
  input: { token: string },
): Promise<{ monitorId: string }> {
  const { token } = parseInput(z.object({ token: z.string().min(10).max(200) }), input);
  const now = deps.clock.now().getTime();
  const row = await deps.store.db
    .updateTable('monitors')
    .set({ last_pushed_at: now })
    .where('push_token_hash', '=', hashPushToken(token))
    .where('kind', '=', 'heartbeat')
    .returning('id')
    .executeTakeFirst();
  if (!row) throw new RoostError('not_found', 'no heartbeat monitor has this token');
  return { monitorId: row.id };
}
