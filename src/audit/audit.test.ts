import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { it } from 'node:test';
import { sql } from 'kysely';
import { describeEachDialect, type TestStore } from '../../test/fixtures/store.ts';
import type { Actor } from '../auth/actor.ts';
import { rolePermissions } from '../auth/permissions.ts';
import { ManualClock } from '../core/clock.ts';
import { openStore, type Store } from '../store/index.ts';
import { openVault } from '../vault/index.ts';
import { type AuditEventInput, type AuditLog, createAuditLog } from './index.ts';

async function openAudit(opened: TestStore, clock = new ManualClock('2026-03-01T09:00:00Z'), store?: Store) {
  const keyFile = path.join(opened.directory, 'master.key');
  const vault = await openVault({ store: store ?? opened.store, clock }, { keyFile });
  const audit = await createAuditLog({ store: store ?? opened.store, vault, clock });
  return { audit, vault, clock };
}

const alice: Actor = {
  kind: 'user',
  id: 'usr_alice',
  label: 'alice@example.com',
  role: 'operator',
  permissions: new Set(rolePermissions.operator),
  secondFactorAt: null,
  ip: '198.51.100.7',
};

const here = import.meta.dirname;
// Another Roost process appending to the same chain: argv = database URL, scratch directory, count.
const childAppender = `
  import path from 'node:path';
  import { ManualClock } from ${JSON.stringify(path.join(here, '../core/clock.ts'))};
  import { openStore } from ${JSON.stringify(path.join(here, '../store/index.ts'))};
  import { openVault } from ${JSON.stringify(path.join(here, '../vault/index.ts'))};
  import { createAuditLog } from ${JSON.stringify(path.join(here, 'index.ts'))};
  const [url, directory, count] = process.argv.slice(1);
  const store = await openStore({ databaseUrl: url, dataDir: directory });
  const clock = new ManualClock();
  const vault = await openVault({ store, clock }, { keyFile: path.join(directory, 'master.key') });
  const audit = await createAuditLog({ store, vault, clock });
  for (let n = 0; n < Number(count); n++) {
    await audit.append({ actor: { id: 'child', label: 'child' }, action: 'test.child', result: 'ok', details: { n } });
  }
  await store.close();
`;

function event(n: number): AuditEventInput {
  return {
    actor: { id: 'scheduler', label: 'scheduler' },
    action: 'test.tick',
    target: `t${n}`,
    result: 'ok',
    details: { n },
  };
}

async function appendMany(audit: AuditLog, count: number, clock: ManualClock): Promise<void> {
  for (let n = 1; n <= count; n++) {
    await audit.append(event(n));
    clock.advance(1_000);
  }
}

async function collect(lines: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of lines) out.push(line);
  return out;
}

describeEachDialect('audit', (use, dialect) => {
  it('appends a chain, lists newest first with filters and exports oldest first', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const { audit, vault, clock } = await openAudit(opened);
    const created = await audit.append({
      actor: alice,
      action: 'user.create',
      target: 'usr_bob',
      result: 'ok',
      details: { role: 'viewer', when: new Date('2026-03-01T08:00:00Z'), nested: { z: 1, a: [1, 'x'] } },
    });
    assert.equal(created.seq, 1);
    assert.match(created.id, /^aud_/);
    assert.match(created.hash, /^[0-9a-f]{64}$/);
    assert.deepEqual(created.at, new Date('2026-03-01T09:00:00Z'));
    assert.equal(created.ip, '198.51.100.7', "the actor's IP");
    assert.deepEqual(created.details, {
      role: 'viewer',
      when: '2026-03-01T08:00:00.000Z',
      nested: { z: 1, a: [1, 'x'] },
    });
    clock.advance(60_000);
    await audit.append({ actor: alice, action: 'user.disable', target: 'usr_bob', result: 'ok' });
    clock.advance(60_000);
    await audit.append({
      actor: { id: 'anonymous', label: 'anonymous' },
      action: 'session.login',
      target: 'bob@example.com',
      result: 'failed',
      ip: '203.0.113.9',
    });
    clock.advance(60_000);
    await audit.append({
      actor: alice,
      action: 'user.enable',
      target: 'usr_bob',
      result: 'denied',
      ip: null,
    });

    const all = await audit.list();
    assert.deepEqual(
      all.map((item) => [item.seq, item.action]),
      [
        [4, 'user.enable'],
        [3, 'session.login'],
        [2, 'user.disable'],
        [1, 'user.create'],
      ],
    );
    assert.deepEqual(all[0], {
      ...all[0],
      actorId: 'usr_alice',
      actorLabel: 'alice@example.com',
      ip: null,
      result: 'denied',
      details: {},
    });
    assert.equal(all[1]?.ip, '203.0.113.9');
    assert.deepEqual(all.at(-1), created);

    const seqs = async (filter: Parameters<AuditLog['list']>[0]) =>
      (await audit.list(filter)).map((item) => item.seq);
    assert.deepEqual(await seqs({ actor: 'usr_alice' }), [4, 2, 1]);
    assert.deepEqual(await seqs({ actor: 'alice@example.com' }), [4, 2, 1]);
    assert.deepEqual(await seqs({ action: 'user.' }), [4, 2, 1]);
    assert.deepEqual(await seqs({ action: 'user' }), [], 'without the dot an action is exact');
    assert.deepEqual(await seqs({ action: 'session.login' }), [3]);
    assert.deepEqual(await seqs({ target: 'usr_bob' }), [4, 2, 1]);
    assert.deepEqual(await seqs({ result: 'failed' }), [3]);
    assert.deepEqual(await seqs({ since: new Date('2026-03-01T09:01:00Z') }), [4, 3, 2]);
    assert.deepEqual(await seqs({ until: new Date('2026-03-01T09:02:00Z') }), [2, 1], 'until is exclusive');
    assert.deepEqual(await seqs({ beforeSeq: 3, limit: 1 }), [2]);
    assert.deepEqual(await seqs({ limit: 2 }), [4, 3]);
    await assert.rejects(audit.list({ limit: 0 }), { code: 'invalid_input' });

    const lines = await collect(audit.exportNdjson());
    assert.equal(lines.length, 4);
    assert.ok(lines.every((line) => line.endsWith('\n') && !line.slice(0, -1).includes('\n')));
    const exported = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(
      exported.map((item) => item.seq),
      [1, 2, 3, 4],
    );
    assert.deepEqual(exported[0], {
      seq: 1,
      id: created.id,
      at: '2026-03-01T09:00:00.000Z',
      actorId: 'usr_alice',
      actorLabel: 'alice@example.com',
      action: 'user.create',
      target: 'usr_bob',
      ip: '198.51.100.7',
      result: 'ok',
      details: created.details,
      prevHash: '0'.repeat(64),
      hash: created.hash,
    });
    assert.equal(exported[1]?.prevHash, created.hash);
    assert.deepEqual(
      (await collect(audit.exportNdjson({ action: 'user.', limit: 2 }))).map((line) => JSON.parse(line).seq),
      [1, 2],
    );

    const key = (await vault.list('roost')).find((secret) => secret.name === 'audit-chain-key');
    assert.equal(key?.kind, 'hmac-key');
    assert.deepEqual(await audit.verify(), { ok: true, checked: 4, problems: [] });
  });

  it('rejects malformed events', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const { audit } = await openAudit(opened);
    const bad: unknown[] = [
      { ...event(1), action: '' },
      { ...event(1), result: 'maybe' },
      { ...event(1), actor: { id: '', label: 'x' } },
      { ...event(1), details: ['not', 'an', 'object'] },
      { ...event(1), target: 'line\nbreak' },
    ];
    for (const input of bad)
      await assert.rejects(audit.append(input as AuditEventInput), { code: 'invalid_input' });
    assert.deepEqual(await audit.list(), []);
  });

  it('verifies an intact chain and names an edited row', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const { audit, clock } = await openAudit(opened);
    await appendMany(audit, 50, clock);
    assert.deepEqual(await audit.verify(), { ok: true, checked: 50, problems: [] });

    const seventh = (await audit.list({ beforeSeq: 8, limit: 1 }))[0];
    await sql`UPDATE audit_events SET action = 'x' WHERE seq = 7`.execute(opened.store.db);
    assert.deepEqual(await audit.verify(), {
      ok: false,
      checked: 50,
      problems: [{ seq: 7, id: seventh?.id, reason: 'row changed: hash does not match' }],
    });
    await sql`UPDATE audit_events SET action = 'test.tick' WHERE seq = 7`.execute(opened.store.db);
    assert.equal((await audit.verify()).ok, true, 'restored');

    // Details re-serialised with other key order or spacing still mean the same; a changed value does not.
    await sql`UPDATE audit_events SET details = '{ "n" : 12 }' WHERE seq = 12`.execute(opened.store.db);
    assert.equal((await audit.verify()).ok, true);
    await sql`UPDATE audit_events SET details = '{"n":13}' WHERE seq = 12`.execute(opened.store.db);
    await sql`UPDATE audit_events SET at = at + 1 WHERE seq = 30`.execute(opened.store.db);
    assert.deepEqual(
      (await audit.verify()).problems.map(({ seq, reason }) => [seq, reason]),
      [
        [12, 'row changed: hash does not match'],
        [30, 'row changed: hash does not match'],
      ],
    );
  });

  it('names a replaced hash and the broken link after it', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const { audit, clock } = await openAudit(opened);
    await appendMany(audit, 10, clock);
    await sql`UPDATE audit_events SET hash = ${'f'.repeat(64)} WHERE seq = 4`.execute(opened.store.db);
    assert.deepEqual(
      (await audit.verify()).problems.map(({ seq, reason }) => [seq, reason]),
      [
        [4, 'row changed: hash does not match'],
        [5, 'link broken: prev_hash does not match row 4'],
      ],
    );
  });

  it('names deleted rows in the middle', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const { audit, clock } = await openAudit(opened);
    await appendMany(audit, 20, clock);
    await sql`DELETE FROM audit_events WHERE seq = 3`.execute(opened.store.db);
    await sql`DELETE FROM audit_events WHERE seq BETWEEN 10 AND 12`.execute(opened.store.db);
    assert.deepEqual(await audit.verify(), {
      ok: false,
      checked: 16,
      problems: [
        { seq: 3, id: null, reason: 'row 3 missing' },
        { seq: 10, id: null, reason: 'rows 10–12 missing' },
      ],
    });
  });

  it('notices the newest rows deleted through the head, and keeps the gap when appending on', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const { audit, clock } = await openAudit(opened);
    await appendMany(audit, 43, clock);
    await sql`DELETE FROM audit_events WHERE seq = 43`.execute(opened.store.db);
    assert.deepEqual(await audit.verify(), {
      ok: false,
      checked: 42,
      problems: [{ seq: 43, id: null, reason: 'chain ends at 42 but head says 43 (row 43 missing)' }],
    });
    await sql`DELETE FROM audit_events WHERE seq = 42`.execute(opened.store.db);
    assert.deepEqual((await audit.verify()).problems, [
      { seq: 42, id: null, reason: 'chain ends at 41 but head says 43 (rows 42–43 missing)' },
    ]);

    const next = await audit.append(event(44));
    assert.equal(next.seq, 44, 'the head, not the truncated table, decides the next seq');
    assert.deepEqual((await audit.verify()).problems, [{ seq: 42, id: null, reason: 'rows 42–43 missing' }]);

    await sql`DELETE FROM audit_head`.execute(opened.store.db);
    assert.deepEqual((await audit.verify()).problems.at(-1), {
      seq: 44,
      id: null,
      reason: 'the audit head is missing',
    });
  });

  it('keeps one valid chain under concurrent appends', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const { audit, clock } = await openAudit(opened);
    const logs = [audit];
    if (dialect === 'postgres') {
      // Two pools, as two processes would have. (Two node:sqlite connections in one process would block
      // each other's event loop; the next test uses a second process for that.)
      const other = await openStore({ databaseUrl: opened.url, dataDir: opened.directory });
      t.after(() => other.close());
      logs.push((await openAudit(opened, clock, other)).audit);
    }
    const appended = await Promise.all(
      Array.from({ length: 40 }, (_, n) => logs[n % logs.length]?.append(event(n))),
    );
    assert.deepEqual(
      appended.map((item) => item?.seq).sort((a = 0, b = 0) => a - b),
      Array.from({ length: 40 }, (_, n) => n + 1),
    );
    for (const log of logs) assert.deepEqual(await log.verify(), { ok: true, checked: 40, problems: [] });
  });

  it('keeps one valid chain while another process appends', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const { audit } = await openAudit(opened);
    const count = 100;
    const child = spawn(
      process.execPath,
      ['--input-type=module', '--eval', childAppender, opened.url, opened.directory, String(count)],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    const exited = once(child, 'exit');
    let running = true;
    child.once('exit', () => {
      running = false;
    });
    // Keep appending until the other process is done, so the two really interleave.
    let mine = 0;
    while (running || mine < count) {
      await audit.append(event(mine++));
      await new Promise((resolve) => setImmediate(resolve)); // lets the exit event through
    }
    assert.deepEqual(await exited, [0, null]);
    assert.deepEqual(await audit.verify(), { ok: true, checked: mine + count, problems: [] });
    assert.equal((await audit.list({ actor: 'child' })).length, count);
  });

  it('appends inside the caller’s transaction, and a rollback leaves no event', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const { audit } = await openAudit(opened);
    await assert.rejects(
      opened.store.db.transaction().execute(async (trx) => {
        await audit.append(event(1), { db: trx });
        throw new Error('the change failed');
      }),
      /the change failed/,
    );
    assert.deepEqual(await audit.list(), []);
    assert.deepEqual(await audit.verify(), { ok: true, checked: 0, problems: [] });

    const committed = await opened.store.db
      .transaction()
      .execute((trx) => audit.append(event(2), { db: trx }));
    assert.equal(committed.seq, 1);
    const plain = await audit.append(event(3), { db: opened.store.db });
    assert.equal(plain.seq, 2, 'a db that is not a transaction gets a transaction of its own');
    assert.deepEqual(await audit.verify(), { ok: true, checked: 2, problems: [] });
  });

  it('pages through long chains when verifying and exporting', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const { audit, vault, clock } = await openAudit(opened);
    const count = 2_345;
    // Bulk-appended in a few transactions to keep the test quick; each append still takes the lock.
    for (let start = 0; start < count; start += 500) {
      await opened.store.db.transaction().execute(async (trx) => {
        for (let n = start; n < Math.min(start + 500, count); n++) await audit.append(event(n), { db: trx });
      });
      clock.advance(1_000);
    }
    const progress: number[] = [];
    const verification = await audit.verify({ onProgress: (checked) => progress.push(checked) });
    assert.deepEqual(verification, { ok: true, checked: count, problems: [] });
    assert.deepEqual(progress, [1_000, 2_000, count]);
    const lines = await collect(audit.exportNdjson());
    assert.equal(lines.length, count);
    assert.deepEqual(
      lines.map((line) => JSON.parse(line).seq),
      Array.from({ length: count }, (_, n) => n + 1),
    );
    assert.equal((await audit.list({ limit: 5_000 })).length, 1_000, 'list is capped at 1,000');

    // Another audit log over the same vault reads the same key back.
    const again = await createAuditLog({ store: opened.store, vault, clock });
    assert.equal((await again.verify()).ok, true);
    if (dialect === 'postgres') {
      // In this test's own database: other test files share the server and take advisory locks of their own.
      const { rows } = await sql<{
        n: number;
      }>`SELECT count(*)::int AS n FROM pg_locks
         WHERE locktype = 'advisory'
           AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`.execute(
        opened.store.db,
      );
      assert.equal(rows[0]?.n, 0, 'no advisory lock is left behind');
    }
  });

  it('creates one chain key when processes start together on a fresh database', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const clock = new ManualClock();
    const keyFile = path.join(opened.directory, 'master.key');
    const vault = await openVault({ store: opened.store, clock }, { keyFile });
    const stores = [
      opened.store,
      ...(await Promise.all(
        [1, 2].map(() => openStore({ databaseUrl: opened.url, dataDir: opened.directory })),
      )),
    ];
    t.after(() => Promise.all(stores.slice(1).map((store) => store.close())));
    const vaults = [
      vault,
      ...(await Promise.all(stores.slice(1).map((store) => openVault({ store, clock }, { keyFile })))),
    ];
    const logs = await Promise.all(
      stores.map((store, n) => createAuditLog({ store, vault: vaults[n] ?? vault, clock })),
    );
    for (const [n, log] of logs.entries()) await log.append(event(n));
    for (const log of logs) assert.deepEqual(await log.verify(), { ok: true, checked: 3, problems: [] });
  });
});
