import { setImmediate } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.ts';
import { chainHash, genesisHash } from './chain.ts';
import { type AuditRow, parseDetails } from './row.ts';
import type { AuditProblem, AuditVerification } from './types.ts';

const pageSize = 1_000;
// Past this, one more problem says how many were left out: a lost key would otherwise list every row.
const maxProblems = 10_000;

export interface VerifyOptions {
  /** Called after each page with the number of events checked so far. */
  onProgress?: (checked: number) => void;
}

/**
 * Walks the chain in seq order a page at a time (constant memory whatever its length), recomputes every
 * hash with the stored `prev_hash` (so one edited row is named alone, not every row after it), checks
 * each link to the previous row, gaps in seq, and that the chain ends where `audit_head` says it does.
 */
export async function verifyChain(
  db: Kysely<Database>,
  chainKey: Buffer,
  options: VerifyOptions = {},
): Promise<AuditVerification> {
  const problems: AuditProblem[] = [];
  let omitted = 0;
  const report = (problem: AuditProblem) => {
    if (problems.length < maxProblems) problems.push(problem);
    else omitted++;
  };
  let checked = 0;
  let previous: { seq: number; hash: string } = { seq: 0, hash: genesisHash };

  const walk = async () => {
    for (;;) {
      const rows = await db
        .selectFrom('audit_events')
        .selectAll()
        .where('seq', '>', previous.seq)
        .orderBy('seq', 'asc')
        .limit(pageSize)
        .execute();
      for (const row of rows) {
        checkRow(row, previous, chainKey, report);
        previous = { seq: Number(row.seq), hash: row.hash };
        checked++;
      }
      if (rows.length > 0) options.onProgress?.(checked);
      if (rows.length < pageSize) return;
      await setImmediate(); // node:sqlite answers synchronously: let other requests run between pages
    }
  };

  await walk();
  // Events appended while we walked move the head on: walk again until the head is not ahead of us.
  let head = await readHead(db);
  while (head && head.seq > previous.seq) {
    const before = previous.seq;
    await walk();
    if (previous.seq === before) break;
    head = await readHead(db);
  }

  if (!head) {
    if (checked > 0) report({ seq: previous.seq, id: null, reason: 'the audit head is missing' });
  } else if (head.seq > previous.seq) {
    const missing =
      head.seq === previous.seq + 1 ? `row ${head.seq}` : `rows ${previous.seq + 1}–${head.seq}`;
    report({
      seq: previous.seq + 1,
      id: null,
      reason: `chain ends at ${previous.seq} but head says ${head.seq} (${missing} missing)`,
    });
  } else if (head.seq < previous.seq) {
    report({
      seq: head.seq + 1,
      id: null,
      reason: `head says ${head.seq} but the chain goes on to ${previous.seq}`,
    });
  } else if (head.hash !== previous.hash) {
    report({ seq: head.seq, id: null, reason: `head hash does not match row ${head.seq}` });
  }
  if (omitted > 0)
    problems.push({ seq: previous.seq, id: null, reason: `${omitted} more problems not listed` });
  return { ok: problems.length === 0, checked, problems };
}

function checkRow(
  row: AuditRow,
  previous: { seq: number; hash: string },
  chainKey: Buffer,
  report: (problem: AuditProblem) => void,
): void {
  const seq = Number(row.seq);
  const gap = seq > previous.seq + 1;
  if (gap) {
    const missing =
      seq === previous.seq + 2 ? `row ${previous.seq + 1}` : `rows ${previous.seq + 1}–${seq - 1}`;
    report({ seq: previous.seq + 1, id: null, reason: `${missing} missing` });
  } else if (row.prev_hash !== previous.hash) {
    const to = previous.seq === 0 ? 'the start of the chain' : `row ${previous.seq}`;
    report({ seq, id: row.id, reason: `link broken: prev_hash does not match ${to}` });
  }
  const details = parseDetails(row.details);
  if (!details) {
    report({ seq, id: row.id, reason: 'row changed: details are not a JSON object' });
    return;
  }
  const expected = chainHash(chainKey, row.prev_hash, {
    seq,
    id: row.id,
    at: Number(row.at),
    actor_id: row.actor_id,
    actor_label: row.actor_label,
    action: row.action,
    target: row.target,
    ip: row.ip,
    result: row.result,
    details,
  });
  if (expected !== row.hash) report({ seq, id: row.id, reason: 'row changed: hash does not match' });
}

async function readHead(db: Kysely<Database>): Promise<{ seq: number; hash: string } | undefined> {
  const head = await db
    .selectFrom('audit_head')
    .select(['seq', 'hash'])
    .where('id', '=', 1)
    .executeTakeFirst();
  return head ? { seq: Number(head.seq), hash: head.hash } : undefined;
}
