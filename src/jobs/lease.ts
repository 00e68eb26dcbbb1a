import { sql } from 'kysely';
import type { Clock } from '../core/clock.ts';
import type { Store } from '../store/index.ts';
import { type JobRow, toJobRecord } from './record.ts';
import type { JobRecord } from './types.ts';

export interface LeaseContext {
  store: Store;
  clock: Clock;
  leaseMs: number;
}

/** Who holds a claim: `lease_owner` is unique per claim, so it fences every later write of that run. */
export interface Lease {
  jobId: string;
  owner: string;
}

/**
 * Claims up to `limit` due jobs of a queue in one statement. PostgreSQL skips rows other claimers have
 * locked (`FOR UPDATE SKIP LOCKED`); SQLite has one writer, so the same UPDATE is atomic there too.
 */
export async function claimJobs(
  context: LeaseContext,
  queue: string,
  owner: string,
  limit: number,
): Promise<JobRecord[]> {
  const { db, dialect } = context.store;
  const now = context.clock.now().getTime();
  const rows = await db
    .updateTable('jobs')
    .set((eb) => ({
      state: 'running',
      attempts: eb('attempts', '+', 1),
      lease_owner: owner,
      lease_until: now + context.leaseMs,
      started_at: now,
      updated_at: now,
    }))
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('jobs')
        .select('id')
        .where('state', '=', 'queued')
        .where('queue', '=', queue)
        .where('run_at', '<=', now)
        .orderBy('run_at')
        .limit(limit)
        .$if(dialect === 'postgres', (query) => query.forUpdate().skipLocked()),
    )
    .returningAll()
    .execute();
  return (rows as JobRow[]).map(toJobRecord).sort((a, b) => a.runAt.getTime() - b.runAt.getTime());
}

/** Extends the lease; false when this claim no longer holds the job. */
export async function extendLease(context: LeaseContext, lease: Lease): Promise<boolean> {
  const now = context.clock.now().getTime();
  const result = await fenced(context, lease)
    .set({ lease_until: now + context.leaseMs, updated_at: now })
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export interface Completion {
  lease: Lease;
  /** The handler's result as JSON text. */
  result: string;
}

/**
 * Records several successful runs in one statement (fewer commits and round trips under load); each row
 * is still fenced by its own lease owner. Returns the ids that were completed.
 */
export async function completeJobs(context: LeaseContext, completions: Completion[]): Promise<Set<string>> {
  const now = context.clock.now().getTime();
  const byId = (value: (completion: Completion) => string) =>
    sql<string>`CASE id ${sql.join(
      completions.map((completion) => sql`WHEN ${completion.lease.jobId} THEN ${value(completion)}`),
      sql` `,
    )} END`;
  const rows = await context.store.db
    .updateTable('jobs')
    .set({
      state: 'succeeded',
      result: byId((completion) => completion.result),
      lease_owner: null,
      lease_until: null,
      finished_at: now,
      updated_at: now,
    })
    .where(
      'id',
      'in',
      completions.map((completion) => completion.lease.jobId),
    )
    .where('state', '=', 'running')
    .where(
      'lease_owner',
      '=',
      byId((completion) => completion.lease.owner),
    )
    .returning('id')
    .execute();
  return new Set(rows.map((row) => row.id));
}

/** Records a failed attempt: back to the queue at `retryAt`, or dead when `retryAt` is null. */
export async function failJob(
  context: LeaseContext,
  lease: Lease,
  error: string,
  retryAt: Date | null,
): Promise<boolean> {
  const now = context.clock.now().getTime();
  const outcome = await fenced(context, lease)
    .set({
      state: retryAt === null ? 'dead' : 'queued',
      run_at: retryAt === null ? now : retryAt.getTime(),
      last_error: error.slice(0, 4_000),
      lease_owner: null,
      lease_until: null,
      finished_at: retryAt === null ? now : null,
      updated_at: now,
    })
    .executeTakeFirst();
  return outcome.numUpdatedRows === 1n;
}

/**
 * Returns running jobs whose lease expired (their worker died or hung) to the queue, due now, or marks
 * them dead when they used all their attempts.
 */
export async function expireLeases(context: LeaseContext): Promise<JobRecord[]> {
  const now = context.clock.now().getTime();
  const rows = await context.store.db
    .updateTable('jobs')
    .set({
      state: sql<'queued' | 'dead'>`CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' END`,
      run_at: now,
      last_error: sql<string>`'lease expired (held by ' || lease_owner || ')'`,
      lease_owner: null,
      lease_until: null,
      finished_at: sql<
        number | null
      >`CASE WHEN attempts >= max_attempts THEN CAST(${now} AS bigint) ELSE NULL END`,
      updated_at: now,
    })
    .where('state', '=', 'running')
    .where('lease_until', '<', now)
    .returningAll()
    .execute();
  return (rows as JobRow[]).map(toJobRecord);
}

function fenced(context: LeaseContext, lease: Lease) {
  return context.store.db
    .updateTable('jobs')
    .where('id', '=', lease.jobId)
    .where('state', '=', 'running')
    .where('lease_owner', '=', lease.owner);
}
