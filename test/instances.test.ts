// Instances end to end on the real SQLite store and the real local runtime (PostgreSQL, Redis, sample API).
// One stack in total, to spare small machines: create → scale → decommission on the same instance.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Actor, localActor } from '../src/auth/index.ts';
import { isRoostError } from '../src/core/errors.ts';
import {
  createInstance,
  decommissionInstance,
  getCertificate,
  type InstanceDeps,
  listInstances,
  registerInstanceJobs,
  revealInstanceSecret,
  rotateInstanceSecret,
  scaleInstance,
  signCertificate,
  startInstance,
  stopInstance,
  verifyInstallationCertificate,
} from '../src/instances/index.ts';
import { apiDepsOf } from '../src/main.ts';
import type { StackStatus } from '../src/runtime/index.ts';
import { runCli, scratchDirectory } from './fixtures/cli.ts';
import { filesUnder } from './fixtures/files.ts';
import { operationSettled } from './fixtures/instances.ts';
import { startTestRoost, type TestRoost, userWithRole } from './fixtures/roost.ts';

const postgresBin = '/usr/lib/postgresql/15/bin';
const redisServer = '/usr/bin/redis-server';
const slug = `acme-${Math.random().toString(36).slice(2, 8)}`;

describe('instances on the local runtime', () => {
  let test: TestRoost;
  let deps: InstanceDeps;
  let local: Actor;
  let instanceId: string;
  let running: StackStatus | undefined;

  /** Waits for an operation to end and returns the instance details then. */
  const settled = (operationId: string) => operationSettled(deps, local, slug, operationId);

  async function counts() {
    const { db } = test.roost.store;
    const count = async (table: 'instances' | 'instance_operations' | 'jobs' | 'vault_secrets') =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return {
      instances: await count('instances'),
      operations: await count('instance_operations'),
      jobs: await count('jobs'),
      secrets: await count('vault_secrets'),
    };
  }

  before(async () => {
    for (const binary of [path.join(postgresBin, 'initdb'), redisServer]) {
      assert.ok(existsSync(binary), `${binary} is missing (run scripts/setup-system)`);
    }
    test = await startTestRoost();
    chmodSync(test.directory, 0o711); // the postgres and redis users traverse it to reach their own directories
    deps = apiDepsOf(test.roost);
    local = localActor(test.roost.clock);
    registerInstanceJobs(deps);
    test.roost.jobs.start();
  });

  after(async () => {
    if (test) {
      await test.roost.runtime.remove(slug).catch(() => {});
      await test.close();
    }
  });

  it('refuses bad input with a clear error and creates nothing', async () => {
    const before = await counts();
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ slug: 'Bad_Slug', customer: 'Acme', environment: 'staging' }, /slug: a DNS-safe slug/],
      [{ slug: 'ab-', customer: 'Acme', environment: 'staging' }, /slug: a DNS-safe slug/],
      [{ slug, customer: 'Acme', environment: 'qa' }, /environment/],
      [{ slug, customer: 'Acme', environment: 'staging', replicas: 11 }, /replicas/],
      [{ slug, customer: 'Acme', environment: 'staging', engine: 'oracle' }, /engine/],
      [
        { slug, customer: 'Acme', environment: 'staging', engine: 'mongodb' },
        /engine: mongodb is not available/,
      ],
      [{ slug, customer: 'Acme', environment: 'staging', runtime: 'kubernetes' }, /runtime/],
    ];
    for (const [input, message] of cases) {
      await assert.rejects(
        createInstance(deps, local, input as Parameters<typeof createInstance>[2]),
        (error) => isRoostError(error, 'invalid_input') && message.test(error.message),
      );
    }
    const viewer = await userWithRole(test.roost, 'viewer');
    await assert.rejects(
      createInstance(deps, viewer, { slug, customer: 'Acme', environment: 'staging' }),
      (error) => isRoostError(error, 'forbidden'),
    );
    assert.deepEqual(await counts(), before, 'no rows, no vault secrets, no job');
  });

  it('creates an instance: the job provisions a running stack whose /status answers 200', async (t) => {
    const started = Date.now();
    const { instance, operation } = await createInstance(deps, local, {
      slug,
      customer: 'Acme',
      environment: 'staging',
    });
    instanceId = instance.id;
    assert.match(instance.id, /^ins_/);
    assert.match(operation.id, /^op_/);
    assert.equal(instance.state, 'provisioning');
    const job = await test.roost.jobs.get(operation.jobId as string);
    assert.equal(job?.key, `op:${operation.id}`);
    const details = await settled(operation.id);
    t.diagnostic(`create → running in ${Date.now() - started} ms`);
    assert.equal(details.instance.state, 'running');
    assert.equal(details.status?.state, 'running');
    running = details.status;
    const endpoint = details.status?.endpoints.api[0];
    assert.ok(endpoint);
    const response = await fetch(`${endpoint}/status`, { signal: AbortSignal.timeout(5_000) });
    assert.equal(response.status, 200);
    assert.ok((await listInstances(deps, local)).some((entry) => entry.slug === slug));
  });

  it('refuses a duplicate slug and creates nothing more', async () => {
    const before = await counts();
    await assert.rejects(
      createInstance(deps, local, { slug, customer: 'Other', environment: 'production' }),
      (error) => isRoostError(error, 'conflict') && /already exists/.test(error.message),
    );
    assert.deepEqual(await counts(), before);
  });

  it('keeps the secrets in the vault only: no plain text in the data directory or the logs', async () => {
    const secrets = await test.roost.vault.list(instanceId);
    assert.deepEqual(
      secrets.map((secret) => secret.name),
      ['cache-password', 'db-password', 'jwt-signing-key'],
    );
    const values = await Promise.all(
      secrets.map((secret) => test.roost.vault.reveal(instanceId, secret.name)),
    );
    const files = filesUnder(test.directory);
    assert.ok(files.some((file) => file.endsWith('roost.db')));
    for (const file of files) {
      const content = readFileSync(file);
      for (const value of values)
        assert.equal(content.includes(value), false, `a secret value is in ${file}`);
    }
    for (const value of values)
      assert.equal(test.logs().includes(value), false, 'a secret value is in the logs');

    const admin = await userWithRole(test.roost, 'admin');
    const revealed = await revealInstanceSecret(deps, admin, { slug, name: 'db-password' });
    assert.ok(values.includes(revealed.value));
    const operator = await userWithRole(test.roost, 'operator');
    await assert.rejects(revealInstanceSecret(deps, operator, { slug, name: 'db-password' }), (error) =>
      isRoostError(error, 'forbidden'),
    );
    const stale = { ...admin, secondFactorAt: test.roost.clock.now().getTime() - 10 * 60 * 1000 };
    await assert.rejects(revealInstanceSecret(deps, stale, { slug, name: 'db-password' }), (error) =>
      isRoostError(error, 'forbidden'),
    );
  });

  it('scales the API from 1 to 2 replicas', async () => {
    const { operation } = await scaleInstance(deps, local, { slug, replicas: 2 });
    const details = await settled(operation.id);
    const api = details.status?.services.find((service) => service.name === 'api');
    assert.equal(api?.runningReplicas, 2);
    assert.equal(details.status?.endpoints.api.length, 2);
    assert.equal(details.instance.replicas, 2);
    running = details.status;
  });

  it('rotates the database password onto the other login role; the old one no longer logs in', async () => {
    const before = await test.roost.vault.reveal(instanceId, 'db-password');
    const { operation } = await rotateInstanceSecret(deps, local, { slug, name: 'db-password' });
    const details = await settled(operation.id);
    const after = await test.roost.vault.reveal(instanceId, 'db-password');
    assert.notEqual(after, before);
    for (const endpoint of details.status?.endpoints.api ?? []) {
      const response = await fetch(`${endpoint}/status`, { signal: AbortSignal.timeout(5_000) });
      assert.equal(response.status, 200, 'replicas reach the database with the new login');
    }
    const roles = await test.roost.runtime.exec(slug, 'db', [
      'psql',
      '-Atc',
      "SELECT rolname || ':' || (rolpassword IS NOT NULL) FROM pg_authid WHERE rolname LIKE 'acme%' ORDER BY 1",
    ]);
    const owner = slug.replaceAll('-', '_');
    assert.deepEqual(roles.stdout.trim().split('\n'), [`${owner}:false`, `${owner}_r1:true`]);
    running = details.status;
  });

  it('stops and starts the instance, keeping its data', async () => {
    const stopped = await settled((await stopInstance(deps, local, { slug })).operation.id);
    assert.equal(stopped.instance.state, 'stopped');
    assert.equal(stopped.status?.state, 'stopped');
    const started = await settled((await startInstance(deps, local, { slug })).operation.id);
    assert.equal(started.instance.state, 'running');
    running = started.status;
  });

  it('decommissions: no process left, no secret in the vault, a tombstone row', async () => {
    assert.ok(running);
    const pids = running.services.flatMap((service) => service.replicas.map((replica) => replica.id));
    const { instance, operation } = await decommissionInstance(deps, local, { slug });
    assert.equal(instance.state, 'decommissioning');
    const details = await settled(operation.id);
    assert.equal(details.instance.state, 'decommissioned');
    assert.ok(details.instance.decommissionedAt);
    assert.equal(details.status, undefined);
    assert.deepEqual(
      pids.filter((pid) => existsSync(`/proc/${pid}`)),
      [],
      'every process of the stack ended',
    );
    assert.equal(existsSync(path.join(test.directory, 'runtime', slug)), false);
    assert.deepEqual(await test.roost.vault.list(instanceId), []);
    await assert.rejects(scaleInstance(deps, local, { slug, replicas: 1 }), (error) =>
      isRoostError(error, 'conflict'),
    );
  });

  it('issues a signed erasure certificate listing what was removed; a changed one does not verify', async () => {
    const certificate = await getCertificate(deps, local, { slug });
    const [decommissioned] = await test.roost.audit.list({
      action: 'instance.decommissioned',
      target: instanceId,
    });
    const runtime = certificate.erased.find((entry) => entry.what === 'runtime');
    assert.ok(runtime && runtime.items.length > 0);
    assert.deepEqual(runtime.items, decommissioned?.details.removed);
    assert.ok(runtime.items.some((item) => item.startsWith('db: stopped postgres')));
    assert.deepEqual(certificate.erased.find((entry) => entry.what === 'vault-secrets')?.items, [
      'cache-password',
      'db-password',
      'jwt-signing-key',
    ]);
    assert.deepEqual(certificate.instance, {
      id: instanceId,
      slug,
      customer: 'Acme',
      environment: 'staging',
    });
    assert.equal(certificate.requestedBy.id, local.id);
    assert.deepEqual(
      certificate.retained.map((entry) => entry.what),
      ['instance row', 'audit trail'],
    );
    const valid = await verifyInstallationCertificate(deps, local, certificate);
    assert.equal(valid.valid, true);
    // Another last letter (the random slug may end in x already).
    const otherSlug = `${slug.slice(0, -1)}${slug.endsWith('x') ? 'y' : 'x'}`;
    const changed = JSON.parse(JSON.stringify(certificate).replace(slug, otherSlug));
    assert.deepEqual(await verifyInstallationCertificate(deps, local, changed), {
      valid: false,
      reason: 'signature does not match: the certificate was changed',
    });
    const { privateKey } = generateKeyPairSync('ed25519');
    const { publicKey: _key, signature: _signature, ...unsigned } = certificate;
    const forged = signCertificate(unsigned, privateKey);
    const refused = await verifyInstallationCertificate(deps, local, forged);
    assert.equal(refused.valid, false);
    assert.match(refused.valid ? '' : refused.reason, /not this installation's key/);
    const events = await test.roost.audit.list({ action: 'instance.certificate', target: instanceId });
    assert.equal(events.length, 1);

    // The CLI on the server: print, verify (exit 0), a changed copy and another key's certificate (exit 1).
    const scratch = scratchDirectory();
    try {
      const env = { ROOST_DATA_DIR: test.directory };
      const file = path.join(scratch.path, 'certificate.json');
      const written = await runCli(['instance', 'certificate', slug, '--output', file], {
        cwd: scratch.path,
        env,
      });
      assert.equal(written.code, 0, written.stderr);
      const verified = await runCli(['instance', 'certificate', 'verify', file], { cwd: scratch.path, env });
      assert.equal(verified.code, 0, verified.stderr);
      assert.match(
        verified.stdout,
        new RegExp(`^valid: erasure of ${slug} signed \\S+ by ed25519:[0-9a-f]{16}`),
      );
      writeFileSync(file, readFileSync(file, 'utf8').replace('db-password', 'db-passwore'));
      const tampered = await runCli(['instance', 'certificate', 'verify', file], { cwd: scratch.path, env });
      assert.equal(tampered.code, 1);
      assert.match(tampered.stdout, /invalid: signature does not match: the certificate was changed/);
      writeFileSync(file, JSON.stringify(forged));
      const foreign = await runCli(['instance', 'certificate', 'verify', file], { cwd: scratch.path, env });
      assert.equal(foreign.code, 1);
      assert.match(foreign.stdout, /not this installation's key/);
      const offline = await runCli(['instance', 'certificate', 'verify', file, '--offline'], {
        cwd: scratch.path,
      });
      assert.equal(offline.code, 0, 'offline, only the signature is checked');
    } finally {
      scratch.remove();
    }
  });

  it('audits create, scale and decommission', async () => {
    const events = await test.roost.audit.list({ action: 'instance.', target: instanceId });
    const actions = events.map((event) => event.action);
    for (const action of [
      'instance.create',
      'instance.scale',
      'instance.secret.rotate',
      'instance.stop',
      'instance.start',
      'instance.decommission',
      'instance.certificate',
    ]) {
      assert.ok(actions.includes(action), `${action} in ${actions.join(', ')}`);
    }
  });
});
