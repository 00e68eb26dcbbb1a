// Maintenance windows on both dialects: the business-hours check, the job that moves windows along, and
// what the status page and the Statuspage JSON show of them.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { isRoostError } from '../src/core/errors.ts';
import { createStatusApp } from '../src/http/status/app.ts';
import { createLogger, createMetrics } from '../src/observability/index.ts';
import {
  addComponent,
  advanceMaintenances,
  cancelMaintenance,
  listMaintenances,
  noHealth,
  noUptime,
  scheduleMaintenance,
} from '../src/status/index.ts';
import { openStatusDeps } from '../src/status/test-fixture.ts';
import { shapeDifferences, statuspageEnums, statuspageV2 } from './fixtures/statuspage/v2.ts';
import { describeEachDialect } from './fixtures/store.ts';

describeEachDialect('maintenances', (use) => {
  it('warn about business hours, then move scheduled → in progress → completed on the page and in JSON', async (t) => {
    // Monday 23 November 2026, 10:00 Paris.
    const deps = await openStatusDeps(await use(t), '2026-11-23T09:00:00Z');
    if (!deps) return;
    await deps.addInstance('acme-prod');
    const database = await addComponent(deps, deps.local, { slug: 'acme-prod', name: 'Database' });
    await addComponent(deps, deps.local, { slug: 'acme-prod', name: 'API' });

    // Tuesday 14:00–15:00 Paris is inside business hours: refused until confirmed.
    const daytime = {
      slug: 'acme-prod',
      title: 'Database upgrade',
      startsAt: '2026-11-24T13:00:00Z',
      endsAt: '2026-11-24T14:00:00Z',
    };
    await assert.rejects(scheduleMaintenance(deps, deps.local, daytime), (error) => {
      assert.ok(isRoostError(error, 'conflict'));
      assert.equal(error.details?.reason, 'business_hours');
      return true;
    });
    const confirmed = await scheduleMaintenance(deps, deps.local, { ...daytime, confirmBusinessHours: true });
    assert.equal(confirmed.inBusinessHours, true);
    await cancelMaintenance(deps, deps.local, { id: confirmed.id });

    // Tuesday night 22:00–23:30 Paris: fine without confirmation.
    const night = await scheduleMaintenance(deps, deps.local, {
      slug: 'acme-prod',
      title: 'Database upgrade',
      body: 'PostgreSQL **15.9**. <script>alert(1)</script>',
      startsAt: '2026-11-24T21:00:00Z',
      endsAt: '2026-11-24T22:30:00Z',
      components: [database.id],
    });
    assert.equal(night.state, 'scheduled');
    assert.equal(night.inBusinessHours, false);
    await assert.rejects(
      scheduleMaintenance(deps, deps.local, {
        ...daytime,
        startsAt: '2026-11-24T21:00:00Z',
        endsAt: '2026-11-24T20:00:00Z',
      }),
      (error) => isRoostError(error, 'invalid_input'),
    );

    const app = createStatusApp({
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
      },
    });
    const json = async (path: string) =>
      (await (await app.request(`/s/acme-prod/api/v2/${path}`)).json()) as Record<string, unknown>;
    type Window = {
      id: string;
      status: string;
      impact: string;
      components: Array<{ id: string; status: string }>;
    };
    const windows = async (path: string) =>
      ((await json(path)).scheduled_maintenances as Window[]).map((entry) => [entry.id, entry.status]);

    assert.deepEqual(await windows('scheduled-maintenances/upcoming.json'), [[night.id, 'scheduled']]);
    assert.deepEqual(await windows('scheduled-maintenances/active.json'), []);
    for (const path of [
      'scheduled-maintenances.json',
      'scheduled-maintenances/upcoming.json',
      'summary.json',
    ] as const)
      assert.deepEqual(shapeDifferences(await json(path), statuspageV2[path]), [], path);
    const page = await (await app.request('/s/acme-prod/')).text();
    assert.match(page, /Maintenance<\/h2>/);
    assert.match(page, /PostgreSQL <strong>15\.9<\/strong>/);
    assert.doesNotMatch(page, /<script>alert/);

    // The window opens: the job moves it, the component is under maintenance.
    deps.clock.set('2026-11-24T21:00:00Z');
    assert.equal(await advanceMaintenances(deps), 1);
    assert.equal(await advanceMaintenances(deps), 0);
    assert.deepEqual(await windows('scheduled-maintenances/active.json'), [[night.id, 'in_progress']]);
    const summary = (await json('summary.json')) as {
      components: Array<{ id: string; status: string }>;
      status: { indicator: string };
    };
    assert.equal(
      summary.components.find((component) => component.id === database.id)?.status,
      'under_maintenance',
    );
    assert.ok(statuspageEnums.indicator?.includes(summary.status.indicator));
    assert.deepEqual(
      shapeDifferences(
        await json('scheduled-maintenances/active.json'),
        statuspageV2['scheduled-maintenances/active.json'],
      ),
      [],
    );

    deps.clock.set('2026-11-24T22:30:00Z');
    assert.equal(await advanceMaintenances(deps), 1);
    const [latest] = await listMaintenances(deps, deps.local, { slug: 'acme-prod' });
    assert.equal(latest?.id, night.id);
    assert.equal(latest?.state, 'completed');
    assert.deepEqual(await windows('scheduled-maintenances/upcoming.json'), []);
    assert.match(await (await app.request('/s/acme-prod/history')).text(), /Completed maintenance/);
    const actions = (await deps.audit.list({ target: night.id })).map((event) => event.action).sort();
    assert.deepEqual(actions, ['maintenance.completed', 'maintenance.in_progress', 'maintenance.schedule']);
  });
});
