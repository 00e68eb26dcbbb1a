// Instances on Docker Swarm through Roost's own operations: two tenants side by side, the isolation matrix,
// no secret value in plain text anywhere, decommissioning that leaves nothing, and clear errors for an engine
// that is down or an image that is missing.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import type Docker from 'dockerode';
import { type Actor, localActor } from '../src/auth/index.ts';
import { isRoostError } from '../src/core/errors.ts';
import {
  createInstance,
  decommissionInstance,
  getCertificate,
  getInstance,
  type InstanceDeps,
  rotateInstanceSecret,
  scaleInstance,
  startInstance,
  stopInstance,
  updateInstance,
  verifyInstallationCertificate,
} from '../src/instances/index.ts';
import { apiDepsOf, type RunningRoost } from '../src/main.ts';
import { createSwarmRuntime, type ServiceName, type StackSpec } from '../src/runtime/index.ts';
import { filesUnder } from './fixtures/files.ts';
import { serveTestRoost, startTestRoost, type TestRoost } from './fixtures/roost.ts';
import { serviceUnavailable } from './fixtures/services.ts';
import { containersOf, objectsLabelled, type SwarmNode, swarmNode } from './fixtures/swarm.ts';

const suffix = Math.random().toString(36).slice(2, 7);
const tenantA = `tenant-a-${suffix}`;
const tenantB = `tenant-b-${suffix}`;

describe('instances on docker swarm', { concurrency: false }, () => {
  let node: SwarmNode | { unavailable: string };
  let docker: Docker;
  let test: TestRoost;
  let served: RunningRoost;
  let deps: InstanceDeps;
  let local: Actor;
  const ids = new Map<string, string>();
  const secretValues = new Map<string, string[]>();

  function ready(t: TestContext): boolean {
    if ('unavailable' in node) {
      serviceUnavailable(t, 'docker swarm', node.unavailable);
      return false;
    }
    return true;
  }

  async function settled(slug: string, operationId: string) {
    const deadline = Date.now() + 180_000;
    for (;;) {
      const details = await getInstance(deps, local, { slug });
      const operation = details.operations.find((candidate) => candidate.id === operationId);
      if (operation?.state === 'failed') assert.fail(`operation failed: ${operation.error}`);
      if (operation?.state === 'succeeded') return details;
      if (Date.now() > deadline) assert.fail(`operation ${operationId} did not end`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /** One TCP connection attempt from inside a service's container (bash's /dev/tcp, 3 s at most). */
  async function connects(slug: string, from: ServiceName, host: string, port: number): Promise<boolean> {
    const probe = await test.roost.runtime.exec(slug, from, [
      'timeout',
      '3',
      'bash',
      '-c',
      'exec 3<>"/dev/tcp/$0/$1"',
      host,
      String(port),
    ]);
    return probe.code === 0;
  }

  /** The task's address on one of the instance's networks. */
  async function addressOn(slug: string, service: ServiceName, network: string): Promise<string> {
    const tasks = (await docker.listTasks({
      filters: JSON.stringify({ service: [`${slug}-${service}`], 'desired-state': ['running'] }),
    })) as Array<{
      NetworksAttachments?: Array<{ Network?: { Spec?: { Name?: string } }; Addresses?: string[] }>;
    }>;
    const address = tasks[0]?.NetworksAttachments?.find(
      (attachment) => attachment.Network?.Spec?.Name === `${slug}-${network}`,
    )?.Addresses?.[0];
    assert.ok(address, `${slug}-${service} has an address on ${slug}-${network}`);
    return address.split('/')[0] as string;
  }

  before(async () => {
    node = await swarmNode();
    if ('unavailable' in node) return;
    docker = node.docker;
    test = await startTestRoost({
      ROOST_RUNTIME: 'swarm',
      ROOST_IMAGE_API: node.release.api,
      ROOST_IMAGE_DB: node.release.db,
      ROOST_IMAGE_CACHE: node.release.cache,
    });
    served = await serveTestRoost(test); // also runs the job workers
    deps = apiDepsOf(test.roost);
    local = localActor(test.roost.clock);
  });

  after(async () => {
    if ('unavailable' in node) return;
    for (const slug of [tenantA, tenantB]) {
      await createSwarmRuntime()
        .remove(slug)
        .catch(() => {});
    }
    await served?.stop(); // closes the Roost too
    rmSync(test.directory, { recursive: true, force: true });
  });

  it('creates two tenants side by side, each healthy on its own networks', async (t) => {
    if (!ready(t)) return;
    const started = Date.now();
    const created = await Promise.all(
      [tenantA, tenantB].map((slug) =>
        createInstance(deps, local, { slug, customer: `Customer ${slug}`, environment: 'production' }),
      ),
    );
    for (const { instance, operation } of created) {
      ids.set(instance.slug, instance.id);
      const details = await settled(instance.slug, operation.id);
      assert.equal(details.instance.runtime, 'swarm');
      assert.equal(details.instance.state, 'running');
      assert.deepEqual(
        details.status?.networks.map((network) => [network.name, network.internal]),
        [
          [`${instance.slug}-cache`, true],
          [`${instance.slug}-db`, true],
          [`${instance.slug}-edge`, false],
        ],
      );
      const endpoint = details.status?.endpoints.api[0] as string;
      const response = await fetch(`${endpoint}/status`, { signal: AbortSignal.timeout(5_000) });
      assert.equal(response.status, 200);
      const values = await Promise.all(
        (await test.roost.vault.list(instance.id)).map((secret) =>
          test.roost.vault.reveal(instance.id, secret.name),
        ),
      );
      assert.equal(values.length, 3);
      secretValues.set(instance.slug, values);
    }
    t.diagnostic(`two instances created → healthy in ${Date.now() - started} ms`);
  });

  it('isolates: the isolation matrix', async (t) => {
    if (!ready(t)) return;
    const adminPort = served.admin.address.port;
    const gateway = (
      (await docker.getNetwork('docker_gwbridge').inspect()) as {
        IPAM?: { Config?: Array<{ Gateway?: string }> };
      }
    ).IPAM?.Config?.[0]?.Gateway;
    assert.ok(gateway, 'docker_gwbridge has a gateway (the host as containers see it)');
    const a = {
      db: await addressOn(tenantA, 'db', 'db'),
      cache: await addressOn(tenantA, 'cache', 'cache'),
    };
    const b = {
      db: await addressOn(tenantB, 'db', 'db'),
      cache: await addressOn(tenantB, 'cache', 'cache'),
      api: await addressOn(tenantB, 'api', 'edge'),
      apiOnDb: await addressOn(tenantB, 'api', 'db'),
    };
    const matrix: Array<[string, ServiceName, string, number, boolean]> = [
      ['A api → A db', 'api', `${tenantA}-db`, 5432, true],
      ['A api → A cache', 'api', `${tenantA}-cache`, 6379, true],
      ['A cache → A db', 'cache', a.db, 5432, false],
      ['A db → A cache', 'db', a.cache, 6379, false],
      ['A api → B db', 'api', b.db, 5432, false],
      ['A api → B cache', 'api', b.cache, 6379, false],
      ['A api → B api (edge address)', 'api', b.api, 8080, false],
      ['A api → B api (db-network address)', 'api', b.apiOnDb, 8080, false],
      ['A api → B db (by name)', 'api', `${tenantB}-db`, 5432, false],
      ['A api → Roost admin (host gateway)', 'api', gateway, adminPort, false],
      ['A db → Roost admin (host gateway)', 'db', gateway, adminPort, false],
      ['A cache → Roost admin (host gateway)', 'cache', gateway, adminPort, false],
      ['A api → Roost admin (loopback)', 'api', '127.0.0.1', adminPort, false],
    ];
    const rows: string[] = [];
    const wrong: string[] = [];
    for (const [label, from, host, port, expected] of matrix) {
      const reached = await connects(tenantA, from, host, port);
      rows.push(`${label.padEnd(40)} ${`${host}:${port}`.padEnd(28)} ${reached ? 'connects' : 'blocked'}`);
      if (reached !== expected) wrong.push(`${label}: expected ${expected ? 'connects' : 'blocked'}`);
    }
    t.diagnostic(`isolation matrix\n${rows.join('\n')}`);
    assert.deepEqual(wrong, []);
  });

  it('hardens every container: read-only root, no capabilities, no new privileges, non-root, limits', async (t) => {
    if (!ready(t)) return;
    const rows: string[] = [];
    for (const service of ['api', 'db', 'cache'] as const) {
      const probe = await test.roost.runtime.exec(tenantA, service, [
        'sh',
        '-c',
        'id -u; grep -E "^(CapEff|NoNewPrivs):" /proc/self/status; touch /probe-write 2>/dev/null && echo writable || echo read-only',
      ]);
      assert.equal(probe.code, 0, probe.stderr);
      const [uid, capabilities, noNewPrivileges, root] = probe.stdout.trim().split('\n');
      rows.push(
        `${service}: uid ${uid}; ${capabilities?.replace(/\s+/g, ' ')}; ${noNewPrivileges?.replace(/\s+/g, ' ')}; root ${root}`,
      );
      assert.notEqual(uid, '0', `${service} runs as a non-root user`);
      assert.match(capabilities ?? '', /^CapEff:\s+0+$/, `${service} has no effective capabilities`);
      assert.match(noNewPrivileges ?? '', /^NoNewPrivs:\s+1$/, `${service} cannot gain privileges`);
      assert.equal(root, 'read-only', `${service} has a read-only root file system`);
    }
    for (const container of await containersOf(docker, tenantA)) {
      const inspected = (await docker.getContainer(container.Id).inspect()) as {
        HostConfig: { Memory: number; NanoCpus: number; ReadonlyRootfs: boolean };
      };
      assert.ok(inspected.HostConfig.Memory > 0, 'a memory limit');
      assert.ok(inspected.HostConfig.NanoCpus > 0, 'a CPU limit');
      assert.equal(inspected.HostConfig.ReadonlyRootfs, true);
    }
    t.diagnostic(rows.join('\n'));
  });

  it('keeps every generated secret out of plain text: data directory, Docker objects, env, argv, logs', async (t) => {
    if (!ready(t)) return;
    const values = [...secretValues.values()].flat();
    assert.equal(values.length, 6);
    const holds = (text: string) => values.some((value) => text.includes(value));
    const leaks: string[] = [];
    // Roost's data directory (SQLite database and WAL) and its log.
    for (const file of filesUnder(test.directory)) {
      if (holds(readFileSync(file, 'latin1'))) leaks.push(`file ${file}`);
    }
    if (holds(test.logs())) leaks.push("Roost's log");
    // docker inspect of every service, container, network, volume, secret and image of both instances.
    for (const slug of [tenantA, tenantB]) {
      const filters = JSON.stringify({ label: [`roost.instance=${slug}`] });
      for (const service of (await docker.listServices({ filters })) as Array<{ ID: string }>) {
        if (holds(JSON.stringify(await docker.getService(service.ID).inspect())))
          leaks.push(`service ${service.ID}`);
      }
      for (const container of await containersOf(docker, slug)) {
        const inspected = (await docker.getContainer(container.Id).inspect()) as { Image: string };
        if (holds(JSON.stringify(inspected))) leaks.push(`container ${container.Id}`);
        if (holds(JSON.stringify(await docker.getImage(inspected.Image).inspect())))
          leaks.push(`image ${inspected.Image}`);
        if (holds(JSON.stringify(await docker.getImage(inspected.Image).history())))
          leaks.push(`image layers ${inspected.Image}`);
      }
      for (const network of (await docker.listNetworks({ filters })) as Array<{ Id: string }>) {
        if (holds(JSON.stringify(await docker.getNetwork(network.Id).inspect())))
          leaks.push(`network ${network.Id}`);
      }
      for (const secret of (await docker.listSecrets({ filters })) as Array<{ ID: string }>) {
        if (holds(JSON.stringify(await docker.getSecret(secret.ID).inspect())))
          leaks.push(`secret ${secret.ID}`);
      }
    }
    // Every process of the machine, containers' included: command lines and environments.
    for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
      for (const file of ['cmdline', 'environ']) {
        try {
          if (holds(readFileSync(`/proc/${pid}/${file}`, 'latin1'))) leaks.push(`process ${pid} ${file}`);
        } catch {
          // gone
        }
      }
    }
    const dockerdLog = process.env.ROOST_DOCKERD_LOG ?? '/var/log/roost-dockerd.log';
    if (existsSync(dockerdLog) && holds(readFileSync(dockerdLog, 'latin1'))) leaks.push("dockerd's log");
    assert.deepEqual(leaks, []);

    // Inside each container the values exist only in files under /run/secrets, which are tmpfs mounts.
    for (const slug of [tenantA, tenantB]) {
      const own = secretValues.get(slug) as string[];
      for (const service of ['api', 'db', 'cache'] as const) {
        const found = await test.roost.runtime.exec(
          slug,
          service,
          [
            'sh',
            '-c',
            'grep -rlsF -f /dev/stdin / --exclude-dir=proc --exclude-dir=sys --exclude-dir=dev; grep " /run/secrets/" /proc/mounts',
          ],
          { stdin: `${own.join('\n')}\n`, timeoutMs: 120_000 },
        );
        const lines = found.stdout.split('\n').filter(Boolean);
        const files = lines.filter((line) => line.startsWith('/'));
        const mounts = lines.filter((line) => !line.startsWith('/')).map((line) => line.split(' '));
        assert.ok(files.length > 0, `${slug} ${service} has its secret files`);
        for (const file of files) {
          assert.match(file, /^\/run\/secrets\//, `${slug} ${service}: a secret value is in ${file}`);
          assert.ok(
            mounts.some(([, point, type]) => point === file && type === 'tmpfs'),
            `${slug} ${service}: ${file} is a tmpfs mount`,
          );
        }
      }
    }
  });

  it('decommissions: nothing with the label is left, no secret row, and the certificate verifies', async (t) => {
    if (!ready(t)) return;
    const instanceId = ids.get(tenantA) as string;
    const { operation } = await decommissionInstance(deps, local, { slug: tenantA });
    await settled(tenantA, operation.id);
    assert.deepEqual(await objectsLabelled(docker, tenantA), []);
    assert.deepEqual(await test.roost.vault.list(instanceId), []);
    const certificate = await getCertificate(deps, local, { slug: tenantA });
    const erased = certificate.erased.find((entry) => entry.what === 'runtime')?.items ?? [];
    assert.ok(
      erased.some((item) => /^volume .* overwritten with zeros first$/.test(item)),
      erased.join('\n'),
    );
    assert.equal((await verifyInstallationCertificate(deps, local, certificate)).valid, true);
    const tampered = JSON.parse(JSON.stringify(certificate).replace(tenantA, `${tenantA}x`));
    assert.equal((await verifyInstallationCertificate(deps, local, tampered)).valid, false);
    // The other tenant did not notice.
    const other = await getInstance(deps, local, { slug: tenantB });
    const response = await fetch(`${other.status?.endpoints.api[0]}/status`, {
      signal: AbortSignal.timeout(5_000),
    });
    assert.equal(response.status, 200);
  });

  /** Runs `operation` while sampling the API: at every sample at least one replica must answer 200. */
  async function alwaysServing<T>(
    slug: string,
    operation: () => Promise<T>,
  ): Promise<{ result: T; samples: number }> {
    let done = false;
    let samples = 0;
    const gaps: string[] = [];
    const sampler = (async () => {
      while (!done) {
        const details = await getInstance(deps, local, { slug });
        const answers = await Promise.all(
          (details.status?.endpoints.api ?? []).map((endpoint) =>
            fetch(`${endpoint}/status`, { signal: AbortSignal.timeout(3_000) })
              .then((response) => response.status)
              .catch(() => 0),
          ),
        );
        samples++;
        if (!answers.includes(200)) gaps.push(`sample ${samples}: ${JSON.stringify(answers)}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();
    try {
      const result = await operation();
      return { result, samples };
    } finally {
      done = true;
      await sampler;
      assert.deepEqual(gaps, [], 'the API answered throughout');
    }
  }

  it('updates the release one replica at a time, and rolls back a release that fails', async (t) => {
    if (!ready(t)) return;
    const release = (node as SwarmNode).release;
    const scaled = await scaleInstance(deps, local, { slug: tenantB, replicas: 2 });
    await settled(tenantB, scaled.operation.id);
    // The same image under its ID: a new release reference, so every replica is replaced.
    const imageId = ((await docker.getImage(release.api).inspect()) as { Id: string }).Id;
    const { samples } = await alwaysServing(tenantB, async () => {
      const { operation } = await updateInstance(deps, local, { slug: tenantB, release: { api: imageId } });
      return settled(tenantB, operation.id);
    });
    const updated = await getInstance(deps, local, { slug: tenantB });
    assert.equal(updated.instance.release.api, imageId);
    for (const endpoint of updated.status?.endpoints.api ?? []) {
      const body = (await (await fetch(`${endpoint}/status`)).json()) as { version: string };
      assert.equal(body.version, imageId);
    }
    t.diagnostic(`rolling update: the API answered at each of ${samples} samples`);

    // The database image as the API: its entrypoint finds no password file and exits 1, every new task
    // fails, Swarm rolls back, and the instance keeps the release that runs.
    const broken = release.db;
    const { operation } = await updateInstance(deps, local, { slug: tenantB, release: { api: broken } });
    const failed = await (async () => {
      const deadline = Date.now() + 240_000;
      for (;;) {
        const details = await getInstance(deps, local, { slug: tenantB });
        const found = details.operations.find((candidate) => candidate.id === operation.id);
        if (found?.state === 'failed') return details;
        assert.notEqual(found?.state, 'succeeded', 'a broken release must not succeed');
        if (Date.now() > deadline) assert.fail('the broken update did not end');
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    })();
    const failure = failed.operations.find((candidate) => candidate.id === operation.id);
    assert.match(failure?.error ?? '', /rolled back/);
    assert.equal(failed.instance.release.api, imageId, 'the instance keeps the release that runs');
    assert.equal(failed.instance.state, 'running');
    const response = await fetch(`${failed.status?.endpoints.api[0]}/status`);
    assert.equal(response.status, 200);
  });

  it('rotates the database password without downtime; the old value stops working', async (t) => {
    if (!ready(t)) return;
    const instanceId = ids.get(tenantB) as string;
    const before = await test.roost.vault.reveal(instanceId, 'db-password');
    const { samples } = await alwaysServing(tenantB, async () => {
      const { operation } = await rotateInstanceSecret(deps, local, { slug: tenantB, name: 'db-password' });
      return settled(tenantB, operation.id);
    });
    const after = await test.roost.vault.reveal(instanceId, 'db-password');
    assert.notEqual(after, before);
    t.diagnostic(`rotation: the API answered at each of ${samples} samples`);
    // A login from the API's container with each value (read on stdin, never in argv).
    const login = async (password: string) =>
      (
        await test.roost.runtime.exec(
          tenantB,
          'api',
          [
            'node',
            '-e',
            "const pg = require('pg'); let password = ''; process.stdin.on('data', (d) => (password += d)).on('end', async () => { const client = new pg.Client({ host: process.env.DATABASE_HOST, user: process.env.DATABASE_USER, database: process.env.DATABASE_NAME, password }); try { await client.connect(); console.log('accepted'); await client.end(); } catch { console.log('refused'); } });",
          ],
          { stdin: password, timeoutMs: 20_000 },
        )
      ).stdout.trim();
    assert.equal(await login(after), 'accepted');
    assert.equal(await login(before), 'refused');
    // The API's replicas read the new value from their secret file and reach the database.
    const details = await getInstance(deps, local, { slug: tenantB });
    for (const endpoint of details.status?.endpoints.api ?? []) {
      const body = (await (await fetch(`${endpoint}/status`)).json()) as {
        checks: { database: { status: string } };
      };
      assert.equal(body.checks.database.status, 'ok');
    }
  });

  it('stops and starts an instance, keeping its data', async (t) => {
    if (!ready(t)) return;
    const stopped = await stopInstance(deps, local, { slug: tenantB });
    const whileStopped = await settled(tenantB, stopped.operation.id);
    assert.equal(whileStopped.instance.state, 'stopped');
    assert.equal(whileStopped.status?.state, 'stopped');
    const started = await startInstance(deps, local, { slug: tenantB });
    const running = await settled(tenantB, started.operation.id);
    assert.equal(running.instance.state, 'running');
    const response = await fetch(`${running.status?.endpoints.api[0]}/status`);
    assert.equal(response.status, 200);
  });

  it('refuses with a clear error and creates nothing: engine down, image missing', async (t) => {
    if (!ready(t)) return;
    const release = (node as SwarmNode).release;
    const spec = (instance: string, api: string): StackSpec => ({
      instance,
      environment: 'staging',
      release: { ...release, api },
      api: { replicas: 1, env: {} },
      db: { engine: 'postgres', database: 'app', user: 'app' },
      cache: { engine: 'redis' },
      limits: {
        api: { memoryMb: 128, cpus: 0.5 },
        db: { memoryMb: 128, cpus: 0.5 },
        cache: { memoryMb: 128, cpus: 0.5 },
      },
      labels: { 'roost.instance': instance },
    });
    const secrets = { read: async () => 'never-used-value-0123456789abcdef' };
    const down = createSwarmRuntime({ socketPath: path.join(test.directory, 'no-engine.sock') });
    await assert.rejects(
      down.converge(spec(`down-${suffix}`, release.api), secrets),
      (error) =>
        isRoostError(error, 'unavailable') && /does not answer.*scripts\/start-dockerd/.test(error.message),
    );
    const missing = `missing-${suffix}`;
    await assert.rejects(
      createSwarmRuntime().converge(spec(missing, 'roost/sample-api:not-built'), secrets),
      (error) =>
        isRoostError(error, 'unavailable') &&
        /image roost\/sample-api:not-built for the api service is not on this node/.test(error.message),
    );
    assert.deepEqual(await objectsLabelled(docker, missing), []);
    assert.deepEqual(await objectsLabelled(docker, `down-${suffix}`), []);
  });
});
