import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeEachDialect } from '../../../test/fixtures/store.ts';
import { openMonitoring } from '../test-fixture.ts';
import { ingestAlertmanager } from './ingest-alertmanager.ts';
import { listAlerts } from './list-alerts.ts';

const payload = (status: 'firing' | 'resolved') => ({
  version: '4',
  groupKey: '{}:{alertname="DiskFull"}',
  receiver: 'roost',
  status,
  alerts: [
    {
      status,
      labels: {
        alertname: 'DiskFull',
        severity: 'critical',
        instance: 'db1:9100',
        roost_instance: 'ins_acme',
      },
      annotations: { summary: 'disk /var on db1 is 97 % full' },
      startsAt: '2026-03-02T08:55:00Z',
      endsAt: status === 'resolved' ? '2026-03-02T09:10:00Z' : '0001-01-01T00:00:00Z',
      fingerprint: 'a1b2c3d4e5f60718',
    },
  ],
});

describeEachDialect('Alertmanager webhook receiver', (use) => {
  it('turns firing and resolved alerts into Roost alerts, one per fingerprint', async (t) => {
    const m = await openMonitoring(await use(t));
    if (!m) return;
    assert.deepEqual(await ingestAlertmanager(m.deps, m.local, payload('firing')), { received: 1 });
    await ingestAlertmanager(m.deps, m.local, payload('firing')); // Alertmanager repeats itself
    let alerts = await listAlerts(m.deps, m.local);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.state, 'firing');
    assert.equal(alerts[0]?.severity, 'critical');
    assert.equal(alerts[0]?.instanceId, 'ins_acme');
    assert.equal(alerts[0]?.summary, 'disk /var on db1 is 97 % full');
    assert.equal(alerts[0]?.labels.source, 'alertmanager');
    m.clock.advance(15 * 60_000);
    await ingestAlertmanager(m.deps, m.local, payload('resolved'));
    alerts = await listAlerts(m.deps, m.local);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.state, 'resolved');
    await assert.rejects(
      ingestAlertmanager(m.deps, m.local, { status: 'firing', alerts: [{ status: 'firing' }] }),
      /alerts\.0\.labels/,
    );
  });
});
