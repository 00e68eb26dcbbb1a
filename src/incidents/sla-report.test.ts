import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeEachDialect } from '../../test/fixtures/store.ts';
import {
  addComponent,
  configureStatusPage,
  scheduleMaintenance,
  type UptimeBucket,
} from '../status/index.ts';
import { openStatusDeps } from '../status/test-fixture.ts';
import { slaReport } from './sla-report.ts';

describeEachDialect('SLA report', (use) => {
  it("reads its instance's monitors' minute roll-ups, leaves maintenance out and uses the page's target", async (t) => {
    const deps = await openStatusDeps(await use(t), '2026-12-01T08:00:00Z');
    if (!deps) return;
    await deps.addInstance('sla-prod');
    await addComponent(deps, deps.local, { slug: 'sla-prod', name: 'API', monitors: ['mon_a', 'mon_b'] });
    await addComponent(deps, deps.local, { slug: 'sla-prod', name: 'Login', monitors: ['mon_b'] });
    await configureStatusPage(deps, deps.local, { slug: 'sla-prod', slaTarget: 99.9 });
    // Saturday 21 November 2026, 02:00–03:00 Paris: the API was down, inside a maintenance window.
    await scheduleMaintenance(deps, deps.local, {
      slug: 'sla-prod',
      title: 'Upgrade',
      startsAt: '2026-11-21T01:00:00Z',
      endsAt: '2026-11-21T02:00:00Z',
    });
    const asked: Array<{ monitors: readonly string[]; size: string }> = [];
    const uptime = {
      // What monitoring would give: the month up, with 60 minutes down in the window and 30 outside it.
      buckets: async (monitors: readonly string[], from: Date, to: Date, size: 'minute' | 'day') => {
        asked.push({ monitors, size });
        const buckets: UptimeBucket[] = [];
        for (let time = from.getTime(); time < to.getTime(); time += 60_000) {
          const start = new Date(time);
          const down =
            (time >= Date.parse('2026-11-21T01:00:00Z') && time < Date.parse('2026-11-21T02:00:00Z')) ||
            (time >= Date.parse('2026-11-25T12:00:00Z') && time < Date.parse('2026-11-25T12:30:00Z'));
          buckets.push({
            start,
            end: new Date(time + 60_000),
            operational: down ? 0 : 60,
            degraded: 0,
            partial: 0,
            major: down ? 60 : 0,
          });
        }
        return buckets;
      },
    };
    const report = await slaReport({ ...deps, uptime, timeZone: 'Europe/Paris' }, deps.local, {
      slug: 'sla-prod',
      month: '2026-11',
    });
    assert.deepEqual(asked, [{ monitors: ['mon_a', 'mon_b'], size: 'minute' }]);
    assert.equal(report.target, 99.9);
    assert.equal(report.excludedSeconds, 3_600);
    assert.equal(report.downtimeSeconds, 1_800);
    assert.equal(report.measuredSeconds, 30 * 86_400 - 3_600);
    assert.equal(report.partial, false);
    // 99.9% of the time outside maintenance allows 43 min; 30 min down meets it.
    assert.equal(Math.round(report.allowedDowntimeSeconds / 60), 43);
    assert.equal(report.met, true);
    assert.equal(report.uptime?.toFixed(3), '99.930');
  });
});
