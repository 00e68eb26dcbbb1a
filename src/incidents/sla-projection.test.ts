import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeEachDialect } from '../../test/fixtures/store.ts';
import { computeSla } from '../core/sla.ts';
import { conditionReporter } from '../monitoring/index.ts';
import { addComponent, configureStatusPage, type UptimeBucket } from '../status/index.ts';
import { openStatusDeps } from '../status/test-fixture.ts';
import { checkSlaProjections, projectSla } from './index.ts';

/** Minute roll-ups from monitoring, synthetic: `down(time)` says which minutes were a major outage. */
function syntheticUptime(down: (time: number) => boolean) {
  return {
    buckets: async (_monitors: readonly string[], from: Date, to: Date) => {
      const buckets: UptimeBucket[] = [];
      for (let time = from.getTime(); time < to.getTime(); time += 60_000) {
        const outage = down(time);
        buckets.push({
          start: new Date(time),
          end: new Date(time + 60_000),
          operational: outage ? 0 : 60,
          degraded: 0,
          partial: 0,
          major: outage ? 60 : 0,
        });
      }
      return buckets;
    },
  };
}

it('projects the month from the downtime so far and the last 24 hours', () => {
  // November 2026 in Paris: 30 days; at noon on the 10th, 2 hours down so far, 1% down lately.
  const timeZone = 'Europe/Paris';
  const soFar = computeSla({
    month: '2026-11',
    timeZone,
    target: 99,
    buckets: [
      {
        start: new Date('2026-10-31T23:00:00Z'),
        end: new Date('2026-11-10T11:00:00Z'),
        operational: 0,
        degraded: 0,
        partial: 0,
        major: 0,
      },
    ].map((bucket) => {
      const seconds = (bucket.end.getTime() - bucket.start.getTime()) / 1000;
      return { ...bucket, operational: seconds - 7_200, major: 7_200 };
    }),
    excluded: [],
  });
  const recent = { ...soFar, measuredSeconds: 86_400, downtimeSeconds: 864 };
  const now = new Date('2026-11-10T11:00:00Z');
  const projection = projectSla({ soFar, recent, now, excluded: [] });
  const remaining = (Date.parse('2026-11-30T23:00:00Z') - now.getTime()) / 1000;
  assert.equal(projection.remainingSeconds, remaining);
  assert.equal(projection.recentRate, 0.01);
  assert.equal(Math.round(projection.projectedDowntimeSeconds), Math.round(7_200 + 0.01 * remaining));
  assert.equal(projection.atRisk, false, 'about 6 h 57 min of the 7 h 12 min allowed');
  // The same month with maintenance ahead: less time at risk.
  const withWindow = projectSla({
    soFar,
    recent: { ...recent, downtimeSeconds: 2_000 },
    now,
    excluded: [{ start: new Date('2026-11-20T22:00:00Z'), end: new Date('2026-11-21T02:00:00Z') }],
  });
  assert.equal(withWindow.remainingSeconds, remaining - 4 * 3_600);
  assert.equal(withWindow.atRisk, true);
  // No data at all: not judged.
  const empty = computeSla({ month: '2026-11', timeZone, target: 99, buckets: [], excluded: [] });
  assert.equal(projectSla({ soFar: empty, recent: empty, now, excluded: [] }).atRisk, false);
});

describeEachDialect('SLA projection alert', (use) => {
  it('raises a warning through alerting while a month is projected to miss, and clears it when back on track', async (t) => {
    const deps = await openStatusDeps(await use(t), '2026-11-10T11:00:00Z');
    if (!deps) return;
    const steady = await deps.addInstance('steady-prod', 'Steady');
    const flaky = await deps.addInstance('flaky-prod', 'Flaky');
    await addComponent(deps, deps.local, { slug: 'steady-prod', name: 'API', monitors: ['mon_steady'] });
    await addComponent(deps, deps.local, { slug: 'flaky-prod', name: 'API', monitors: ['mon_flaky'] });
    await configureStatusPage(deps, deps.local, { slug: 'steady-prod', slaTarget: 99 });
    let flakyUntil = Date.parse('2026-11-10T11:00:00Z');
    const steadyDown = (time: number) =>
      time >= Date.parse('2026-11-02T08:00:00Z') && time < Date.parse('2026-11-02T10:00:00Z');
    // Flaky: down 6 minutes of every hour during the last 24 hours (10%), until it is fixed.
    const flakyDown = (time: number) =>
      time >= Date.parse('2026-11-09T11:00:00Z') && time < flakyUntil && new Date(time).getUTCMinutes() < 6;
    const uptime = {
      buckets: async (monitors: readonly string[], from: Date, to: Date) =>
        syntheticUptime(monitors.includes('mon_flaky') ? flakyDown : steadyDown).buckets(monitors, from, to),
    };
    const conditions = conditionReporter(deps);
    const projectionDeps = { ...deps, uptime, timeZone: 'Europe/Paris', conditions };
    const alertsOf = async (instanceId: string) =>
      deps.store.db
        .selectFrom('alerts')
        .select(['state', 'severity', 'summary', 'labels'])
        .where('instance_id', '=', instanceId)
        .execute();

    assert.deepEqual(await checkSlaProjections(projectionDeps), { checked: 2, atRisk: 1 });
    const [risky] = await alertsOf(flaky);
    assert.equal(risky?.state, 'firing');
    assert.equal(risky?.severity, 'warning');
    assert.match(risky?.summary ?? '', /^flaky-prod: 2026-11 projected at 9\d\.\d{3}% against its 99% SLA/);
    assert.equal(JSON.parse(risky?.labels ?? '{}').source, 'sla');
    assert.deepEqual(await alertsOf(steady), [], 'two hours down early in the month is within 99%');

    // Fixed at 11:00; a day later the last 24 hours are clean and the month is back on track.
    deps.clock.set('2026-11-11T11:30:00Z');
    flakyUntil = Date.parse('2026-11-10T11:00:00Z');
    assert.deepEqual(await checkSlaProjections(projectionDeps), { checked: 2, atRisk: 0 });
    assert.equal((await alertsOf(flaky))[0]?.state, 'resolved');
    const keys = await deps.store.db.selectFrom('alerts').select('fingerprint').execute();
    assert.equal(keys.length, 1, 'one alert for the instance and month');
  });
});
