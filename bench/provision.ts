/**
 * Provisioning speed on Docker Swarm: time from `instance create` to a healthy stack (API, PostgreSQL, Redis)
 * through Roost (operation → job → swarm driver), for 1 instance and for N in parallel, side by side in one
 * run with the anchor: the same three services made by the raw `docker network/secret/service create`
 * commands (same images by ID, same networks, secrets, health checks and limits), timed until every
 * service runs 1/1 healthy replicas. Rounds interleave Roost and raw. Also the control plane's RSS with 100
 * instances registered. Needs root, the engine (scripts/start-dockerd) and the images (scripts/build-images).
 * Run: `node bench/provision.ts` (BENCH_PROVISION_ROUNDS default 3, BENCH_PROVISION_PARALLEL default 20).
 * Last line: `ratio: X`, Roost's median single-instance time ÷ the raw commands' median.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { localActor } from '../src/auth/index.ts';
import { loadConfig } from '../src/config/index.ts';
import { createInstance, getInstance, registerInstanceJobs } from '../src/instances/index.ts';
import { apiDepsOf, openRoost } from '../src/main.ts';
import { createLogger } from '../src/observability/index.ts';
import { createSwarmRuntime } from '../src/runtime/index.ts';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const rounds = Number(process.env.BENCH_PROVISION_ROUNDS ?? 3);
const parallel = Number(process.env.BENCH_PROVISION_PARALLEL ?? 20);
const tag = Math.random().toString(36).slice(2, 6);

const tags = execFileSync(path.join(root, 'scripts', 'build-images'), ['--print-tags'], { encoding: 'utf8' })
  .trim()
  .split('\n');
const imageOf = (name: string) => tags.find((entry) => entry.startsWith(`roost/${name}:`)) as string;
const images = { api: imageOf('sample-api'), db: imageOf('postgres'), cache: imageOf('redis') };
const imageIds = Object.fromEntries(
  await Promise.all(
    Object.entries(images).map(async ([service, image]) => [
      service,
      (await run('docker', ['image', 'inspect', '-f', '{{.Id}}', image])).stdout.trim(),
    ]),
  ),
) as Record<'api' | 'db' | 'cache', string>;

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

// --- the anchor: one stack by the raw docker commands --------------------------------------------------

/** The same stack as the swarm driver makes, as shell commands; secret values never leave a pipe. */
const rawScript = `
set -euo pipefail
s=$1 api=$2 db=$3 cache=$4
label="--label bench.provision=$s"
docker network create -d overlay --internal $label "$s-db" >/dev/null
docker network create -d overlay --internal $label "$s-cache" >/dev/null
docker network create -d overlay $label "$s-edge" >/dev/null
openssl rand -hex 32 | docker secret create $label "$s-dbpw" - >/dev/null
openssl rand -hex 32 | docker secret create $label "$s-cachepw" - >/dev/null
openssl rand -hex 32 | docker secret create $label "$s-jwt" - >/dev/null
common="--detach --no-resolve-image $label --container-label bench.provision=$s --endpoint-mode dnsrr --read-only
  --mount type=tmpfs,destination=/run --mount type=tmpfs,destination=/tmp --cap-drop ALL
  --limit-memory 256m --limit-cpu 0.5 --health-interval 1s --health-timeout 5s --health-retries 5"
docker service create $common --name "$s-db" --network "$s-db" --health-start-period 60s \\
  --mount "type=volume,source=$s-pgdata,destination=/var/lib/postgresql/data" \\
  --secret "source=$s-dbpw,target=postgres_password,uid=999,gid=999,mode=0400" \\
  -e POSTGRES_DB=app -e POSTGRES_USER=app "$db" >/dev/null
docker service create $common --name "$s-cache" --network "$s-cache" --health-start-period 30s \\
  --secret "source=$s-cachepw,target=redis_password,uid=999,gid=999,mode=0400" "$cache" >/dev/null
docker service create $common --name "$s-api" --network "$s-db" --network "$s-cache" --network "$s-edge" \\
  --health-start-period 30s --publish mode=host,target=8080 \\
  --secret "source=$s-dbpw,target=db_password,uid=10001,gid=10001,mode=0400" \\
  --secret "source=$s-cachepw,target=redis_password,uid=10001,gid=10001,mode=0400" \\
  --secret "source=$s-jwt,target=jwt_signing_key,uid=10001,gid=10001,mode=0400" \\
  -e DATABASE_HOST="$s-db" -e DATABASE_NAME=app -e DATABASE_USER=app -e DATABASE_PASSWORD_FILE=/run/secrets/db_password \\
  -e REDIS_HOST="$s-cache" -e REDIS_PASSWORD_FILE=/run/secrets/redis_password \\
  -e JWT_SIGNING_KEY_FILE=/run/secrets/jwt_signing_key "$api" >/dev/null
for i in $(seq 1 6000); do
  ready=$(docker service ls --filter "label=bench.provision=$s" --format '{{.Replicas}}' | grep -c '^1/1' || true)
  [ "$ready" -eq 3 ] && exit 0
  sleep 0.1
done
echo "raw stack $s did not become healthy in 600 s" >&2
exit 1
`;

const removeScript = `
s=$1
docker service rm $(docker service ls -q --filter "label=bench.provision=$s") >/dev/null 2>&1 || true
for i in $(seq 1 100); do [ -z "$(docker ps -aq --filter "label=bench.provision=$s")" ] && break; sleep 0.3; done
docker network rm $(docker network ls -q --filter "label=bench.provision=$s") >/dev/null 2>&1 || true
docker secret rm $(docker secret ls -q --filter "label=bench.provision=$s") >/dev/null 2>&1 || true
docker volume rm "$s-pgdata" >/dev/null 2>&1 || true
`;

async function rawStacks(count: number, round: number): Promise<number> {
  const names = Array.from({ length: count }, (_, index) => `raw-${tag}-${round}-${index}`);
  const started = performance.now();
  await Promise.all(
    names.map((name) =>
      run('bash', ['-c', rawScript, 'raw', name, imageIds.api, imageIds.db, imageIds.cache], {
        timeout: 300_000,
      }),
    ),
  );
  const elapsed = performance.now() - started;
  await Promise.all(names.map((name) => run('bash', ['-c', removeScript, 'rm', name])));
  return elapsed;
}

// --- Roost: the instance operation, its job and the swarm driver ---------------------------------------

const dataDir = mkdtempSync(path.join(tmpdir(), 'roost-bench-provision-'));
const config = loadConfig({
  env: {
    ROOST_DATA_DIR: dataDir,
    ROOST_RUNTIME: 'swarm',
    ROOST_IMAGE_API: images.api,
    ROOST_IMAGE_DB: images.db,
    ROOST_IMAGE_CACHE: images.cache,
    ROOST_JOBS_CONCURRENCY: String(Math.max(parallel, 4)),
    ROOST_LOG_LEVEL: 'warn',
  },
}).config;
const roost = await openRoost(config, createLogger({ level: 'warn' }), { migrate: true });
const deps = apiDepsOf(roost);
const actor = localActor(roost.clock);
registerInstanceJobs({ ...deps, lifecycle: roost.lifecycle });
roost.jobs.start();

async function roostStacks(count: number, round: number): Promise<number> {
  const slugs = Array.from({ length: count }, (_, index) => `roost-${tag}-${round}-${index}`);
  const started = performance.now();
  const operations = await Promise.all(
    slugs.map((slug) => createInstance(deps, actor, { slug, customer: 'Bench', environment: 'staging' })),
  );
  await Promise.all(
    operations.map(async ({ instance, operation }) => {
      for (;;) {
        const details = await getInstance(deps, actor, { slug: instance.slug });
        const state = details.operations.find((candidate) => candidate.id === operation.id)?.state;
        if (state === 'succeeded') return;
        if (state === 'failed') throw new Error(`${instance.slug}: ${details.instance.lastError}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }),
  );
  const elapsed = performance.now() - started;
  const swarm = createSwarmRuntime();
  await Promise.all(slugs.map((slug) => swarm.remove(slug)));
  return elapsed;
}

// --- the run --------------------------------------------------------------------------------------------

const single = { roost: [] as number[], raw: [] as number[] };
for (let round = 0; round < rounds; round++) {
  single.raw.push(await rawStacks(1, round));
  single.roost.push(await roostStacks(1, round));
  process.stderr.write(
    `round ${round + 1}/${rounds}: raw ${(single.raw.at(-1) as number).toFixed(0)} ms, roost ${(single.roost.at(-1) as number).toFixed(0)} ms\n`,
  );
}
const many = { raw: await rawStacks(parallel, 100), roost: await roostStacks(parallel, 100) };
process.stderr.write(
  `${parallel} in parallel: raw ${many.raw.toFixed(0)} ms, roost ${many.roost.toFixed(0)} ms\n`,
);

// Control-plane memory: 100 instances registered (rows, operations, queued jobs), listed once.
await roost.jobs.stop();
const before = process.memoryUsage().rss;
for (let index = 0; index < 100; index++) {
  await createInstance(deps, actor, {
    slug: `idle-${tag}-${index}`,
    customer: 'Bench',
    environment: 'staging',
  });
}
await getInstance(deps, actor, { slug: `idle-${tag}-0` });
const rssWith100 = process.memoryUsage().rss;
await roost.close();
rmSync(dataDir, { recursive: true, force: true });

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const rows = [
  ['measure', 'Roost', 'raw docker commands', 'Roost ÷ raw'],
  [
    `1 instance → healthy (median of ${rounds})`,
    seconds(median(single.roost)),
    seconds(median(single.raw)),
    (median(single.roost) / median(single.raw)).toFixed(2),
  ],
  [
    `${parallel} instances in parallel → healthy`,
    seconds(many.roost),
    seconds(many.raw),
    (many.roost / many.raw).toFixed(2),
  ],
  ['control-plane RSS, 100 instances registered', `${(rssWith100 / 1024 / 1024).toFixed(0)} MB`, '', ''],
  ['  (RSS before registering them)', `${(before / 1024 / 1024).toFixed(0)} MB`, '', ''],
];
const widths =
  rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] as string).length))) ?? [];
for (const row of rows)
  console.log(row.map((cell, column) => cell.padEnd(widths[column] as number)).join('  '));
console.log(`ratio: ${(median(single.roost) / median(single.raw)).toFixed(2)}`);
