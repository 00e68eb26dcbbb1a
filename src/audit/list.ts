import { setImmediate } from 'node:timers/promises';
import type { Kysely, SelectQueryBuilder } from 'kysely';
import { RoostError } from '../core/errors.ts';
import type { Database } from '../store/index.ts';
import { type AuditRow, toAuditEvent, toExportLine } from './row.ts';
import type { AuditEvent, AuditFilter } from './types.ts';

const defaultLimit = 100;
const maxLimit = 1_000;
const exportPageSize = 500;

/** Newest first; `limit` defaults to 100 and is capped at 1,000 (page on with `beforeSeq`). */
export async function listEvents(db: Kysely<Database>, filter: AuditFilter = {}): Promise<AuditEvent[]> {
  const limit = Math.min(checkLimit(filter.limit) ?? defaultLimit, maxLimit);
  const rows = await applyFilter(db.selectFrom('audit_events').selectAll(), filter)
    .orderBy('seq', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toAuditEvent);
}

/** Oldest first, one JSON object per line (each ending in `\n`), read a page at a time. */
export async function* exportEvents(db: Kysely<Database>, filter: AuditFilter = {}): AsyncIterable<string> {
  let remaining = checkLimit(filter.limit) ?? Number.POSITIVE_INFINITY;
  let afterSeq = 0;
  while (remaining > 0) {
    const rows: AuditRow[] = await applyFilter(db.selectFrom('audit_events').selectAll(), filter)
      .where('seq', '>', afterSeq)
      .orderBy('seq', 'asc')
      .limit(Math.min(exportPageSize, remaining))
      .execute();
    for (const row of rows) yield toExportLine(row);
    remaining -= rows.length;
    const last = rows.at(-1);
    if (!last || rows.length < exportPageSize) return;
    afterSeq = Number(last.seq);
    await setImmediate(); // node:sqlite answers synchronously: let other requests run between pages
  }
}

function applyFilter<O>(
  query: SelectQueryBuilder<Database, 'audit_events', O>,
  filter: AuditFilter,
): SelectQueryBuilder<Database, 'audit_events', O> {
  let out = query;
  const { actor, action, target, result, since, until, beforeSeq } = filter;
  if (actor !== undefined)
    out = out.where((eb) => eb.or([eb('actor_id', '=', actor), eb('actor_label', '=', actor)]));
  if (action !== undefined) {
    // `user.` means every action under `user`; substr rather than LIKE, whose `_` and case rules differ.
    out = action.endsWith('.')
      ? out.where((eb) =>
          eb(eb.fn<string>('substr', ['action', eb.val(1), eb.val(action.length)]), '=', action),
        )
      : out.where('action', '=', action);
  }
  if (target !== undefined) out = out.where('target', '=', target);
  if (result !== undefined) out = out.where('result', '=', result);
  if (since !== undefined) out = out.where('at', '>=', checkDate('since', since));
  if (until !== undefined) out = out.where('at', '<', checkDate('until', until));
  if (beforeSeq !== undefined) out = out.where('seq', '<', beforeSeq);
  return out;
}

function checkLimit(limit: number | undefined): number | undefined {
  if (limit === undefined) return undefined;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RoostError('invalid_input', 'an audit listing limit is a whole number of at least 1');
  }
  return limit;
}

function checkDate(field: string, date: Date): number {
  const time = date instanceof Date ? date.getTime() : Number.NaN;
  if (Number.isNaN(time))
    throw new RoostError('invalid_input', `the audit filter's ${field} is not a valid date`);
  return time;
}
