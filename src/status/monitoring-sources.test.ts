// The wiring between domains: status pages read monitor states and roll-ups, monitoring reads the status
// pages' maintenance windows, incident timelines hear about alerts. Real store, both dialects.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeEachDialect } from '../../test/fixtures/store.ts';
import { newId } from '../core/ids.ts';
import { alertTimeline, createIncident, getIncident } from '../incidents/index.ts';
import { type Alert, createMonitor } from '../monitoring/index.ts';
import { maintenanceWindows, monitorHealth, monitorUptime } from './index.ts';
import { openStatusDeps } from './test-fixture.ts';

describeEachDialect('status and incidents read monitoring', (use) => {
  it('colours components from monitor states and turns roll-ups into seconds per state', async (t) => {
    const deps = await openStatusDeps(await use(t), '2026-11-20T10:00:00Z');
    if (!deps) return;
    const monitor = async (name: string) =>
      (
        await createMonitor(deps, deps.local, {
          name,
          kind: 'http',
          settings: { url: `https://${name}.example/health` },
        })
      ).monitor.id;
    const [api, login, db] = [await monitor('api'), await monitor('login'), await monitor('db')];
    const setState = (id: string, state: 'up' | 'down') =>
      deps.store.db.updateTable('monitors').set({ state }).where('id', '=', id).execute();
    await setState(api, 'up');
    await setState(login, 'down');
    await setState(db, 'down');
    const health = await monitorHealth(deps.store).current([
      { componentId: 'cmp_api', monitorIds: [api] },
      { componentId: 'cmp_mixed', monitorIds: [api, login] },
      { componentId: 'cmp_down', monitorIds: [login, db] },
      { componentId: 'cmp_none', monitorIds: [] },
    ]);
    assert.deepEqual(Object.fromEntries(health), {
      cmp_api: 'operational',
      cmp_mixed: 'partial_outage',
      cmp_down: 'major_outage',
    });

    // One minute: api failed 1 check in 4, login 2 in 4: both down a quarter of the minute, one of them
    // another quarter, all up the remaining half.
    const minute = Date.parse('2026-11-20T09:00:00Z');
    for (const [id, failures] of [
      [api, 1],
      [login, 2],
    ] as const) {
      await deps.store.db
        .insertInto('check_rollups')
        .values({
          monitor_id: id,
          granularity: 'minute',
          bucket: minute,
          checks: 4,
          failures,
          latency_sum: 40,
          latency_max: 20,
        })
        .execute();
    }
    const buckets = await monitorUptime(deps.store).buckets(
      [api, login],
      new Date(minute),
      new Date(minute + 60_000),
      'minute',
    );
    assert.deepEqual(
      buckets.map(({ operational, degraded, partial, major }) => ({ operational, degraded, partial, major })),
      [{ operational: 30, degraded: 0, partial: 15, major: 15 }],
    );
  });

  it('gives monitoring the maintenance window an instance is in, and alerts reach open incidents', async (t) => {
    const deps = await openStatusDeps(await use(t), '2026-11-20T10:00:00Z');
    if (!deps) return;
    const instanceId = await deps.addInstance('acme-prod', 'Acme');
    const now = deps.clock.now().getTime();
    await deps.store.db
      .insertInto('maintenances')
      .values({
        id: newId('mnt', deps.clock.now()),
        instance_id: instanceId,
        title: 'Database upgrade',
        body: '',
        state: 'in_progress',
        components: '[]',
        starts_at: now - 60_000,
        ends_at: now + 3_600_000,
        in_business_hours: 0,
        created_at: now,
        updated_at: now,
      })
      .execute();
    const windows = maintenanceWindows(deps.store);
    assert.equal((await windows.activeMaintenance(instanceId, now))?.title, 'Database upgrade');
    assert.equal(await windows.activeMaintenance(instanceId, now + 7_200_000), null);
    assert.equal(await windows.activeMaintenance(null, now), null);

    const incident = await createIncident(deps, deps.local, {
      title: 'API answers 502',
      severity: 'critical',
      instances: ['acme-prod'],
    });
    const alert: Alert = {
      id: 'alr_1',
      fingerprint: 'f',
      monitorId: null,
      instanceId,
      groupKey: instanceId,
      severity: 'critical',
      labels: {},
      summary: 'acme-prod API is down',
      state: 'firing',
      route: 'oncall',
      level: 1,
      suppressedBy: null,
      pendingSince: deps.clock.now(),
      firedAt: deps.clock.now(),
      resolvedAt: null,
      acknowledgedAt: null,
      acknowledgedBy: null,
    };
    const listener = alertTimeline(deps);
    await listener.alertChanged({ kind: 'firing', alert, at: deps.clock.now() });
    await listener.alertChanged({ kind: 'pending', alert, at: deps.clock.now() });
    const { timeline } = await getIncident(deps, deps.local, { id: incident.id });
    const alerts = timeline.filter((entry) => entry.kind === 'alert');
    assert.equal(alerts.length, 1, 'pending is not worth a line; firing is');
    assert.match(alerts[0]?.body ?? '', /Alert firing: acme-prod API is down/);
  });
});
