import { RoostError } from '../core/errors.ts';
import { type Actor, authorize } from './actor.ts';
import { type ThrottleDeps, toBan } from './throttle.ts';
import type { Ban } from './throttle-types.ts';

const defaultLimit = 100;
const maxLimit = 1_000;

/** Newest first; `active: true` only bans in force now, `active: false` only lifted or expired ones. */
export async function listBans(
  deps: Pick<ThrottleDeps, 'store' | 'clock'>,
  actor: Actor,
  filter: { active?: boolean; limit?: number } = {},
): Promise<Ban[]> {
  authorize(actor, 'bans:read');
  const { limit = defaultLimit, active } = filter;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RoostError('invalid_input', 'a ban listing limit is a whole number of at least 1');
  }
  const now = deps.clock.now().getTime();
  let query = deps.store.db.selectFrom('bans').selectAll();
  if (active === true) query = query.where('lifted_at', 'is', null).where('expires_at', '>', now);
  if (active === false) {
    query = query.where((eb) => eb.or([eb('lifted_at', 'is not', null), eb('expires_at', '<=', now)]));
  }
  const rows = await query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(Math.min(limit, maxLimit))
    .execute();
  return rows.map(toBan);
}

/** Ends a ban in force now; its failures no longer count, and the lift is audited with it. */
export async function liftBan(deps: ThrottleDeps, actor: Actor, id: string): Promise<Ban> {
  authorize(actor, 'bans:write');
  const now = deps.clock.now().getTime();
  return deps.store.db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('bans').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new RoostError('not_found', `no ban ${id}`, { id });
    const ban = toBan(row);
    if (ban.liftedAt) {
      throw new RoostError('conflict', `ban ${id} was already lifted at ${isoSeconds(ban.liftedAt)}`, { id });
    }
    if (ban.expiresAt.getTime() <= now) {
      throw new RoostError('conflict', `ban ${id} already expired at ${isoSeconds(ban.expiresAt)}`, { id });
    }
    // Conditional, so of two people lifting at once one gets the conflict.
    const updated = await trx
      .updateTable('bans')
      .set({ lifted_at: now, lifted_by: actor.id })
      .where('id', '=', id)
      .where('lifted_at', 'is', null)
      .executeTakeFirst();
    if (updated.numUpdatedRows !== 1n)
      throw new RoostError('conflict', `ban ${id} was already lifted`, { id });
    await deps.audit.append(
      {
        actor,
        action: 'ban.lift',
        target: ban.subject,
        result: 'ok',
        details: { banId: id, subjectKind: ban.subjectKind, expiresAt: ban.expiresAt.toISOString() },
      },
      { db: trx },
    );
    deps.logger?.info(
      { banId: id, subjectKind: ban.subjectKind, subject: ban.subject, by: actor.id },
      'login ban lifted',
    );
    return { ...ban, liftedAt: new Date(now), liftedBy: actor.id };
  });
}

/** What a refused login is told: who is refused and until when (UTC, rounded up to the second). */
export function banMessage(ban: Ban): string {
  const who = ban.subjectKind === 'ip' ? `from ${ban.subject}` : `for ${ban.subject}`;
  const until = new Date(Math.ceil(ban.expiresAt.getTime() / 1_000) * 1_000);
  return `too many failed logins ${who}: refused until ${isoSeconds(until)}`;
}

function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
