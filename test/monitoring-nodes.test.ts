// Nodes get their monitors from one template, checked for real on loopback (listeners this test opens on
// a loopback address of its own, and a real node_exporter); removing the node removes them. Host
// baselines survive a restart of the scheduler.
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import net from 'node:net';
import { it } from 'node:test';
import type { Baseline } from '../src/core/baseline.ts';
import { createMonitor, listMonitors, Scheduler } from '../src/monitoring/index.ts';
import { openMonitoring } from '../src/monitoring/test-fixture.ts';
import { addNode, listNodes, removeNode } from '../src/nodes/index.ts';
import { startNodeExporter } from './fixtures/node-exporter.ts';
import { describeEachDialect } from './fixtures/store.ts';

async function listenOn(host: string, port: number): Promise<net.Server> {
  const server = net.createServer((socket) => socket.end());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}

describeEachDialect('nodes', (use) => {
  it('a front node gets TCP 443/80/22, host metrics and unresponsive; removal takes them away', async (t) => {
    const m = await openMonitoring(await use(t), '2026-03-02T09:00:00Z');
    if (!m) return;
    // A loopback address of this test only: ports 443 and 80 answer, 22 does not.
    const address = `127.${randomInt(1, 250)}.${randomInt(1, 250)}.${randomInt(2, 250)}`;
    const servers = [await listenOn(address, 443), await listenOn(address, 80)];
    const exporter = await startNodeExporter();
    t.after(async () => {
      for (const server of servers) server.close();
      await exporter.stop();
    });
    const { node, monitors } = await addNode(m.deps, m.local, {
      name: 'front-1',
      address,
      roles: ['front'],
      exporterUrl: exporter.url,
    });
    assert.deepEqual(monitors, [
      'node front-1 tcp 443',
      'node front-1 tcp 80',
      'node front-1 tcp 22',
      'node front-1 host metrics',
      'node front-1 unresponsive',
    ]);
    const db = await addNode(m.deps, m.local, { name: 'db-1', address: '127.0.0.1', roles: ['db'] });
    assert.deepEqual(
      db.monitors,
      ['node db-1 unresponsive'],
      'no exporter: SSH answering is the sign of life',
    );
    await assert.rejects(
      addNode(m.deps, m.local, { name: 'front-1', address, roles: ['front'] }),
      /name: a node named front-1 exists/,
    );
    await assert.rejects(addNode(m.deps, m.local, { name: 'x', address, roles: ['web' as never] }), /roles/);

    const scheduler = new Scheduler(m.deps);
    await scheduler.refresh();
    for (let round = 0; round < 3; round++) {
      m.clock.advance(60_000);
      await scheduler.runDue();
    }
    const front = (await listMonitors(m.deps, m.local, {})).filter((monitor) =>
      monitor.name.startsWith('node front-1'),
    );
    const states = Object.fromEntries(
      front.map((monitor) => [monitor.name.replace('node front-1 ', ''), monitor.state]),
    );
    // Host metrics answered: up, or down for a limit this busy machine crosses (CPU during the test run).
    const host = front.find((monitor) => monitor.name.endsWith('host metrics'));
    assert.match(host?.lastMessage ?? '', /^(over the limit: |cpu |memory )/, host?.lastMessage ?? '');
    delete states['host metrics'];
    assert.deepEqual(states, { 'tcp 443': 'up', 'tcp 80': 'up', 'tcp 22': 'down', unresponsive: 'up' });
    const [listed] = (await listNodes(m.deps, m.local)).filter((entry) => entry.id === node.id);
    assert.equal(listed?.monitors.length, 5);

    assert.deepEqual(await removeNode(m.deps, m.local, { name: 'front-1' }), {
      name: 'front-1',
      monitors: 5,
    });
    const left = (await listMonitors(m.deps, m.local, {})).map((monitor) => monitor.name);
    assert.deepEqual(left, ['node db-1 unresponsive']);
    assert.deepEqual(
      (await listNodes(m.deps, m.local)).map((entry) => entry.name),
      ['db-1'],
    );
    await assert.rejects(removeNode(m.deps, m.local, { name: 'front-1' }), /no node front-1/);
    // The name is free again once the node is gone.
    await addNode(m.deps, m.local, { name: 'front-1', address, roles: ['front', 'staging'] });
  });

  it('keeps host baselines across a restart of the scheduler', async (t) => {
    const m = await openMonitoring(await use(t), '2026-03-02T09:00:00Z'); // 10:00 in Paris
    if (!m) return;
    const exporter = await startNodeExporter();
    t.after(() => exporter.stop());
    const { monitor } = await createMonitor(m.deps, m.local, {
      name: 'host',
      kind: 'host',
      settings: { url: exporter.url, cpuPercent: 100, memoryPercent: 100, diskPercent: 100 },
      intervalSeconds: 60,
    });
    const memoryCount = async () => {
      const row = await m.deps.store.db
        .selectFrom('monitor_baselines')
        .select('state')
        .where('monitor_id', '=', monitor.id)
        .where('metric', '=', 'memory')
        .executeTakeFirst();
      return row ? (JSON.parse(row.state) as Baseline).hours[10]?.count : undefined;
    };
    const first = new Scheduler(m.deps);
    await first.refresh();
    for (let round = 0; round < 3; round++) {
      m.clock.advance(60_000);
      await first.runDue();
    }
    assert.equal(await memoryCount(), 3);
    await first.stop();

    const restarted = new Scheduler(m.deps);
    await restarted.refresh();
    m.clock.advance(60_000);
    await restarted.runDue();
    assert.equal(await memoryCount(), 4, 'the restarted scheduler went on from the saved baseline');
  });
});
