// `roost serve --role`: a probe-only process runs checks and serves no HTTP; a web-only one serves HTTP
// and runs no checks (and no job workers).
import assert from 'node:assert/strict';
import net from 'node:net';
import { it } from 'node:test';
import { localActor } from '../src/auth/index.ts';
import { serveRoostRoles } from '../src/main.ts';
import { createMonitor } from '../src/monitoring/index.ts';
import { runCli, scratchDirectory } from './fixtures/cli.ts';
import { waitFor } from './fixtures/jobs.ts';
import { freePort } from './fixtures/postgres.ts';
import { startTestRoost } from './fixtures/roost.ts';
import { startHttpTarget } from './fixtures/targets.ts';

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

it('a probe-only process runs checks and serves no HTTP', async (t) => {
  const adminPort = await freePort();
  const statusPort = await freePort();
  const test = await startTestRoost({
    ROOST_ADMIN_LISTEN: `127.0.0.1:${adminPort}`,
    ROOST_STATUS_LISTEN: `127.0.0.1:${statusPort}`,
  });
  const target = await startHttpTarget();
  t.after(async () => {
    await target.close();
  });
  const { monitor } = await createMonitor(test.roost, localActor(test.clock), {
    name: 'probe-only target',
    kind: 'http',
    settings: { url: target.url },
    intervalSeconds: 30,
  });
  const running = await serveRoostRoles(test.roost, ['probe']);
  t.after(async () => {
    await running.stop();
    await test.close();
  });
  assert.equal(running.admin, undefined);
  assert.equal(running.status, undefined);
  assert.ok(running.monitoring, 'the scheduler runs');
  assert.equal(await refused(adminPort), true, 'no admin listener');
  assert.equal(await refused(statusPort), true, 'no status listener');
  test.clock.advance(30_000);
  const checked = await waitFor(
    () =>
      test.roost.store.db
        .selectFrom('monitors')
        .select(['state', 'last_checked_at'])
        .where('id', '=', monitor.id)
        .executeTakeFirstOrThrow(),
    (row) => row.last_checked_at !== null,
    { what: 'a check by the probe role' },
  );
  assert.equal(checked.state, 'up');
  assert.ok(target.hits() > 0);
});

it('a web-only process serves HTTP and runs no checks', async (t) => {
  const test = await startTestRoost();
  const target = await startHttpTarget();
  t.after(async () => {
    await target.close();
  });
  await createMonitor(test.roost, localActor(test.clock), {
    name: 'web-only target',
    kind: 'http',
    settings: { url: target.url },
    intervalSeconds: 30,
  });
  const running = await serveRoostRoles(test.roost, ['web']);
  t.after(async () => {
    await running.stop();
    await test.close();
  });
  assert.equal(running.monitoring, null, 'no scheduler in this process');
  const health = await fetch(`${running.admin?.url}/healthz`);
  assert.equal(health.status, 200);
  test.clock.advance(60_000);
  // A round trip through the server after the clock moved: a scheduler would have had its turn.
  assert.equal((await fetch(`${running.admin?.url}/healthz`)).status, 200);
  assert.equal(target.hits(), 0);
  const checked = await test.roost.store.db
    .selectFrom('monitors')
    .select('last_checked_at')
    .where('name', '=', 'web-only target')
    .executeTakeFirstOrThrow();
  assert.equal(checked.last_checked_at, null);
});

it('roost serve --role refuses an unknown role, naming the flag', async (t) => {
  const scratch = scratchDirectory();
  t.after(() => scratch.remove());
  const result = await runCli(['serve', '--role', 'web,prober'], {
    cwd: scratch.path,
    env: { ROOST_DATA_DIR: `${scratch.path}/data` },
  });
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /--role: "prober" is not one of web, worker, probe/);
});
