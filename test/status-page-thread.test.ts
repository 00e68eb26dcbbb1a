// Status pages read on the page thread (`roost serve`'s way): the thread opens its own connection to the
// store, reads the page with monitoring's health and roll-ups as of the caller's clock, remembers the days
// that are over, and lets its connection go when the server closes.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import { createStatusServer } from '../src/http/status/app.ts';
import { createMonitor } from '../src/monitoring/index.ts';
import { createLogger, createMetrics } from '../src/observability/index.ts';
import {
  addComponent,
  configureStatusPage,
  noHealth,
  noUptime,
  scheduleMaintenance,
} from '../src/status/index.ts';
import { openStatusDeps } from '../src/status/test-fixture.ts';
import { waitFor } from './fixtures/jobs.ts';
import { describeEachDialect } from './fixtures/store.ts';

const day = 86_400_000;

describeEachDialect('status pages read on the page thread', (use) => {
  it("reads the store with monitoring's sources as of the caller's clock, and lets its connection go", async (t) => {
    const opened = await use(t);
    const deps = await openStatusDeps(opened, '2026-11-20T10:00:00Z');
    if (!opened || !deps) return;
    await deps.addInstance('acme-prod', 'Acme');
    await configureStatusPage(deps, deps.local, { slug: 'acme-prod', name: 'Acme Corp' });
    const { monitor } = await createMonitor(deps, deps.local, {
      name: 'Acme API',
      kind: 'http',
      settings: { url: 'http://127.0.0.1:9/' },
      intervalSeconds: 60,
      retries: 0,
    });
    const api = await addComponent(deps, deps.local, {
      slug: 'acme-prod',
      name: 'API',
      monitors: [monitor.id],
    });
    await deps.store.db.updateTable('monitors').set({ state: 'down' }).where('id', '=', monitor.id).execute();
    // Yesterday a quarter of the checks failed; today so far, all passed.
    const today = Math.floor(deps.clock.now().getTime() / day) * day;
    const rollup = (bucket: number, failures: number) => ({
      monitor_id: monitor.id,
      granularity: 'day' as const,
      bucket,
      checks: 1_440,
      failures,
      latency_sum: 0,
      latency_max: 0,
    });
    await deps.store.db
      .insertInto('check_rollups')
      .values([rollup(today - day, 360), rollup(today, 0)])
      .execute();
    await scheduleMaintenance(deps, deps.local, {
      slug: 'acme-prod',
      title: 'Database upgrade',
      body: 'Minor update.',
      components: [api.id],
      startsAt: new Date('2026-11-20T11:00:00Z'),
      endsAt: new Date('2026-11-20T12:00:00Z'),
      confirmBusinessHours: true,
    });

    // The deps carry no monitoring data: what the page shows comes from the store, read on the thread.
    const server = createStatusServer({
      logger: createLogger({ level: 'silent' }),
      metrics: createMetrics(),
      readiness: async () => ({ ready: true, checks: [] }) as never,
      pages: {
        store: deps.store,
        clock: deps.clock,
        health: noHealth,
        uptime: noUptime,
        domain: 'example.test',
        revalidateMs: 0,
        readFrom: { databaseUrl: opened.url, dataDir: opened.directory },
      },
    });
    const components = async () => {
      const response = await server.app.request('/s/acme-prod/api/v2/components.json');
      assert.equal(response.status, 200);
      return ((await response.json()) as { components: Array<{ id: string; status: string }> }).components;
    };
    const page = async () => (await server.app.request('/s/acme-prod/')).text();
    const connections = async () =>
      Number(
        (
          await sql<{ count: number }>`SELECT count(*) AS count FROM pg_stat_activity
            WHERE datname = current_database()`.execute(deps.store.db)
        ).rows[0]?.count,
      );
    const before = deps.store.dialect === 'postgres' ? await connections() : 0;

    assert.equal((await components()).find((component) => component.id === api.id)?.status, 'major_outage');
    const bar = (at: number, percent: number) =>
      new RegExp(`title="${new Date(at).toISOString().slice(0, 10)}: ${percent}(\\.0+)?% up`);
    assert.match(await page(), bar(today - day, 75), "yesterday's bar comes from the roll-ups");
    if (deps.store.dialect === 'postgres')
      assert.equal(await connections(), before + 1, 'the thread connected');

    // The caller's clock decides: an hour later the maintenance is in progress.
    deps.clock.advance(3_600_000);
    assert.equal(
      (await components()).find((component) => component.id === api.id)?.status,
      'under_maintenance',
    );

    // A day over is remembered, today's roll-ups are read again: at the page's next rebuild (the monitor
    // comes back), a late change to yesterday does not show until the memory starts again; today's does.
    await deps.store.db
      .updateTable('check_rollups')
      .set({ failures: 0 })
      .where('bucket', '=', today - day)
      .execute();
    await deps.store.db
      .updateTable('check_rollups')
      .set({ failures: 1_440 })
      .where('bucket', '=', today)
      .execute();
    await deps.store.db.updateTable('monitors').set({ state: 'up' }).where('id', '=', monitor.id).execute();
    const html = await page();
    assert.match(html, bar(today - day, 75));
    assert.match(html, bar(today, 0));

    await server.close();
    // The server ends its session as the client hangs up, a moment later.
    if (deps.store.dialect === 'postgres')
      await waitFor(connections, (count) => count === before, { what: 'the connection to go' });
    // Closing twice, or a server whose thread never read, is harmless.
    await server.close();
  });
});
