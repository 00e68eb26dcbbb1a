import { z } from 'zod';
import { type Actor, authorize } from '../../auth/actor.ts';
import { parseInput } from '../../auth/input.ts';
import { RoostError } from '../../core/errors.ts';
import type { MonitoringDeps } from '../deps.ts';
import { verifyAlertLinkToken } from './links.ts';
import { type Alert, type AlertListener, toAlert } from './records.ts';

const actInput = z.object({ id: z.string().max(100), action: z.enum(['acknowledge', 'resolve']) });

export interface ActDeps extends MonitoringDeps {
  /** Who hears about transitions (incident timelines): the same listeners as the engine's. */
  alertListeners?: readonly AlertListener[] | undefined;
}

async function act(
  deps: ActDeps,
  who: Actor | { id: string; label: string },
  id: string,
  action: 'acknowledge' | 'resolve',
): Promise<Alert> {
  const now = deps.clock.now().getTime();
  const alert = await deps.store.db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new RoostError('not_found', `no alert ${id}`, { id });
    if (row.state === 'resolved') return toAlert(row); // a second click on an old link is harmless
    const changes =
      action === 'acknowledge'
        ? row.acknowledged_at === null
          ? { acknowledged_at: now, acknowledged_by: who.label }
          : {}
        : { state: 'resolved' as const, resolved_at: now };
    if (Object.keys(changes).length === 0) return toAlert(row);
    const updated = await trx
      .updateTable('alerts')
      .set({ ...changes, updated_at: now })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await deps.audit.append(
      {
        actor: who,
        action: action === 'acknowledge' ? 'alert.acknowledge' : 'alert.resolve',
        target: id,
        result: 'ok',
        details: { by: who.label },
      },
      { db: trx },
    );
    return toAlert(updated);
  });
  for (const listener of deps.alertListeners ?? []) {
    try {
      await listener.alertChanged({
        kind: action === 'acknowledge' ? 'acknowledged' : 'resolved',
        alert,
        at: new Date(now),
      });
    } catch (error) {
      deps.logger?.warn({ err: (error as Error).message, listener: listener.name }, 'alert listener failed');
    }
  }
  return alert;
}

/** Acknowledge (stops escalation) or resolve an alert, from the UI, the API or the CLI (`monitoring:write`). */
export async function actOnAlert(
  deps: ActDeps,
  actor: Actor,
  input: z.input<typeof actInput>,
): Promise<Alert> {
  authorize(actor, 'monitoring:write');
  const { id, action } = parseInput(actInput, input);
  return act(deps, actor, id, action);
}

const linkInput = z.object({
  token: z.string().min(10).max(300),
  action: z.enum(['acknowledge', 'resolve']),
});

/** The same from a link in a notification: the token proves who received it; the audit says "link". */
export async function actOnAlertLink(
  deps: ActDeps & { linkKey: Buffer },
  input: z.input<typeof linkInput>,
): Promise<Alert> {
  const { token, action } = parseInput(linkInput, input);
  const id = verifyAlertLinkToken(deps.linkKey, token);
  if (!id) throw new RoostError('not_found', 'this link is not valid');
  return act(deps, { id: 'link', label: 'notification link' }, id, action);
}
