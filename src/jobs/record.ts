import type { Selectable } from 'kysely';
import type { JobTable } from '../store/index.ts';
import type { JobRecord } from './types.ts';

export type JobRow = Selectable<JobTable>;

export function toJobRecord(row: JobRow): JobRecord {
  return {
    id: row.id,
    queue: row.queue,
    key: row.key,
    payload: parseJson(row.payload),
    state: row.state,
    attempts: Number(row.attempts),
    maxAttempts: Number(row.max_attempts),
    runAt: new Date(Number(row.run_at)),
    leaseOwner: row.lease_owner,
    leaseUntil: toDate(row.lease_until),
    lastError: row.last_error,
    result: row.result === null ? null : parseJson(row.result),
    createdAt: new Date(Number(row.created_at)),
    updatedAt: new Date(Number(row.updated_at)),
    startedAt: toDate(row.started_at),
    finishedAt: toDate(row.finished_at),
  };
}

/** JSON text of a payload or result; `undefined` is stored as null. */
export function toJson(value: unknown): string {
  return JSON.stringify(value ?? null);
}

function parseJson(text: string): unknown {
  return JSON.parse(text) as unknown;
}

function toDate(value: number | null): Date | null {
  return value === null ? null : new Date(Number(value));
}
