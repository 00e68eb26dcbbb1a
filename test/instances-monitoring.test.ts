// The monitoring template on a real instance: provisioning creates its monitors from the runtime's API
// endpoint, the app-status probe reads the real sample API's /status, and decommissioning erases them and
// says so on the erasure certificate.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Actor } from '../src/auth/index.ts';
import { decommissionInstance, getCertificate, type InstanceDeps } from '../src/instances/index.ts';
import { listMonitors } from '../src/monitoring/index.ts';
import { probeAppStatus } from '../src/monitoring/probes/index.ts';
import { createRunningInstance, instanceSetup, operationSettled, uniqueSlug } from './fixtures/instances.ts';
import { startTestRoost, type TestRoost } from './fixtures/roost.ts';

const slug = uniqueSlug('mon');

describe('monitoring template on a real instance', () => {
  let test: TestRoost;
  let deps: InstanceDeps;
  let local: Actor;

  before(async () => {
    test = await startTestRoost();
    ({ deps, local } = instanceSetup(test));
    test.roost.jobs.start();
  });
  after(async () => {
    if (test) {
      await test.roost.runtime.remove(slug).catch(() => {});
      await test.close();
    }
  });

  it('creates the monitors at provisioning and erases them at decommission', async () => {
    const { instance, details } = await createRunningInstance(deps, local, {
      slug,
      customer: 'Acme',
      environment: 'staging',
    });
    const endpoint = details.status?.endpoints.api[0];
    assert.ok(endpoint, 'the instance has an API endpoint');
    const monitors = await listMonitors(deps, local, { instanceId: instance.id });
    assert.deepEqual(monitors.map((monitor) => monitor.name).sort(), [`${slug} API`, `${slug} app status`]);
    const appStatus = monitors.find((monitor) => monitor.kind === 'app_status');
    assert.equal(
      (appStatus?.settings as { url?: string } | undefined)?.url,
      `${endpoint.replace(/\/$/, '')}/status`,
    );
    const result = await probeAppStatus(
      { url: `${endpoint.replace(/\/$/, '')}/status` },
      { timeoutMs: 5_000, now: Date.now() },
    );
    assert.equal(result.ok, true, result.message);
    assert.deepEqual(result.metrics, { 'dependency:database': 1, 'dependency:cache': 1 });

    const { operation: removal } = await decommissionInstance(deps, local, { slug });
    await operationSettled(deps, local, slug, removal.id);
    assert.equal((await listMonitors(deps, local, { instanceId: instance.id })).length, 0);
    const certificate = await getCertificate(deps, local, { slug });
    const erased = (certificate as { erased: Array<{ what: string; items: string[] }> }).erased.find(
      (entry) => entry.what === 'monitoring',
    );
    assert.ok(
      erased?.items.some((item) => /2 monitor\(s\)/.test(item)),
      JSON.stringify(erased),
    );
  });
});
