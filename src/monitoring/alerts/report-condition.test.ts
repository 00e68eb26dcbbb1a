import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeEachDialect } from '../../../test/fixtures/store.ts';
import { openMonitoring } from '../test-fixture.ts';
import { listAlerts } from './list-alerts.ts';
import type { AlertTransition } from './records.ts';
import { conditionReporter } from './report-condition.ts';

describeEachDialect('conditions reported by other domains', (use) => {
  it('fire at once, stay one alert per key, tell listeners and resolve when cleared', async (t) => {
    const m = await openMonitoring(await use(t));
    if (!m) return;
    const heard: AlertTransition[] = [];
    const reporter = conditionReporter({
      ...m.deps,
      listeners: [{ name: 'test', alertChanged: (x) => void heard.push(x) }],
    });
    const condition = {
      source: 'backups',
      key: 'ins_acme:backup-failed',
      instanceId: 'ins_acme',
      severity: 'critical' as const,
      summary: 'the backup of acme failed 3 times: backup node unreachable',
    };
    await reporter.report({ ...condition, active: true });
    await reporter.report({ ...condition, active: true });
    let alerts = await listAlerts(m.deps, m.local);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.state, 'firing');
    assert.equal(alerts[0]?.labels.source, 'backups');
    assert.equal(alerts[0]?.instanceId, 'ins_acme');
    m.clock.advance(60_000);
    await reporter.report({ ...condition, active: false });
    alerts = await listAlerts(m.deps, m.local);
    assert.equal(alerts[0]?.state, 'resolved');
    assert.ok(heard.some((x) => x.kind === 'firing') && heard.some((x) => x.kind === 'resolved'));
  });
});
