import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeEachDialect } from '../../../test/fixtures/store.ts';
import { insertInstanceRow } from '../../status/instance-row.ts';
import { createMonitor } from '../create-monitor.ts';
import { writeChecks } from '../results.ts';
import { openMonitoring } from '../test-fixture.ts';
import { computeWeeklyReport } from './compute-report.ts';
import { weekBefore, weekOf, weekRange } from './week.ts';

const hour = 3_600_000;

describeEachDialect('weekly report figures', (use) => {
  it('reads a week of 169 hours (DST ends) in Paris from the hourly histograms', async (t) => {
    const m = await openMonitoring(await use(t), '2026-10-20T10:00:00Z');
    if (!m) return;
    const week = weekRange('2026-W43', 'Europe/Paris'); // Mon 19 Oct to Mon 26 Oct; clocks go back on the 25th
    assert.equal((week.to - week.from) / hour, 169);
    assert.equal(week.from, Date.parse('2026-10-18T22:00:00Z'));
    assert.equal(week.to, Date.parse('2026-10-25T23:00:00Z'));
    assert.equal(weekBefore(Date.parse('2026-10-26T07:00:00Z'), 'Europe/Paris').label, '2026-W43');
    assert.equal(weekOf(Date.parse('2027-01-01T12:00:00Z'), 'Europe/Paris').label, '2026-W53');
    const slug = `w43-${Math.random().toString(36).slice(2, 8)}`;
    const instanceId = await insertInstanceRow(m.deps.store, m.clock, slug);
    const { monitor } = await createMonitor(m.deps, m.local, {
      name: 'api',
      kind: 'tcp',
      settings: { host: '127.0.0.1', port: 9 },
      instanceId,
    });
    // Four checks an hour: 10, 20, 30 and 400 ms; one outside the week on each side.
    const checks = [week.from - 1, week.to].map((at) => ({
      monitorId: monitor.id,
      at,
      ok: false,
      latencyMs: 9_000,
      message: 'outside',
    }));
    for (let at = week.from; at < week.to; at += hour)
      for (const [offset, latencyMs] of [10, 20, 30, 400].entries())
        checks.push({ monitorId: monitor.id, at: at + offset * 60_000, ok: true, latencyMs, message: 'ok' });
    await writeChecks(m.deps.store.db, checks, []);
    const report = await computeWeeklyReport(
      { store: m.deps.store },
      { id: instanceId, slug, customer: 'c' },
      week,
      'Europe/Paris',
    );
    // p50: rank 338 ends the (18, 22] bin of the 20 ms checks; p95: rank 642.2 is 80 % into (350, 400].
    assert.deepEqual(report.current, { checks: 676, failures: 0, uptime: 1, p50Ms: 22, p95Ms: 390 });
    assert.equal(report.previous.week, '2026-W42');
    assert.equal(report.previous.checks, 1, 'the check just before Monday 00:00 belongs to W42');
    assert.equal(report.days.length, 7);
    assert.equal(report.days[6]?.day, Date.parse('2026-10-24T22:00:00Z'), 'Sunday starts in summer time');
    assert.equal(report.slowest[0]?.latencyMaxMs, 400);
  });
});
