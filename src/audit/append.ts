import { type Kysely, sql } from 'kysely';
import type { Clock } from '../core/clock.ts';
import { RoostError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { Logger } from '../observability/index.ts';
import type { Database, Dialect } from '../store/index.ts';
import { canonicalJson, toJsonValue } from './canonical-json.ts';
import { type ChainedFields, chainHash, genesisHash } from './chain.ts';
import type { AuditEvent, AuditEventInput, AuditResult } from './types.ts';

export interface AppendContext {
  db: Kysely<Database>;
  dialect: Dialect;
  clock: Clock;
  chainKey: Buffer;
  logger?: Logger | undefined;
}

// Every process appending takes this lock, so sequence numbers and links are handed out one at a time.
const appendLockKey = 7_070_002;
const results: readonly AuditResult[] = ['ok', 'denied', 'failed'];
const maxDetailsBytes = 64 * 1024;

/** Appends inside `db` when it is a transaction (committing or rolling back with it), else in its own. */
export async function appendEvent(
  context: AppendContext,
  input: AuditEventInput,
  db: Kysely<Database> = context.db,
): Promise<AuditEvent> {
  const event = validate(input);
  if (db.isTransaction) return appendInTransaction(context, event, db);
  return db.transaction().execute((transaction) => appendInTransaction(context, event, transaction));
}

type ValidEvent = Omit<ChainedFields, 'seq' | 'id' | 'at' | 'result'> & { result: AuditResult };

async function appendInTransaction(
  context: AppendContext,
  event: ValidEvent,
  transaction: Kysely<Database>,
): Promise<AuditEvent> {
  if (context.dialect === 'postgres') {
    await sql`SELECT pg_advisory_xact_lock(${appendLockKey})`.execute(transaction);
  } else {
    // A write first, so SQLite takes its write lock (waiting for other processes) before we read the head.
    await sql`UPDATE audit_head SET seq = seq WHERE id = 1`.execute(transaction);
  }
  const head = await transaction
    .selectFrom('audit_head')
    .select(['seq', 'hash'])
    .where('id', '=', 1)
    .executeTakeFirst();
  const tail = await transaction
    .selectFrom('audit_events')
    .select(['seq', 'hash'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  // The head wins when the newest rows were deleted, so the gap stays visible to verify().
  const last = head && (!tail || Number(head.seq) >= Number(tail.seq)) ? head : tail;
  if (
    Number(head?.seq ?? 0) !== Number(tail?.seq ?? 0) ||
    (head?.hash ?? genesisHash) !== (tail?.hash ?? genesisHash)
  ) {
    context.logger?.warn(
      { headSeq: head?.seq ?? null, lastEventSeq: tail?.seq ?? null },
      'the audit head and the last audit event disagree; run an audit verification',
    );
  }
  const now = context.clock.now();
  const fields = { seq: Number(last?.seq ?? 0) + 1, id: newId('aud', now), at: now.getTime(), ...event };
  const prevHash = last?.hash ?? genesisHash;
  const hash = chainHash(context.chainKey, prevHash, fields);
  await transaction
    .insertInto('audit_events')
    .values({ ...fields, details: canonicalJson(fields.details), prev_hash: prevHash, hash })
    .execute();
  await transaction
    .insertInto('audit_head')
    .values({ id: 1, seq: fields.seq, hash })
    .onConflict((conflict) => conflict.column('id').doUpdateSet({ seq: fields.seq, hash }))
    .execute();
  context.logger?.debug(
    { auditId: fields.id, seq: fields.seq, action: fields.action },
    'audit event appended',
  );
  return {
    seq: fields.seq,
    id: fields.id,
    at: now,
    actorId: fields.actor_id,
    actorLabel: fields.actor_label,
    action: fields.action,
    target: fields.target,
    ip: fields.ip,
    result: fields.result,
    details: fields.details,
    hash,
  };
}

function validate(input: AuditEventInput): ValidEvent {
  const { actor } = input;
  text('actor id', actor?.id, 200);
  text('actor label', actor?.label, 320);
  text('action', input.action, 200);
  if (!results.includes(input.result)) {
    throw new RoostError('invalid_input', `an audit result is one of ${results.join(', ')}`);
  }
  const target = input.target ?? null;
  if (target !== null) text('target', target, 1_000);
  const ip = input.ip !== undefined ? input.ip : (actor.ip ?? null);
  if (ip !== null) text('ip', ip, 100);
  const details = input.details ?? {};
  if (typeof details !== 'object' || details === null || Array.isArray(details)) {
    throw new RoostError('invalid_input', 'audit details must be an object');
  }
  const stored = toJsonValue(details);
  if (Buffer.byteLength(canonicalJson(stored)) > maxDetailsBytes) {
    throw new RoostError(
      'invalid_input',
      `audit details must stay under ${maxDetailsBytes / 1024} KiB of JSON`,
    );
  }
  return {
    actor_id: actor.id,
    actor_label: actor.label,
    action: input.action,
    target,
    ip,
    result: input.result,
    details: stored,
  };
}

function text(field: string, value: unknown, max: number): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > max || /\p{Cc}/u.test(value)) {
    throw new RoostError(
      'invalid_input',
      `an audit event's ${field} must be 1 to ${max} printable characters`,
    );
  }
}
