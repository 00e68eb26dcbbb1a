// Migration = the disaster recovery plan (R22): an instance with data moves from the local runtime to Docker
// Swarm and back through Roost's own operations, its name switched on a real BIND server by an RFC 2136
// update signed with TSIG. Bad input and a DNS server that refuses the key give clear errors and a rollback.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, rmSync } from 'node:fs';
import { after, before, describe, it, type TestContext } from 'node:test';
import { type Actor, csrfToken, localActor } from '../src/auth/index.ts';
import { isRoostError } from '../src/core/errors.ts';
import { sessionCookie } from '../src/http/middleware/actor.ts';
import { createInstance, getInstance, type InstanceDeps } from '../src/instances/index.ts';
import { apiDepsOf, createAdminAppFor, type RunningRoost } from '../src/main.ts';
import {
  drpPlan,
  getMigration,
  listMigrations,
  type Migration,
  type MigrationDeps,
  migrationDepsFrom,
  migrationSteps,
  setDnsKey,
  startMigration,
} from '../src/migration/index.ts';
import { startBind, type TestBind } from './fixtures/bind.ts';
import { runCli } from './fixtures/cli.ts';
import { instancePsql } from './fixtures/instances.ts';
import { enrolledSession, serveTestRoost, startTestRoost, type TestRoost } from './fixtures/roost.ts';
import { serviceUnavailable } from './fixtures/services.ts';
import { type SwarmNode, swarmNode } from './fixtures/swarm.ts';

const suffix = Math.random().toString(36).slice(2, 7);
const slug = `move-${suffix}`;
const production = `prod-${suffix}`;

describe('migration between runtimes (the disaster recovery plan)', {
  concurrency: false,
  timeout: 1_800_000,
}, () => {
  let node: SwarmNode | { unavailable: string };
  let bind: TestBind | { unavailable: string };
  let test: TestRoost;
  let served: RunningRoost;
  let deps: InstanceDeps;
  let migrations: MigrationDeps;
  let local: Actor;
  /** What the server and CLI children are configured with. */
  let env: Record<string, string>;

  function ready(t: TestContext): boolean {
    if ('unavailable' in node) {
      serviceUnavailable(t, 'docker swarm', node.unavailable);
      return false;
    }
    if ('unavailable' in bind) {
      serviceUnavailable(t, 'BIND (named)', bind.unavailable);
      return false;
    }
    return true;
  }

  const dns = () => bind as TestBind;

  const psql = (sql: string) => instancePsql(test, slug, sql);

  /** Backups of one test clock instant would tie in retention; each migration's backup gets its own time. */
  async function migrate(to: string, backup?: string): Promise<Migration> {
    test.clock.advance(1_000);
    const started = await startMigration(migrations, local, { slug, to, ...(backup ? { backup } : {}) });
    return ended(started.id);
  }

  async function ended(id: string): Promise<Migration> {
    const deadline = Date.now() + 600_000;
    for (;;) {
      const migration = await getMigration(test.roost, local, id);
      if (migration.state !== 'queued' && migration.state !== 'running') return migration;
      if (Date.now() > deadline) assert.fail(`migration ${id} did not end (step ${migration.step})`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  async function statusOk(endpoint: string): Promise<void> {
    const response = await fetch(`http://${endpoint}/status`, { signal: AbortSignal.timeout(5_000) });
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { status: string }).status, 'ok');
  }

  before(async () => {
    node = await swarmNode();
    bind = await startBind();
    if ('unavailable' in node || 'unavailable' in bind) return;
    env = {
      ROOST_RUNTIME: 'local',
      ROOST_IMAGE_API: node.release.api,
      ROOST_IMAGE_DB: node.release.db,
      ROOST_IMAGE_CACHE: node.release.cache,
      ROOST_DNS_SERVER: bind.host,
      ROOST_DNS_PORT: String(bind.port),
      ROOST_DNS_ZONE: bind.zone,
      ROOST_DNS_KEY_NAME: bind.keyName,
    };
    test = await startTestRoost(env);
    chmodSync(test.directory, 0o711); // the postgres and redis users traverse it to reach their own directories
    served = await serveTestRoost(test); // runs the converge, backup and migration jobs
    deps = apiDepsOf(test.roost);
    migrations = migrationDepsFrom({ ...apiDepsOf(test.roost), lifecycle: test.roost.lifecycle });
    local = localActor(test.roost.clock);
    await setDnsKey(test.roost, local, { secret: bind.secret });
  });

  after(async () => {
    if (test) {
      for (const driver of Object.values(test.roost.drivers)) {
        for (const name of [slug, production]) await driver.remove(name).catch(() => {});
      }
      await served?.stop();
      rmSync(test.directory, { recursive: true, force: true });
    }
    if (bind && !('unavailable' in bind)) await bind.close();
  });

  it('moves an instance with data from local to swarm: rows intact, name switched, source gone, steps timed', {
    timeout: 600_000,
  }, async (t) => {
    if (!ready(t)) return;
    const { operation } = await createInstance(deps, local, {
      slug,
      customer: 'Mover',
      environment: 'staging',
    });
    const deadline = Date.now() + 180_000;
    for (;;) {
      const details = await getInstance(deps, local, { slug });
      const current = details.operations.find((candidate) => candidate.id === operation.id);
      if (current?.state === 'succeeded') break;
      if (current?.state === 'failed') assert.fail(`create failed: ${current.error}`);
      if (Date.now() > deadline) assert.fail(`create did not end: ${current?.progress}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await psql(
      'create table notes (id integer primary key, body text not null); insert into notes select n, md5(n::text) from generate_series(1, 1000) n;',
    );
    const digest = await psql("select md5(string_agg(body, ',' order by id)) from notes");

    const done = await migrate('swarm');
    assert.equal(done.state, 'succeeded', done.error ?? '');
    assert.deepEqual(
      done.steps.map((step) => step.step),
      [...migrationSteps],
    );
    for (const step of done.steps) assert.equal(typeof step.ms, 'number');
    t.diagnostic(`local → swarm: ${done.steps.map((step) => `${step.step} ${step.ms} ms`).join(', ')}`);

    const instance = (await getInstance(deps, local, { slug })).instance;
    assert.equal(instance.runtime, 'swarm');
    assert.equal(await psql('select count(*) from notes'), '1000');
    assert.equal(await psql("select md5(string_agg(body, ',' order by id)) from notes"), digest);
    assert.equal(await test.roost.drivers.local.inspect(slug), undefined, 'the local stack is gone');
    const endpoint = done.endpoint as string;
    await statusOk(endpoint);
    const [address, port] = endpoint.split(':') as [string, string];
    assert.deepEqual(dns().query(`${slug}.${dns().zone}`, 'A'), [address]);
    assert.deepEqual(dns().query(`_http._tcp.${slug}.${dns().zone}`, 'SRV'), [
      `0 0 ${port} ${slug}.${dns().zone}.`,
    ]);
    const audit = await test.roost.audit.list({ action: 'instance.migrated', target: instance.id });
    assert.equal(audit.length, 1);
    // The TSIG secret went to nsupdate on stdin only: not in logs, the report or the audit trail.
    assert.ok(!test.logs().includes(dns().secret), 'the TSIG secret is in no log');
    assert.ok(!JSON.stringify([done, audit]).includes(dns().secret));
  });

  it('refuses a bad runtime and an unknown instance with clear errors', { timeout: 600_000 }, async (t) => {
    if (!ready(t)) return;
    await assert.rejects(
      startMigration(migrations, local, { slug, to: 'mars' }),
      (error) =>
        isRoostError(error) &&
        error.code === 'invalid_input' &&
        /to: expected one of local, swarm/.test(error.message),
    );
    await assert.rejects(
      startMigration(migrations, local, { slug, to: 'swarm' }),
      (error) =>
        isRoostError(error) && error.code === 'invalid_input' && /already runs on swarm/.test(error.message),
    );
    await assert.rejects(
      startMigration(migrations, local, { slug: `nobody-${suffix}`, to: 'local' }),
      (error) => isRoostError(error) && error.code === 'not_found',
    );
    // The same refusals from the command line: exit code 2 and the field named, no stack trace.
    const cli = (args: string[], stdin?: string) =>
      runCli(args, {
        cwd: test.directory,
        env: { ...env, ROOST_DATA_DIR: test.directory },
        ...(stdin === undefined ? {} : { stdin }),
      });
    const bad = await cli(['instance', 'migrate', slug, '--to', 'mars']);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /to: expected one of local, swarm/);
    assert.doesNotMatch(bad.stderr, /at .*\.ts:\d+/);
    const unknown = await cli(['instance', 'migrate', `nobody-${suffix}`, '--to', 'swarm']);
    assert.equal(unknown.code, 3, unknown.stderr);
    const planned = await cli(['drp', 'plan', '--json']);
    assert.equal(planned.code, 0, planned.stderr);
    assert.ok(Array.isArray((JSON.parse(planned.stdout) as { instances: unknown[] }).instances));
    const help = await cli(['instance', 'migrate', '--help']);
    assert.match(help.stdout.replace(/\s+/g, ' '), /nodes are not modelled yet/);
    const plan = await drpPlan(test.roost, local);
    assert.equal(
      plan.instances.find((entry) => entry.slug === slug),
      undefined,
      'staging is not in the DRP',
    );
  });

  it('rolls back when the DNS server refuses the key: the instance still serves from the source', {
    timeout: 600_000,
  }, async (t) => {
    if (!ready(t)) return;
    await setDnsKey(test.roost, local, { secret: randomBytes(32).toString('base64') });
    const before = (await getInstance(deps, local, { slug })).instance;
    const done = await migrate('local', 'latest');
    assert.equal(done.state, 'rolled-back');
    assert.match(done.error ?? '', /dns: the update of .* was refused or failed: .*NOTAUTH/);
    assert.equal(done.steps.at(-1)?.step, 'rollback');
    const after = (await getInstance(deps, local, { slug })).instance;
    assert.equal(after.runtime, 'swarm');
    assert.deepEqual(after.release, before.release);
    assert.equal(await test.roost.drivers.local.inspect(slug), undefined, 'the target stack was removed');
    assert.equal(await psql('select count(*) from notes'), '1000');
    await statusOk(after.endpoint ?? '');
    const [address] = (after.endpoint ?? '').split(':');
    assert.deepEqual(dns().query(`${slug}.${dns().zone}`, 'A'), [address], 'the name still points at swarm');
  });

  it("moves it back to local from the instance page's button, with the right key", {
    timeout: 600_000,
  }, async (t) => {
    if (!ready(t)) return;
    await setDnsKey(test.roost, local, { secret: dns().secret });
    // An operator with a complete log-in (second factor enrolled and proved) moves a staging instance.
    const app = createAdminAppFor(test.roost);
    const session = await enrolledSession(test.roost, 'operator');
    const headers = { cookie: `${sessionCookie}=${session}` };
    const page = await app.request(`http://127.0.0.1/instances/${slug}`, { headers });
    assert.equal(page.status, 200);
    const body = await page.text();
    assert.match(body, /Move to another runtime/);
    assert.match(body, /<option value="local">local<\/option>/);
    assert.match(body, /rolled-back/, 'the page lists the earlier migrations');
    test.clock.advance(1_000);
    const posted = await app.request(`http://127.0.0.1/instances/${slug}/migrate`, {
      method: 'POST',
      headers: {
        ...headers,
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'http://127.0.0.1',
      },
      body: new URLSearchParams({ _csrf: csrfToken(session), to: 'local' }).toString(),
    });
    assert.equal(posted.status, 303);
    assert.match(posted.headers.get('location') ?? '', /notice=migrating/);
    const [started] = await listMigrations(test.roost, local, { slug });
    assert.ok(started);
    const done = await ended(started.id);
    assert.equal(done.state, 'succeeded', done.error ?? '');
    t.diagnostic(`swarm → local: ${done.steps.map((step) => `${step.step} ${step.ms} ms`).join(', ')}`);
    assert.equal(await psql('select count(*) from notes'), '1000');
    assert.equal(await test.roost.drivers.swarm.inspect(slug), undefined, 'the swarm stack is gone');
    const [address, port] = (done.endpoint as string).split(':') as [string, string];
    assert.deepEqual(dns().query(`${slug}.${dns().zone}`, 'A'), [address]);
    assert.deepEqual(dns().query(`_http._tcp.${slug}.${dns().zone}`, 'SRV'), [
      `0 0 ${port} ${slug}.${dns().zone}.`,
    ]);
  });

  it('runs the DRP from the command line: every production instance moved, with a summary', {
    timeout: 600_000,
  }, async (t) => {
    if (!ready(t)) return;
    const { operation } = await createInstance(deps, local, {
      slug: production,
      customer: 'Prod',
      environment: 'production',
    });
    const deadline = Date.now() + 180_000;
    for (;;) {
      const current = (await getInstance(deps, local, { slug: production })).operations.find(
        (candidate) => candidate.id === operation.id,
      );
      if (current?.state === 'succeeded') break;
      if (current?.state === 'failed') assert.fail(`create failed: ${current.error}`);
      if (Date.now() > deadline) assert.fail(`create did not end: ${current?.progress}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    test.clock.advance(1_000);
    const cli = (args: string[]) =>
      runCli(args, {
        cwd: test.directory,
        env: { ...env, ROOST_DATA_DIR: test.directory },
        timeoutMs: 600_000,
      });
    const plan = await cli(['drp', 'plan', '--to', 'swarm', '--json']);
    assert.equal(plan.code, 0, plan.stderr);
    assert.deepEqual(
      (JSON.parse(plan.stdout) as { instances: Array<{ slug: string; action: string }> }).instances
        .filter((entry) => entry.slug === production)
        .map((entry) => entry.action),
      ['migrate'],
    );
    const run = await cli(['drp', 'run', '--to', 'swarm', '--json']);
    const summary = JSON.parse(run.stdout) as {
      instances: Array<{ slug: string; outcome: string; seconds: number }>;
    };
    const moved = summary.instances.find((entry) => entry.slug === production);
    assert.equal(moved?.outcome, 'moved', run.stderr);
    t.diagnostic(`drp run: ${production} moved in ${moved?.seconds.toFixed(1)} s`);
    assert.equal((await getInstance(deps, local, { slug: production })).instance.runtime, 'swarm');
    assert.equal(await test.roost.drivers.local.inspect(production), undefined);
    assert.deepEqual(dns().query(`${production}.${dns().zone}`, 'A').length, 1);
  });
});
