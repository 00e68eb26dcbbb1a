import { createHmac } from 'node:crypto';
import type { AuditEventTable } from '../store/index.ts';
import { canonicalJson } from './canonical-json.ts';

/** `prev_hash` of the first event. */
export const genesisHash = '0'.repeat(64);

/** The columns an event's hash covers: everything but the hashes themselves. */
export type ChainedFields = Omit<AuditEventTable, 'prev_hash' | 'hash' | 'details' | 'result'> & {
  result: string;
  details: Record<string, unknown>;
};

/**
 * HMAC-SHA256(chain key, prev_hash ‖ canonical JSON of the fields). Keyed, so someone who can write the
 * database but lacks the vault's master key cannot recompute a consistent chain after an edit.
 */
export function chainHash(key: Buffer, prevHash: string, fields: ChainedFields): string {
  const canonical = canonicalJson({
    seq: fields.seq,
    id: fields.id,
    at: fields.at,
    actor_id: fields.actor_id,
    actor_label: fields.actor_label,
    action: fields.action,
    target: fields.target,
    ip: fields.ip,
    result: fields.result,
    details: fields.details,
  });
  return createHmac('sha256', key).update(prevHash, 'utf8').update(canonical, 'utf8').digest('hex');
}
