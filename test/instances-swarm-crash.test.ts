// Roost killed with SIGKILL in the middle of `instance create` on swarm: after a restart the operation
// finishes, and the instance's Docker objects are exactly one stack's (nothing orphaned or doubled).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { it } from 'node:test';
import { createSwarmRuntime } from '../src/runtime/index.ts';
import { pollUntil, runCli, scratchDirectory, spawnCli } from './fixtures/cli.ts';
import { serviceUnavailable } from './fixtures/services.ts';
import { objectsLabelled, swarmNode } from './fixtures/swarm.ts';

interface Shown {
  instance: { state: string };
  operations: Array<{ kind: string; state: string; error: string | null }>;
}

it('finishes an instance create after Roost is killed with SIGKILL in the middle of it', async (t) => {
  const node = await swarmNode();
  if ('unavailable' in node) return serviceUnavailable(t, 'docker swarm', node.unavailable);
  const { docker } = node;
  const scratch = scratchDirectory();
  const slug = `crash-${Math.random().toString(36).slice(2, 7)}`;
  const env = {
    ROOST_DATA_DIR: scratch.path,
    ROOST_RUNTIME: 'swarm',
    ROOST_IMAGE_API: node.release.api,
    ROOST_IMAGE_DB: node.release.db,
    ROOST_IMAGE_CACHE: node.release.cache,
    ROOST_JOBS_LEASE_SECONDS: '5',
    ROOST_ADMIN_LISTEN: '127.0.0.1:0',
    ROOST_STATUS_LISTEN: '127.0.0.1:0',
  };
  const cli = (args: string[]) => runCli(args, { cwd: scratch.path, env, timeoutMs: 60_000 });
  const serve = () => spawnCli(['serve'], { cwd: scratch.path, env });
  const show = async () => {
    const shown = await cli(['instance', 'show', slug, '--json']);
    assert.equal(shown.code, 0, shown.stderr);
    return JSON.parse(shown.stdout) as Shown;
  };
  t.after(async () => {
    await createSwarmRuntime()
      .remove(slug)
      .catch(() => {});
    scratch.remove();
  });

  assert.equal((await cli(['migrate'])).code, 0);
  const created = await cli(['instance', 'create', slug, '--customer', 'Crash Test', '--env', 'staging']);
  assert.equal(created.code, 0, created.stderr);

  const first = serve();
  // Killed once the first service exists: networks, secrets and the volume are made, health is pending.
  await pollUntil(
    async () =>
      (await objectsLabelled(docker, slug)).some((found) => found.startsWith('service ')) ? true : undefined,
    60_000,
    `the first service of ${slug} (serve output: ${first.output()})`,
  );
  const exited = once(first, 'exit');
  first.kill('SIGKILL');
  await exited;
  const midway = await objectsLabelled(docker, slug);
  t.diagnostic(`left by the killed process: ${midway.join(', ')}`);
  assert.equal(
    (await show()).operations[0]?.state,
    'running',
    'the operation is still leased to the dead process',
  );

  const second = serve();
  t.after(() => second.kill('SIGKILL'));
  const finished = await pollUntil(
    async () => {
      const shown = await show();
      const operation = shown.operations.find((candidate) => candidate.kind === 'create');
      if (operation?.state === 'failed') assert.fail(`create failed: ${operation.error}`);
      return operation?.state === 'succeeded' ? shown : undefined;
    },
    120_000,
    `the create operation to finish after the restart (serve output: ${second.output()})`,
  );
  assert.equal(finished.instance.state, 'running');
  const objects = await objectsLabelled(docker, slug);
  const kinds = (kind: string) => objects.filter((found) => found.startsWith(`${kind} `)).length;
  assert.deepEqual(
    {
      services: kinds('service'),
      networks: kinds('network'),
      secrets: kinds('secret'),
      volumes: kinds('volume'),
    },
    { services: 3, networks: 3, secrets: 3, volumes: 1 },
    objects.join('\n'),
  );
  assert.equal(kinds('container'), 3, `one container per service, none orphaned:\n${objects.join('\n')}`);

  const removed = await cli(['instance', 'decommission', slug, '--wait', '--timeout', '120']);
  assert.equal(removed.code, 0, removed.stderr);
  assert.deepEqual(await objectsLabelled(docker, slug), []);
  second.kill('SIGTERM');
  await once(second, 'exit');
});
