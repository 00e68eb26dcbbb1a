import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import { runCli, scratchDirectory } from './fixtures/cli.ts';
import { describeEachDialect } from './fixtures/store.ts';

describeEachDialect('migrations from two processes started together', (use) => {
  it('apply each migration exactly once', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const { store, url } = opened;
    // Start from an empty database: drop everything the fixture created.
    const cascade = sql.raw(store.dialect === 'postgres' ? ' CASCADE' : '');
    for (const table of await store.db.introspection.getTables()) {
      await sql`DROP TABLE IF EXISTS ${sql.table(table.name)}${cascade}`.execute(store.db);
    }
    const scratch = scratchDirectory();
    t.after(() => scratch.remove());
    const env = { ROOST_DATABASE_URL: url };
    const results = await Promise.all(
      [1, 2, 3].map(() => runCli(['migrate', '--json'], { cwd: scratch.path, env })),
    );
    for (const result of results) assert.equal(result.code, 0, result.stderr);
    const applied = results.map(
      (result) => (JSON.parse(result.stdout) as { applied: unknown[] }).applied.length,
    );
    assert.equal(
      applied.filter((count) => count > 0).length,
      1,
      `exactly one process applied the migrations: ${applied}`,
    );
    const rows = await store.db.selectFrom('roost_migrations').select(['id']).execute();
    assert.equal(new Set(rows.map((row) => row.id)).size, rows.length);
  });
});
