import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeEachDialect } from '../../test/fixtures/store.ts';
import { isRoostError } from '../core/errors.ts';
import { createMonitor } from './create-monitor.ts';
import { deleteMonitor } from './delete-monitor.ts';
import { getMonitor, listMonitors } from './list-monitors.ts';
import { writeChecks } from './results.ts';
import { openMonitoring } from './test-fixture.ts';
import { updateMonitor } from './update-monitor.ts';
import { uptimeOf } from './uptime.ts';

describeEachDialect('monitors', (use) => {
  it('creates, lists, updates and deletes monitors, each step audited', async (t) => {
    const m = await openMonitoring(await use(t));
    if (!m) return;
    const { monitor } = await createMonitor(m.deps, m.local, {
      name: 'API health',
      kind: 'http',
      settings: { url: 'https://acme.example/health', keyword: 'ok', jsonPath: '$.checks.database.status' },
      labels: { team: 'ops' },
    });
    assert.equal(monitor.kind, 'http');
    assert.equal(monitor.intervalSeconds, 60);
    assert.deepEqual(monitor.labels, { team: 'ops' });
    const created = await createMonitor(m.deps, m.local, {
      name: 'backup',
      kind: 'heartbeat',
      settings: { cron: '0 2 * * *' },
    });
    assert.ok(
      created.pushToken && created.pushToken.length > 20,
      'a heartbeat gets a push token, shown once',
    );

    assert.equal((await listMonitors(m.deps, m.local)).length, 2);
    assert.equal((await listMonitors(m.deps, m.local, { kind: 'heartbeat' })).length, 1);
    const updated = await updateMonitor(m.deps, m.local, {
      id: monitor.id,
      changes: { intervalSeconds: 30, forSeconds: 120 },
    });
    assert.equal(updated.intervalSeconds, 30);
    assert.equal((updated.settings as { keyword?: string }).keyword, 'ok', 'settings kept');
    await deleteMonitor(m.deps, m.local, { id: monitor.id });
    await assert.rejects(getMonitor(m.deps, m.local, { id: monitor.id }), (error) =>
      isRoostError(error, 'not_found'),
    );
    const actions = (await m.deps.audit.list({ action: 'monitor.' })).map((event) => event.action).sort();
    assert.deepEqual(actions, ['monitor.create', 'monitor.create', 'monitor.delete', 'monitor.update']);
  });

  it('refuses bad definitions with a message naming the field', async (t) => {
    const m = await openMonitoring(await use(t));
    if (!m) return;
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ name: 'x', kind: 'http', settings: { url: 'not a url' } }, /^settings\.url: an absolute http/],
      [{ name: 'x', kind: 'http', settings: { url: 'ftp://example.org/' } }, /^settings\.url:/],
      [
        { name: 'x', kind: 'http', settings: { url: 'http://example.org/', pattern: '(unclosed' } },
        /^settings\.pattern: a valid regular expression/,
      ],
      [
        { name: 'x', kind: 'http', settings: { url: 'http://example.org/', jsonPath: 'checks..db' } },
        /^settings\.jsonPath: a JSON path/,
      ],
      [
        { name: 'x', kind: 'heartbeat', settings: { timeZone: 'Mars/Olympus' } },
        /^settings\.timeZone: an IANA time zone/,
      ],
      [
        { name: 'x', kind: 'heartbeat', settings: { cron: '61 * * * *' } },
        /^settings\.cron: invalid cron expression/,
      ],
      [{ name: 'x', kind: 'tcp', settings: { host: 'db.example', port: 70000 } }, /^settings\.port/],
      [{ name: 'x', kind: 'tcp', settings: { host: 'bad host!', port: 22 } }, /^settings\.host/],
      [{ name: 'x', kind: 'ping' }, /^kind/],
      [
        { name: 'x', kind: 'http', settings: { url: 'http://example.org/' }, intervalSeconds: 1 },
        /^intervalSeconds/,
      ],
    ];
    for (const [input, message] of cases) {
      await assert.rejects(
        createMonitor(m.deps, m.local, input as never),
        (error) => isRoostError(error, 'invalid_input') && message.test(error.message),
        `${JSON.stringify(input)} → ${message}`,
      );
    }
    assert.equal((await listMonitors(m.deps, m.local)).length, 0);
  });

  it('rolls results up per minute, hour and day and reads uptime back', async (t) => {
    const m = await openMonitoring(await use(t));
    if (!m) return;
    const { monitor } = await createMonitor(m.deps, m.local, {
      name: 'port',
      kind: 'tcp',
      settings: { host: '127.0.0.1', port: 1 },
    });
    const start = Date.parse('2026-03-02T10:00:00Z');
    const checks = Array.from({ length: 120 }, (_, i) => ({
      monitorId: monitor.id,
      at: start + i * 30_000,
      ok: i % 10 !== 0,
      latencyMs: 10 + (i % 5),
      message: 'x',
    }));
    // Two batches that share buckets: roll-ups add up.
    await writeChecks(m.deps.store.db, checks.slice(0, 50), []);
    await writeChecks(m.deps.store.db, checks.slice(50), []);
    const [hourly] = await uptimeOf(m.deps.store, [monitor.id], start, start + 3_600_000, 'hour');
    assert.equal(hourly?.checks, 120);
    assert.equal(hourly?.failures, 12);
    assert.equal(hourly?.uptime, 0.9);
    const [minutes] = await uptimeOf(m.deps.store, [monitor.id], start, start + 3_600_000, 'minute');
    assert.equal(minutes?.buckets.length, 60);
    assert.equal(minutes?.buckets[0]?.checks, 2);
    assert.equal(minutes?.buckets[0]?.latencyMaxMs, 11);
    const [daily] = await uptimeOf(m.deps.store, [monitor.id], start - 86_400_000, start + 86_400_000, 'day');
    assert.equal(daily?.buckets.length, 1);
  });
});
