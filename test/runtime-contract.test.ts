// One contract for every Runtime driver (ARCHITECTURE: Runtime drivers). The local driver runs it now; the
// swarm driver adds one `runtimeContract('swarm', …)` call with its own probe.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { isRoostError } from '../src/core/errors.ts';
import {
  createLocalRuntime,
  type Runtime,
  type SecretSource,
  type StackSecretName,
  type StackSpec,
  type StackStatus,
} from '../src/runtime/index.ts';
import { generateSecret, type SecretKind } from '../src/vault/index.ts';
import { serviceUnavailable } from './fixtures/services.ts';

/** What a driver's test setup gives the contract: the runtime, and where to look for leaks and leftovers. */
interface RuntimeUnderTest {
  runtime: Runtime;
  /** A new runtime over the same state, as a restarted Roost would build it. */
  reopen(): Runtime;
  /** Directories the runtime writes for an instance (state, logs, data); files in the secrets location are skipped. */
  dataDirectories(instance: string, status: StackStatus): string[];
  /** Anything of the instance still present after remove (processes, files, Docker objects), described. */
  leftovers(instance: string, before: StackStatus): string[];
  cleanup(): Promise<void>;
}

type MakeRuntime = () => Promise<RuntimeUnderTest | { unavailable: string }>;

const secretKinds: Record<StackSecretName, SecretKind> = {
  'db-password': 'database-password',
  'cache-password': 'cache-password',
  'jwt-signing-key': 'jwt-signing-key',
};

function newSecrets(): SecretSource & { values: string[] } {
  const values = new Map<StackSecretName, string>();
  for (const [name, kind] of Object.entries(secretKinds) as Array<[StackSecretName, SecretKind]>) {
    values.set(name, generateSecret(kind));
  }
  return {
    values: [...values.values()],
    read: async (name) => values.get(name) ?? assert.fail(`unknown secret ${name}`),
  };
}

function specFor(instance: string, replicas: number): StackSpec {
  const limits = { memoryMb: 256, cpus: 0.5 };
  return {
    instance,
    environment: 'staging',
    release: { api: 'contract-1', db: 'postgres-15', cache: 'redis-7' },
    api: { replicas, env: { CHECK_TIMEOUT_MS: '2000' } },
    db: { engine: 'postgres', database: 'app', user: 'app' },
    cache: { engine: 'redis' },
    limits: { api: limits, db: limits, cache: limits },
    labels: { 'roost.instance': instance, 'roost.test': 'runtime-contract' },
  };
}

async function statusOf(endpoint: string): Promise<{ code: number; body: Record<string, unknown> }> {
  const response = await fetch(`${endpoint}/status`, { signal: AbortSignal.timeout(5_000) });
  return { code: response.status, body: (await response.json()) as Record<string, unknown> };
}

function filesUnder(directory: string): string[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** Every process on the machine whose argv or environment holds one of `values`, as `pid: where`. */
function processesHolding(values: string[]): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    for (const file of ['cmdline', 'environ']) {
      let content: string;
      try {
        content = readFileSync(`/proc/${pid}/${file}`, 'latin1');
      } catch {
        continue;
      }
      if (values.some((value) => content.includes(value))) found.push(`${pid}: ${file}`);
    }
  }
  return found;
}

export function runtimeContract(name: string, makeRuntime: MakeRuntime): void {
  describe(`Runtime contract: ${name}`, { concurrency: false }, () => {
    let setup: RuntimeUnderTest | { unavailable: string };
    let subject: RuntimeUnderTest;
    const suffix = Math.random().toString(36).slice(2, 8);
    const first = `contract-a-${suffix}`;
    const second = `contract-b-${suffix}`;
    const firstSecrets = newSecrets();
    const secondSecrets = newSecrets();
    const progress: string[] = [];
    let firstChanges: string[] = [];
    let timeToHealthyMs = 0;

    /** Skips (or fails in CI) when the driver's services are missing. */
    function ready(t: TestContext): boolean {
      if ('unavailable' in setup) {
        serviceUnavailable(t, name, setup.unavailable);
        return false;
      }
      subject = setup;
      return true;
    }

    before(async () => {
      setup = await makeRuntime();
      if ('unavailable' in setup) return;
      const started = performance.now();
      firstChanges = (
        await setup.runtime.converge(specFor(first, 1), firstSecrets, (step) =>
          progress.push(`${step.service}: ${step.message}`),
        )
      ).changes;
      timeToHealthyMs = performance.now() - started;
    });

    after(async () => {
      if (!('unavailable' in setup)) {
        await setup.runtime.remove(first).catch(() => {});
        await setup.runtime.remove(second).catch(() => {});
        await setup.cleanup();
      }
    });

    it('converges a stack whose API is healthy, with database and cache reachable', async (t) => {
      if (!ready(t)) return;
      t.diagnostic(`time to healthy: ${Math.round(timeToHealthyMs)} ms`);
      assert.ok(firstChanges.length > 0, 'the first converge reports what it did');
      assert.ok(progress.length > 0, 'progress was reported');
      const status = await subject.runtime.inspect(first);
      assert.ok(status, 'inspect finds the instance');
      assert.equal(status.endpoints.api.length, 1);
      const { code, body } = await statusOf(status.endpoints.api[0] as string);
      assert.equal(code, 200);
      assert.equal(body.status, 'ok');
      assert.equal(body.version, 'contract-1');
      const checks = body.checks as Record<string, { status: string }>;
      assert.equal(checks.database?.status, 'ok');
      assert.equal(checks.cache?.status, 'ok');
    });

    it('changes nothing on a second converge with the same spec', async (t) => {
      if (!ready(t)) return;
      const { changes } = await subject.runtime.converge(specFor(first, 1), firstSecrets);
      assert.deepEqual(changes, []);
    });

    it('finds the running stack again after a restart of Roost', async (t) => {
      if (!ready(t)) return;
      const restarted = subject.reopen();
      const status = await restarted.inspect(first);
      assert.equal(status?.state, 'running');
      assert.deepEqual((await restarted.converge(specFor(first, 1), firstSecrets)).changes, []);
    });

    it('inspects services, endpoints, secrets and notes', async (t) => {
      if (!ready(t)) return;
      const status = await subject.runtime.inspect(first);
      assert.ok(status);
      assert.equal(status.instance, first);
      assert.equal(status.runtime, subject.runtime.kind);
      assert.equal(status.state, 'running');
      assert.deepEqual(status.services.map((service) => service.name).sort(), ['api', 'cache', 'db']);
      for (const service of status.services) {
        assert.equal(service.health, 'healthy', `${service.name} is healthy`);
        assert.equal(service.runningReplicas, service.desiredReplicas);
      }
      assert.deepEqual(status.labels, specFor(first, 1).labels);
      assert.match(status.endpoints.api[0] as string, /^http:\/\/127\.0\.0\.1:\d+$/);
      if (subject.runtime.isolatesNetworks) {
        assert.ok(status.networks.some((network) => network.internal));
      } else {
        assert.ok(
          status.notes.some((note) => /no network isolation/.test(note)),
          status.notes.join('\n'),
        );
      }
      assert.ok(['tmpfs', 'disk'].includes(status.secrets.medium));
      t.diagnostic(`secrets on ${status.secrets.medium} at ${status.secrets.location}`);
    });

    it('runs commands in a service as an argument array, with stdin', async (t) => {
      if (!ready(t)) return;
      const accepting = await subject.runtime.exec(first, 'db', ['pg_isready']);
      assert.equal(accepting.code, 0, accepting.stderr);
      const echoed = await subject.runtime.exec(
        first,
        'api',
        ['node', '-e', 'process.stdin.pipe(process.stdout)', '$(not a shell)'],
        { stdin: 'hello from stdin' },
      );
      assert.equal(echoed.code, 0, echoed.stderr);
      assert.equal(echoed.stdout, 'hello from stdin');
      const failed = await subject.runtime.exec(first, 'api', ['node', '-e', 'process.exit(3)']);
      assert.equal(failed.code, 3);
    });

    it("streams a command's input and output, for dumps and restores of any size", async (t) => {
      if (!ready(t)) return;
      const running = await subject.runtime.execStream(first, 'api', [
        'node',
        '-e',
        'process.stdin.pipe(process.stdout)',
      ]);
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const chunks = 80; // 5 MiB, more than any pipe buffer holds
      const received = (async () => {
        let bytes = 0;
        for await (const data of running.stdout) bytes += (data as Buffer).length;
        return bytes;
      })();
      for (let index = 0; index < chunks; index++) {
        if (!running.stdin.write(chunk)) await once(running.stdin, 'drain');
      }
      running.stdin.end();
      assert.equal(await received, chunk.length * chunks);
      assert.equal((await running.exited).code, 0);
      const failing = await subject.runtime.execStream(first, 'db', ['sh', '-c', 'echo broken >&2; exit 4']);
      failing.stdin.end();
      failing.stdout.resume();
      assert.deepEqual(await failing.exited, { code: 4, stderr: 'broken\n' });
    });

    it('keeps secret values out of every command line, environment, state and log file', async (t) => {
      if (!ready(t)) return;
      const status = await subject.runtime.inspect(first);
      assert.ok(status);
      assert.deepEqual(processesHolding(firstSecrets.values), []);
      const files = subject
        .dataDirectories(first, status)
        .flatMap(filesUnder)
        .filter((file) => !file.startsWith(`${status.secrets.location}/`));
      assert.ok(files.length > 0);
      const leaks = files.filter((file) => {
        const content = readFileSync(file, 'latin1');
        return firstSecrets.values.some((value) => content.includes(value));
      });
      assert.deepEqual(leaks, []);
      // The values do exist, in the secret files only.
      const secretContent = filesUnder(status.secrets.location)
        .map((file) => readFileSync(file, 'utf8'))
        .join('\n');
      for (const value of firstSecrets.values) assert.ok(secretContent.includes(value));
      for (const file of filesUnder(status.secrets.location)) {
        assert.equal(statSync(file).mode & 0o077, 0, `${file} is readable only by its owner`);
      }
    });

    it('scales the API from one replica to two healthy endpoints', async (t) => {
      if (!ready(t)) return;
      const { changes } = await subject.runtime.converge(specFor(first, 2), firstSecrets);
      assert.ok(
        changes.some((change) => change.startsWith('api:')),
        changes.join('\n'),
      );
      const status = await subject.runtime.inspect(first);
      assert.ok(status);
      assert.equal(status.endpoints.api.length, 2);
      assert.equal(new Set(status.endpoints.api).size, 2);
      for (const endpoint of status.endpoints.api) assert.equal((await statusOf(endpoint)).code, 200);
      assert.deepEqual((await subject.runtime.converge(specFor(first, 2), firstSecrets)).changes, []);
    });

    it('runs a second instance alongside on its own ports, both healthy', async (t) => {
      if (!ready(t)) return;
      await subject.runtime.converge(specFor(second, 1), secondSecrets);
      const [a, b] = await Promise.all([subject.runtime.inspect(first), subject.runtime.inspect(second)]);
      assert.ok(a && b);
      const addresses = (status: StackStatus) =>
        status.services.flatMap((service) => service.replicas.map((replica) => replica.address));
      const shared = addresses(a).filter((address) => addresses(b).includes(address));
      assert.deepEqual(shared, []);
      assert.notEqual(a.secrets.location, b.secrets.location);
      for (const endpoint of [...a.endpoints.api, ...b.endpoints.api]) {
        assert.equal((await statusOf(endpoint)).code, 200);
      }
      assert.deepEqual(processesHolding(secondSecrets.values), []);
      const removed = await subject.runtime.remove(second);
      assert.ok(removed.removed.length > 0);
      assert.equal(await subject.runtime.inspect(second), undefined);
      // The first instance did not notice.
      for (const endpoint of a.endpoints.api) assert.equal((await statusOf(endpoint)).code, 200);
    });

    it('refuses an invalid spec before creating anything', async (t) => {
      if (!ready(t)) return;
      const bad = { ...specFor('Not_A_Slug', 1) };
      await assert.rejects(subject.runtime.converge(bad, firstSecrets), (error) =>
        isRoostError(error, 'invalid_input'),
      );
      const reserved = specFor(`contract-c-${suffix}`, 1);
      reserved.api.env = { DATABASE_PASSWORD: 'x' };
      await assert.rejects(subject.runtime.converge(reserved, firstSecrets), (error) =>
        isRoostError(error, 'invalid_input'),
      );
      assert.equal(await subject.runtime.inspect(`contract-c-${suffix}`), undefined);
    });

    it('removes everything: processes, data and secret files', async (t) => {
      if (!ready(t)) return;
      const status = await subject.runtime.inspect(first);
      assert.ok(status);
      const { removed } = await subject.runtime.remove(first);
      t.diagnostic(removed.join('\n'));
      assert.ok(removed.length > 0);
      assert.deepEqual(subject.leftovers(first, status), []);
      assert.equal(existsSync(status.secrets.location), false);
      assert.equal(await subject.runtime.inspect(first), undefined);
      assert.deepEqual((await subject.runtime.remove(first)).removed, [], 'remove is idempotent');
    });
  });
}

const postgresBin = '/usr/lib/postgresql/15/bin';
const redisServer = '/usr/bin/redis-server';

runtimeContract('local', async () => {
  for (const binary of [path.join(postgresBin, 'initdb'), path.join(postgresBin, 'postgres'), redisServer]) {
    if (!existsSync(binary)) return { unavailable: `${binary} is missing (run scripts/setup-system)` };
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), 'roost-runtime-'));
  chmodSync(dataDir, 0o711); // the postgres and redis users traverse it to reach their own directories
  const instanceDirectory = (instance: string) => path.join(dataDir, 'runtime', instance);
  const open = () => createLocalRuntime({ dataDir, healthDeadlineMs: 30_000 });
  return {
    runtime: open(),
    reopen: open,
    // Everything the runtime wrote under Roost's data directory (the contract skips the secret files).
    dataDirectories: () => [dataDir],
    leftovers: (instance, before) => {
      const found: string[] = [];
      if (existsSync(instanceDirectory(instance))) found.push(`directory ${instanceDirectory(instance)}`);
      for (const service of before.services) {
        for (const replica of service.replicas) {
          if (existsSync(`/proc/${replica.id}`)) found.push(`${service.name} process ${replica.id}`);
        }
      }
      for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
        try {
          const cwd = readlinkSync(`/proc/${pid}/cwd`);
          if (cwd.startsWith(instanceDirectory(instance))) found.push(`process ${pid} in the directory`);
        } catch {
          // not ours
        }
      }
      return found;
    },
    cleanup: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
});
