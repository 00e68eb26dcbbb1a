import type { Kysely } from 'kysely';
import type { Actor } from '../auth/actor.ts';
import type { Database } from '../store/index.ts';

export type AuditResult = 'ok' | 'denied' | 'failed';

export interface AuditEventInput {
  /** An Actor, or a system component name such as `scheduler`. */
  actor: Actor | { id: string; label: string; ip?: string | null };
  /** Dotted verb: `user.create`, `session.login`, `secret.reveal`, `ban.lift`, … */
  action: string;
  /** What it was done to: `usr_…`, `ins_…/db-password`, an IP address… */
  target?: string | null;
  result: AuditResult;
  /** Extra facts; never secret values. */
  details?: Record<string, unknown>;
  /** Overrides the actor's IP (for anonymous attempts). */
  ip?: string | null;
}

export interface AuditEvent {
  seq: number;
  id: string;
  at: Date;
  actorId: string;
  actorLabel: string;
  action: string;
  target: string | null;
  ip: string | null;
  result: AuditResult;
  details: Record<string, unknown>;
  hash: string;
}

export interface AuditFilter {
  actor?: string;
  /** Exact action or a prefix ending in `.` (`user.`). */
  action?: string;
  target?: string;
  result?: AuditResult;
  since?: Date;
  until?: Date;
  /** Events with seq below this (paging backwards). */
  beforeSeq?: number;
  limit?: number;
}

export interface AuditProblem {
  seq: number;
  id: string | null;
  reason: string;
}

export interface AuditVerification {
  ok: boolean;
  checked: number;
  problems: AuditProblem[];
}

export interface AuditLog {
  /** Appends one event to the chain; inside `db` when given (a transaction), so it commits with the change. */
  append(event: AuditEventInput, options?: { db?: Kysely<Database> }): Promise<AuditEvent>;
  /** Newest first. */
  list(filter?: AuditFilter): Promise<AuditEvent[]>;
  /** Recomputes the whole chain a page at a time; names every changed, inserted or missing row. */
  verify(options?: { onProgress?: (checked: number) => void }): Promise<AuditVerification>;
  /** Oldest first, for export: each item is one JSON object ending in a newline (NDJSON). */
  exportNdjson(filter?: AuditFilter): AsyncIterable<string>;
}
