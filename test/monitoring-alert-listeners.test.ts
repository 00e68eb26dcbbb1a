// Transitions made by people (acknowledge, resolve through the API or a notification link) reach the
// same alert listeners as the engine's (incident timelines), not only the scheduler's path.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAdminAppFor } from '../src/main.ts';
import { alertLinkToken } from '../src/monitoring/alerts/links.ts';
import type { AlertTransition } from '../src/monitoring/index.ts';
import { alertLinkKey } from '../src/monitoring/serve.ts';
import { startTestRoost, type TestRoost, tokenFor, userWithRole } from './fixtures/roost.ts';

describe('alert listeners hear every transition', () => {
  let test: TestRoost;
  const heard: AlertTransition[] = [];

  before(async () => {
    test = await startTestRoost();
    test.roost.alerting.listeners.push({ name: 'recorder', alertChanged: (t) => void heard.push(t) });
  });
  after(async () => test.close());

  async function openAlert(key: string): Promise<string> {
    await test.roost.conditions.report({
      source: 'test',
      key,
      instanceId: null,
      severity: 'warning',
      summary: `condition ${key}`,
      active: true,
    });
    const fired = heard.find((t) => t.kind === 'firing' && t.alert.summary === `condition ${key}`);
    assert.ok(fired, 'the engine told the listener the alert fired');
    return fired.alert.id;
  }

  it('acknowledge and resolve through the API', async () => {
    const id = await openAlert('api');
    const app = createAdminAppFor(test.roost);
    const token = await tokenFor(test.roost, await userWithRole(test.roost, 'admin'));
    for (const action of ['acknowledge', 'resolve'] as const) {
      const response = await app.request(`/api/v1/alerts/${id}/${action}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{}',
      });
      assert.equal(response.status, 200, await response.text());
    }
    const kinds = heard.filter((t) => t.alert.id === id).map((t) => t.kind);
    assert.deepEqual(kinds, ['pending', 'firing', 'acknowledged', 'resolved']);
    const resolved = heard.find((t) => t.alert.id === id && t.kind === 'resolved');
    assert.equal(resolved?.alert.state, 'resolved');
  });

  it('resolve through the link of a notification', async () => {
    const id = await openAlert('link');
    const app = createAdminAppFor(test.roost);
    const token = alertLinkToken(await alertLinkKey(test.roost), id);
    const response = await app.request('/alert-links/resolve', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }).toString(),
    });
    assert.equal(response.status, 200, await response.text());
    assert.deepEqual(
      heard.filter((t) => t.alert.id === id).map((t) => t.kind),
      ['pending', 'firing', 'resolved'],
    );
  });

  it('alerts received from Alertmanager', async () => {
    const app = createAdminAppFor(test.roost);
    const token = await tokenFor(test.roost, await userWithRole(test.roost, 'operator'));
    const response = await app.request('/api/v1/alertmanager/webhook', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        status: 'firing',
        alerts: [
          {
            status: 'firing',
            labels: { alertname: 'DiskFull', severity: 'critical', roost_instance: 'ins_am' },
            annotations: { summary: 'disk /var on db1 is 97 % full' },
            startsAt: new Date(test.clock.now().getTime() - 60_000).toISOString(),
            fingerprint: 'listeners0001',
          },
        ],
      }),
    });
    assert.equal(response.status, 200, await response.text());
    const kinds = heard.filter((t) => t.alert.instanceId === 'ins_am').map((t) => t.kind);
    assert.deepEqual(kinds, ['pending', 'firing']);
  });
});
