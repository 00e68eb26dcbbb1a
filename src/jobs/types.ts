import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import type { Database, JobTable, Store } from '../store/index.ts';

export type JobState = JobTable['state'];

/** A job as operations and handlers see it; times are Dates, payload and result are parsed JSON. */
export interface JobRecord {
  id: string;
  queue: string;
  key: string | null;
  payload: unknown;
  state: JobState;
  /** Claims so far, including the running one. */
  attempts: number;
  maxAttempts: number;
  runAt: Date;
  leaseOwner: string | null;
  leaseUntil: Date | null;
  lastError: string | null;
  result: unknown;
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface EnqueueInput {
  queue: string;
  payload?: unknown;
  /** Idempotency key: enqueuing the same key again returns the existing job, whatever its state. */
  key?: string;
  runAt?: Date;
  maxAttempts?: number;
}

export interface EnqueueOptions {
  /** Enqueue inside this transaction, so the job commits (or not) with the state change that causes it. */
  db?: Kysely<Database>;
}

export interface JobContext {
  /** Aborted when this worker no longer holds the job's lease (taken over after expiry) or on forced stop. */
  signal: AbortSignal;
  /** Extends the lease now; rejects with RoostError('conflict') once the lease is lost. Runs by itself every leaseSeconds/3. */
  heartbeat(): Promise<void>;
}

export type JobHandler = (job: JobRecord, context: JobContext) => Promise<unknown>;

export interface WorkOptions {
  /** Handlers running at once for this queue (default 1). */
  concurrency?: number;
  /** How often an idle worker looks for due jobs (default 1,000 ms); an enqueue in this process wakes it at once. */
  pollIntervalMs?: number;
  /**
   * Called for each job of the queue that ends dead (its attempts used up: the handler failed every time, or
   * its worker died every time and the lease expired), so the record the job was carrying out can be marked
   * as ended. A process that works the queue calls it at its next tick, whichever process saw the job die;
   * at least once (again after a failure, or if the process stops midway), so it must be idempotent.
   */
  onDead?: DeadJobHandler;
}

export type DeadJobHandler = (job: JobRecord) => Promise<void>;

export interface ScheduleInput {
  name: string;
  cron: string;
  queue: string;
  payload?: unknown;
  /** IANA time zone the expression is read in; defaults to the configured one. */
  timeZone?: string;
}

export interface TickReport {
  /** Jobs enqueued by due cron schedules. */
  scheduled: number;
  /** Running jobs whose lease expired, put back in the queue (or dead when out of attempts). */
  expired: number;
  /** Dead jobs handed to their queue's dead handler. */
  dead: number;
}

export interface Jobs {
  enqueue(input: EnqueueInput, options?: EnqueueOptions): Promise<{ id: string; created: boolean }>;
  get(id: string): Promise<JobRecord | undefined>;
  list(filter?: { state?: JobState; queue?: string; limit?: number }): Promise<JobRecord[]>;
  /** Puts a dead job back in the queue with a fresh budget of attempts. */
  retry(id: string): Promise<void>;
  /** Jobs not yet succeeded (queued, running, dead) per queue and state; for the queue-depth metric. */
  depth(): Promise<{ queue: string; state: JobState; count: number }[]>;
  /** Creates or replaces a cron schedule (by name). */
  schedule(input: ScheduleInput): Promise<void>;
  work(queue: string, handler: JobHandler, options?: WorkOptions): void;
  /**
   * Enqueues due cron runs, recovers expired leases and hands new dead jobs to their queue's dead handler,
   * once; `start()` does this every tickIntervalMs.
   */
  tick(): Promise<TickReport>;
  /** Starts the workers and the ticker. */
  start(): void;
  /** Stops claiming, then waits for running handlers up to stopTimeoutMs, then aborts them. */
  stop(): Promise<void>;
}

export type JobOutcome = 'succeeded' | 'retried' | 'dead';

export interface JobObserver {
  jobFinished(queue: string, outcome: JobOutcome, seconds: number): void;
}

export interface JobsDependencies {
  store: Store;
  clock?: Clock;
  logger?: Logger;
  observer?: JobObserver;
  /** Source of backoff jitter in [0, 1); injectable for tests. */
  random?: () => number;
}

export interface JobsOptions {
  /** Default time zone of cron schedules (configuration `timeZone`). */
  timeZone: string;
  /** A claim holds a job this long unless heartbeats extend it (configuration `jobs.leaseSeconds`). */
  leaseSeconds: number;
  /** Names this process in `lease_owner`; defaults to host:pid:random. */
  workerId?: string;
  /** Attempts of a job enqueued without maxAttempts (default 5). */
  maxAttempts?: number;
  /** Retry delay: base · 2^(attempt−1), half of it jittered, capped (defaults 1 s and 15 min). */
  backoff?: { baseMs?: number; maxMs?: number };
  /** Cadence of the cron and lease ticker (default 1,000 ms). */
  tickIntervalMs?: number;
  /** How long stop() waits for running handlers (default 30 s). */
  stopTimeoutMs?: number;
}
