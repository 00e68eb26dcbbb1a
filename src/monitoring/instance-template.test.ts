import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeEachDialect } from '../../test/fixtures/store.ts';
import type { Instance } from '../instances/index.ts';
import { monitoringLifecycle } from './instance-template.ts';
import { listMonitors } from './list-monitors.ts';
import { writeChecks } from './results.ts';
import { openMonitoring } from './test-fixture.ts';

describeEachDialect('instance monitoring template', (use) => {
  it('creates monitors when provisioned, follows a moved endpoint, erases everything at decommission', async (t) => {
    const m = await openMonitoring(await use(t));
    if (!m) return;
    let endpoints = ['http://127.0.0.1:41001'];
    const listener = monitoringLifecycle({ ...m.deps, apiEndpoints: async () => endpoints });
    const now = m.clock.now();
    const instance: Instance = {
      id: 'ins_template1',
      slug: 'acme',
      customer: 'Acme',
      environment: 'production',
      runtime: 'local',
      release: { api: 'a', db: 'b', cache: 'c' },
      replicas: 1,
      running: true,
      state: 'running',
      lastError: null,
      createdAt: now,
      updatedAt: now,
      decommissionedAt: null,
    };
    await listener.provisioned?.(instance);
    await listener.provisioned?.(instance); // idempotent: a scale or retry converges again
    let monitors = await listMonitors(m.deps, m.local, { instanceId: instance.id });
    assert.deepEqual(monitors.map((monitor) => [monitor.name, monitor.kind, monitor.source]).sort(), [
      ['acme API', 'http', 'template'],
      ['acme app status', 'app_status', 'template'],
    ]);
    assert.equal(
      (monitors.find((monitor) => monitor.kind === 'app_status')?.settings as { url?: string } | undefined)
        ?.url,
      'http://127.0.0.1:41001/status',
    );
    assert.equal(monitors[0]?.labels.environment, 'production');

    endpoints = ['http://127.0.0.1:41002'];
    await listener.provisioned?.(instance);
    monitors = await listMonitors(m.deps, m.local, { instanceId: instance.id });
    assert.equal(monitors.length, 2);
    assert.ok(
      monitors.every((monitor) =>
        (monitor.settings as { url: string }).url.startsWith('http://127.0.0.1:41002/'),
      ),
    );

    const first = monitors[0]?.id ?? '';
    await writeChecks(
      m.deps.store.db,
      [{ monitorId: first, at: now.getTime(), ok: false, latencyMs: 3, message: 'down' }],
      [],
    );
    const erased = await listener.erase?.(instance);
    assert.deepEqual(erased?.items, ['2 monitor(s) with their roll-ups', '1 check result(s)', '0 alert(s)']);
    assert.equal((await listMonitors(m.deps, m.local, { instanceId: instance.id })).length, 0);
    assert.equal((await m.deps.store.db.selectFrom('check_rollups').selectAll().execute()).length, 0);
    assert.deepEqual(await listener.erase?.(instance), {
      items: ['0 monitor(s) with their roll-ups', '0 check result(s)', '0 alert(s)'],
    });
  });
});
