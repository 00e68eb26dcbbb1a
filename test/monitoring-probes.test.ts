// Probes and the scheduler against real loopback servers and a real node_exporter (Debian package).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { systemClock } from '../src/core/clock.ts';
import { createMonitor, Scheduler } from '../src/monitoring/index.ts';
import {
  checkHeartbeat,
  newHostMemory,
  probeAppStatus,
  probeHost,
  probeHttp,
  probeTcp,
} from '../src/monitoring/probes/index.ts';
import { httpSettingsSchema } from '../src/monitoring/records.ts';
import { openMonitoring } from '../src/monitoring/test-fixture.ts';
import { startNodeExporter } from './fixtures/node-exporter.ts';
import { openTestStore } from './fixtures/store.ts';
import { startHttpTarget, startRudeServer, type Target } from './fixtures/targets.ts';
import { selfSignedCertificate } from './fixtures/tls.ts';

const context = (timeoutMs = 2_000) => ({ timeoutMs, now: Date.now() });
const http = (settings: Record<string, unknown>) => httpSettingsSchema.parse(settings);

describe('probes on loopback', () => {
  let target: Target;
  before(async () => {
    target = await startHttpTarget((request, response) => {
      if (request.url === '/status') {
        response.writeHead(503, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            status: 'degraded',
            checks: { database: { status: 'ok' }, cache: { status: 'down', error: 'ECONNREFUSED' } },
          }),
        );
      } else if (request.url === '/slow') {
        setTimeout(() => response.end('late'), 300);
      } else if (request.url === '/missing') {
        response.writeHead(404).end('nope');
      } else {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({ status: 'ok', version: '1.2.3', checks: { database: { status: 'ok' } } }),
        );
      }
    });
  });
  after(() => target.close());

  it('HTTP: status, keyword, pattern, JSON path and latency', async () => {
    assert.equal((await probeHttp(http({ url: `${target.url}/` }), context())).ok, true);
    const missing = await probeHttp(http({ url: `${target.url}/missing` }), context());
    assert.equal(missing.ok, false);
    assert.match(missing.message, /status 404/);
    assert.equal(
      (await probeHttp(http({ url: `${target.url}/missing`, expectedStatus: [404] }), context())).ok,
      true,
    );
    assert.match(
      (await probeHttp(http({ url: `${target.url}/`, keyword: 'banana' }), context())).message,
      /keyword "banana" not found/,
    );
    assert.equal(
      (await probeHttp(http({ url: `${target.url}/`, pattern: '"version":"1\\.\\d+' }), context())).ok,
      true,
    );
    assert.equal(
      (
        await probeHttp(
          http({ url: `${target.url}/`, jsonPath: '$.checks.database.status', jsonEquals: 'ok' }),
          context(),
        )
      ).ok,
      true,
    );
    assert.match(
      (
        await probeHttp(
          http({ url: `${target.url}/`, jsonPath: '$.version', jsonEquals: '2.0.0' }),
          context(),
        )
      ).message,
      /\$\.version is 1\.2\.3, expected 2\.0\.0/,
    );
    assert.match(
      (await probeHttp(http({ url: `${target.url}/slow`, maxLatencyMs: 100 }), context())).message,
      /over 100 ms/,
    );
    assert.match(
      (await probeHttp(http({ url: `${target.url}/slow` }), context(100))).message,
      /timed out after 100 ms/,
    );
  });

  it('HTTPS: a certificate that expires soon fails the check', async (t) => {
    const directory = mkdtempSync(path.join(tmpdir(), 'roost-tls-'));
    t.after(() => rmSync(directory, { recursive: true, force: true }));
    const { key, cert } = selfSignedCertificate(directory, { days: 3 });
    const server = https.createServer(
      { key: readFileSync(key), cert: readFileSync(cert) },
      (_request, response) => response.end('ok'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    t.after(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const untrusted = await probeHttp(http({ url }), context());
    assert.equal(untrusted.ok, false, 'a self-signed certificate does not verify');
    const expiring = await probeHttp(http({ url, ignoreTlsErrors: true }), context());
    assert.match(expiring.message, /TLS certificate expires in [23] days/);
    assert.equal(
      (await probeHttp(http({ url, ignoreTlsErrors: true, tlsExpiryDays: 1 }), context())).ok,
      true,
    );
  });

  it('TCP: an open port passes, a closed one fails', async () => {
    assert.equal((await probeTcp({ host: '127.0.0.1', port: target.port }, context())).ok, true);
    const closed = await startHttpTarget();
    await closed.close();
    const result = await probeTcp({ host: '127.0.0.1', port: closed.port }, context());
    assert.equal(result.ok, false);
    assert.match(result.message, /ECONNREFUSED/);
  });

  it('application status: names each dependency that is not OK', async () => {
    const ok = await probeAppStatus({ url: `${target.url}/` }, context());
    assert.equal(ok.ok, true);
    const degraded = await probeAppStatus({ url: `${target.url}/status` }, context());
    assert.equal(degraded.ok, false);
    assert.match(degraded.message, /not OK: cache \(ECONNREFUSED\)/);
    assert.deepEqual(degraded.metrics, { 'dependency:database': 1, 'dependency:cache': 0 });
  });

  it('heartbeat: late pushes, by interval or by cron', () => {
    const push = Date.parse('2026-03-02T02:00:30Z');
    const settings = { timeZone: 'UTC', graceSeconds: 300 };
    assert.equal(checkHeartbeat(settings, push, 3600, push + 3600_000).ok, true);
    assert.equal(checkHeartbeat(settings, push, 3600, push + 3600_000 + 301_000).ok, false);
    const nightly = { ...settings, cron: '0 2 * * *' };
    assert.equal(checkHeartbeat(nightly, push, 60, Date.parse('2026-03-03T02:04:00Z')).ok, true);
    assert.equal(checkHeartbeat(nightly, push, 60, Date.parse('2026-03-03T02:06:00Z')).ok, false);
  });

  it('garbage and hanging targets become failures within the timeout', async () => {
    const garbage = await startRudeServer('garbage');
    const hanging = await startRudeServer('hang');
    try {
      const bad = await probeHttp(http({ url: garbage.url }), context());
      assert.equal(bad.ok, false);
      assert.match((await probeAppStatus({ url: garbage.url }, context())).message, /.+/);
      const stuck = await probeHttp(http({ url: hanging.url }), context(200));
      assert.match(stuck.message, /timed out after 200 ms/);
    } finally {
      await garbage.close();
      await hanging.close();
    }
  });
});

describe('host metrics from a real node_exporter', () => {
  it('reads CPU, memory, load and disks, and is down when unresponsive', async (t) => {
    const exporter = await startNodeExporter();
    t.after(() => exporter.stop());
    const settings = {
      url: exporter.url,
      cpuPercent: 100,
      memoryPercent: 100,
      diskPercent: 100,
      timeZone: 'Europe/Paris',
    };
    const memory = newHostMemory();
    const first = await probeHost(settings, context(5_000), memory);
    assert.equal(first.ok, true, first.message);
    assert.ok((first.metrics?.memory ?? -1) > 0, 'memory in use');
    assert.ok(
      Object.keys(first.metrics ?? {}).some((name) => name.startsWith('disk:/')),
      'a disk fill level',
    );
    assert.equal(first.metrics?.cpu, undefined, 'CPU needs two scrapes');
    // CPU is the change of node_exporter's counters between two scrapes: scrape again until they moved
    // (they advance in 10 ms steps, so two scrapes in a row may see the same values).
    let second = await probeHost(settings, context(5_000), memory);
    for (let deadline = Date.now() + 10_000; second.metrics?.cpu === undefined && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      second = await probeHost(settings, context(5_000), memory);
    }
    assert.ok(
      typeof second.metrics?.cpu === 'number' && second.metrics.cpu >= 0 && second.metrics.cpu <= 100,
      `a CPU figure after two scrapes: ${JSON.stringify(second.metrics)}`,
    );
    const tight = await probeHost({ ...settings, memoryPercent: 1 }, context(5_000), memory);
    assert.equal(tight.ok, false);
    assert.match(tight.message, /over the limit: .*memory/);
    await exporter.stop();
    const gone = await probeHost(settings, context(1_000), memory);
    assert.match(gone.message, /^unresponsive/);
  });
});

describe('scheduler', () => {
  it('keeps checking healthy targets while others hang or answer garbage', async (t) => {
    const opened = await openTestStore('sqlite', t);
    if (!opened) return;
    t.after(() => opened.close());
    const m = await openMonitoring(opened);
    if (!m) return;
    const deps = { ...m.deps, clock: systemClock };
    const healthy = await startHttpTarget();
    const garbage = await startRudeServer('garbage');
    const hanging = await startRudeServer('hang');
    t.after(async () => {
      await healthy.close();
      await garbage.close();
      await hanging.close();
    });
    for (let i = 0; i < 20; i++) {
      await createMonitor(deps, m.local, {
        name: `hang ${i}`,
        kind: 'http',
        settings: { url: hanging.url },
        intervalSeconds: 5,
        timeoutMs: 60_000,
      });
    }
    await createMonitor(deps, m.local, {
      name: 'garbage',
      kind: 'http',
      settings: { url: garbage.url },
      intervalSeconds: 5,
      retries: 0,
    });
    const { monitor: good } = await createMonitor(deps, m.local, {
      name: 'good',
      kind: 'http',
      settings: { url: `${healthy.url}/` },
      intervalSeconds: 5,
    });
    const scheduler = new Scheduler(deps, {}, { perTargetConcurrency: 2, flushMs: 200 });
    await scheduler.refresh();
    assert.equal(scheduler.size, 22);
    scheduler.start();
    t.after(() => scheduler.stop());
    const deadline = Date.now() + 20_000;
    while (healthy.hits() < 2 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(healthy.hits() >= 2, 'the healthy target is checked on schedule');
    await scheduler.flush();
    const rows = await deps.store.db
      .selectFrom('monitors')
      .select(['name', 'state', 'last_message'])
      .execute();
    assert.equal(rows.find((row) => row.name === 'good')?.state, 'up');
    const bad = rows.find((row) => row.name === 'garbage');
    assert.equal(bad?.state, 'down');
    const results = await deps.store.db
      .selectFrom('check_results')
      .selectAll()
      .where('monitor_id', '=', good.id)
      .execute();
    assert.ok(results.length >= 2);
  });
});
