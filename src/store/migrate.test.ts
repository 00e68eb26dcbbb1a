import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import { sql } from 'kysely';
import { describeEachDialect } from '../../test/fixtures/store.ts';
import { isRoostError } from '../core/errors.ts';
import { loadMigrations, migrate } from './migrate.ts';

function migrationsDirectory(files: Record<string, string>): string {
  const directory = mkdtempSync(path.join(tmpdir(), 'roost-migrations-'));
  for (const [name, body] of Object.entries(files)) writeFileSync(path.join(directory, name), body);
  return directory;
}

const createWidgets = `
export async function up(db) {
  await db.schema.createTable('widgets').addColumn('id', 'text', (c) => c.primaryKey()).addColumn('size', 'integer').execute();
}`;

describeEachDialect('store migrations', (use, dialect) => {
  it('applies the foundation migrations once and reports nothing pending on a second run', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const { store } = opened;
    const report = await migrate(store.db, store.dialect, await loadMigrations());
    assert.deepEqual(report.applied, [], 'the fixture already migrated');
    assert.ok(report.current >= 1);
    const rows = await store.db.selectFrom('roost_migrations').select(['id', 'name']).execute();
    assert.equal(rows[0]?.name, '001_foundation');
    assert.equal(store.dialect, dialect);
  });

  it('round-trips rows, large integers and constraints', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const { db } = opened.store;
    const now = Date.UTC(2026, 10, 23, 12, 0, 0, 123);
    await db
      .insertInto('jobs')
      .values({
        id: 'job_1',
        queue: 'q',
        key: 'k1',
        payload: '{}',
        state: 'queued',
        max_attempts: 3,
        run_at: now,
        created_at: now,
        updated_at: now,
      })
      .execute();
    const row = await db.selectFrom('jobs').selectAll().where('id', '=', 'job_1').executeTakeFirstOrThrow();
    assert.equal(row.run_at, now, 'epoch milliseconds come back as the same number');
    assert.equal(typeof row.run_at, 'number');
    await assert.rejects(
      db
        .insertInto('jobs')
        .values({
          id: 'job_2',
          queue: 'q',
          key: 'k1',
          payload: '{}',
          state: 'queued',
          max_attempts: 3,
          run_at: now,
          created_at: now,
          updated_at: now,
        })
        .execute(),
      'unique key enforced',
    );
    await assert.rejects(
      db
        .insertInto('vault_secrets')
        .values({
          id: 's',
          owner: 'o',
          name: 'n',
          kind: 'k',
          data_key_id: 'missing',
          ciphertext: 'x',
          created_at: now,
          updated_at: now,
        })
        .execute(),
      'foreign keys enforced',
    );
  });
});

describeEachDialect('store migrations on an empty database', (use) => {
  it('refuses a changed migration and an unknown applied one, with clear errors', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const { store } = opened;
    await sql`DROP TABLE roost_migrations`.execute(store.db);
    const original = migrationsDirectory({ '001_widgets.ts': createWidgets });
    const applied = await migrate(store.db, store.dialect, await loadMigrations(original));
    assert.deepEqual(applied.applied, [{ id: 1, name: '001_widgets' }]);

    const changed = migrationsDirectory({ '001_widgets.ts': `${createWidgets}\n// edited\n` });
    await assert.rejects(migrate(store.db, store.dialect, await loadMigrations(changed)), (error) => {
      assert.ok(isRoostError(error, 'conflict'));
      assert.match(error.message, /migration 001_widgets was changed after it was applied/);
      return true;
    });

    const next = migrationsDirectory({
      '001_widgets.ts': createWidgets,
      '002_gadgets.ts': `export async function up(db) { await db.schema.createTable('gadgets').addColumn('id', 'text').execute(); }`,
    });
    assert.deepEqual((await migrate(store.db, store.dialect, await loadMigrations(next))).applied, [
      { id: 2, name: '002_gadgets' },
    ]);
    await assert.rejects(
      migrate(store.db, store.dialect, await loadMigrations(original)),
      /does not know: run a newer Roost/,
    );
  });

  it('rolls back a failing migration entirely', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const { store } = opened;
    await sql`DROP TABLE roost_migrations`.execute(store.db);
    const broken = migrationsDirectory({
      '001_widgets.ts': createWidgets,
      '002_broken.ts': `export async function up(db) { await db.schema.createTable('half').addColumn('id', 'text').execute(); throw new Error('boom'); }`,
    });
    await assert.rejects(migrate(store.db, store.dialect, await loadMigrations(broken)), /boom/);
    const tables = await store.db.introspection.getTables();
    assert.ok(
      !tables.some((table) => table.name === 'half' || table.name === 'widgets'),
      'nothing of the run is left',
    );
  });
});
