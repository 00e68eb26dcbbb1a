import type { Selectable } from 'kysely';
import type { AuditEventTable } from '../store/index.ts';
import type { AuditEvent, AuditResult } from './types.ts';

export type AuditRow = Selectable<AuditEventTable>;

/** The stored details, or undefined when the column no longer holds a JSON object. */
export function parseDetails(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export function toAuditEvent(row: AuditRow): AuditEvent {
  return {
    seq: Number(row.seq),
    id: row.id,
    at: new Date(Number(row.at)),
    actorId: row.actor_id,
    actorLabel: row.actor_label,
    action: row.action,
    target: row.target,
    ip: row.ip,
    result: row.result as AuditResult,
    details: parseDetails(row.details) ?? {},
    hash: row.hash,
  };
}

/** One export line: the event with both hashes, so the file can be checked link by link elsewhere. */
export function toExportLine(row: AuditRow): string {
  const event = toAuditEvent(row);
  return `${JSON.stringify({
    seq: event.seq,
    id: event.id,
    at: event.at.toISOString(),
    actorId: event.actorId,
    actorLabel: event.actorLabel,
    action: event.action,
    target: event.target,
    ip: event.ip,
    result: event.result,
    details: event.details,
    prevHash: row.prev_hash,
    hash: event.hash,
  })}\n`;
}
