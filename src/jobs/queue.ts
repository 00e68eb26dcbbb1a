import type { Kysely } from 'kysely';
import type { Clock } from '../core/clock.ts';
import { RoostError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { Database } from '../store/index.ts';
import { toJobRecord, toJson } from './record.ts';
import type { EnqueueInput, JobRecord, JobState } from './types.ts';

export interface QueueContext {
  db: Kysely<Database>;
  clock: Clock;
  defaultMaxAttempts: number;
}

/** Every job state, in lifecycle order. */
export const jobStates: readonly JobState[] = ['queued', 'running', 'succeeded', 'dead'];

/** Inserts a job; with a key, a second enqueue of the same key returns the first job unchanged. */
export async function enqueueJob(
  context: QueueContext,
  input: EnqueueInput,
  db: Kysely<Database> = context.db,
): Promise<{ id: string; created: boolean }> {
  validate(input);
  const now = context.clock.now().getTime();
  const row = {
    id: newId('job', new Date(now)),
    queue: input.queue,
    key: input.key ?? null,
    payload: serialize(input.payload),
    state: 'queued' as const,
    max_attempts: input.maxAttempts ?? context.defaultMaxAttempts,
    run_at: input.runAt?.getTime() ?? now,
    created_at: now,
    updated_at: now,
  };
  if (input.key === undefined) {
    await db.insertInto('jobs').values(row).execute();
    return { id: row.id, created: true };
  }
  const inserted = await db
    .insertInto('jobs')
    .values(row)
    .onConflict((conflict) => conflict.column('key').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return { id: inserted.id, created: true };
  const existing = await db.selectFrom('jobs').select('id').where('key', '=', input.key).executeTakeFirst();
  if (!existing) throw new RoostError('unavailable', `job key ${input.key} conflicted but was not found`);
  return { id: existing.id, created: false };
}

export async function getJob(context: QueueContext, id: string): Promise<JobRecord | undefined> {
  const row = await context.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toJobRecord(row);
}

/** Newest first; at most `limit` (default 100, at most 1,000). */
export async function listJobs(
  context: QueueContext,
  filter: { state?: JobState; queue?: string; limit?: number } = {},
): Promise<JobRecord[]> {
  if (filter.state !== undefined && !jobStates.includes(filter.state))
    throw new RoostError(
      'invalid_input',
      `unknown job state ${filter.state}; expected ${jobStates.join(', ')}`,
    );
  const limit = Math.min(Math.max(Math.trunc(filter.limit ?? 100), 1), 1_000);
  const rows = await context.db
    .selectFrom('jobs')
    .selectAll()
    .$if(filter.state !== undefined, (query) => query.where('state', '=', filter.state as JobState))
    .$if(filter.queue !== undefined, (query) => query.where('queue', '=', filter.queue as string))
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toJobRecord);
}

/**
 * dead → queued, due now, with a fresh budget of attempts; the last error stays until the next one. Should
 * it die again, its dead handler runs again.
 */
export async function retryJob(context: QueueContext, id: string): Promise<void> {
  const now = context.clock.now().getTime();
  const result = await context.db
    .updateTable('jobs')
    .set({
      state: 'queued',
      attempts: 0,
      run_at: now,
      finished_at: null,
      dead_handled_at: null,
      updated_at: now,
    })
    .where('id', '=', id)
    .where('state', '=', 'dead')
    .executeTakeFirst();
  if (result.numUpdatedRows === 1n) return;
  const job = await context.db.selectFrom('jobs').select('state').where('id', '=', id).executeTakeFirst();
  if (!job) throw new RoostError('not_found', `no job ${id}`);
  throw new RoostError('conflict', `job ${id} is ${job.state}; only a dead job can be retried`);
}

export async function jobDepth(
  context: QueueContext,
): Promise<{ queue: string; state: JobState; count: number }[]> {
  const rows = await context.db
    .selectFrom('jobs')
    .select(['queue', 'state', (eb) => eb.fn.countAll<number>().as('count')])
    .where('state', 'in', ['queued', 'running', 'dead'])
    .groupBy(['queue', 'state'])
    .orderBy('queue')
    .orderBy('state')
    .execute();
  return rows.map((row) => ({ queue: row.queue, state: row.state, count: Number(row.count) }));
}

export function validateQueueName(queue: string): void {
  if (typeof queue !== 'string' || !/^[a-z0-9][a-z0-9._:-]{0,99}$/i.test(queue))
    throw new RoostError('invalid_input', `invalid queue name ${JSON.stringify(queue)}`);
}

function validate(input: EnqueueInput): void {
  validateQueueName(input.queue);
  if (
    input.key !== undefined &&
    (typeof input.key !== 'string' || input.key.length === 0 || input.key.length > 500)
  )
    throw new RoostError('invalid_input', 'invalid job key: expected 1 to 500 characters');
  if (input.maxAttempts !== undefined && !(Number.isInteger(input.maxAttempts) && input.maxAttempts >= 1))
    throw new RoostError(
      'invalid_input',
      `invalid maxAttempts ${input.maxAttempts}: expected an integer ≥ 1`,
    );
  if (input.runAt !== undefined && Number.isNaN(input.runAt.getTime()))
    throw new RoostError('invalid_input', 'invalid runAt: not a valid date');
}

function serialize(payload: unknown): string {
  try {
    return toJson(payload);
  } catch (error) {
    throw new RoostError('invalid_input', `job payload is not JSON: ${(error as Error).message}`);
  }
}
