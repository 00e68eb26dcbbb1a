/**
 * Status page throughput: requests/s and p99 of a cached status page (`/s/{slug}/`, 20 components with 90
 * days of bars, incidents and maintenances) and its `/api/v2/summary.json`, identity and precompressed
 * gzip / brotli, at 10 and 100 connections, against nginx (Debian's package and defaults, plus
 * `gzip_static` and `brotli_static`) serving copies of the same bytes as static files. wrk on loopback;
 * Roost and nginx alternate cell by cell so machine noise hits both alike. Roost serves from one process
 * per core sharing the port (SO_REUSEPORT, as `status.processes: 0`), nginx from its `worker_processes auto`.
 * BENCH_STATUS_OUTAGE=1 writes an outage meanwhile: an incident update every second and 500 HTTP probes every
 * 5 s (one page component flapping), beside the serving processes; nginx's copies are then saved again before
 * each of its cells, since the documents grow with every update. Run: `node bench/status.ts`
 * (BENCH_STATUS_SECONDS, BENCH_STATUS_ROUNDS, BENCH_STATUS_WORKERS, BENCH_STATUS_OUTAGE, BENCH_STATUS_PROBES).
 * Last line: `ratio: X`, the lowest Roost ÷ nginx req/s.
 */
import { type ChildProcess, execFile, fork, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { localActor } from '../src/auth/index.ts';
import { loadConfig } from '../src/config/index.ts';
import { systemClock } from '../src/core/clock.ts';
import { listen } from '../src/http/server.ts';
import { createStatusServer } from '../src/http/status/app.ts';
import { appendTimelineEntry, createIncident } from '../src/incidents/index.ts';
import { apiDepsOf, openRoost } from '../src/main.ts';
import { createMonitor, createMonitoringService } from '../src/monitoring/index.ts';
import { createLogger } from '../src/observability/index.ts';
import {
  addComponent,
  configureStatusPage,
  insertInstanceRow,
  scheduleMaintenance,
} from '../src/status/index.ts';

const seconds = Number(process.env.BENCH_STATUS_SECONDS ?? 5);
/** Serving processes sharing the port (SO_REUSEPORT), like `roost serve` with `status.processes` (0 = per core). */
const workers = Number(process.env.BENCH_STATUS_WORKERS ?? availableParallelism());
/** BENCH_STATUS_OUTAGE=1: an incident update every second while wrk runs, so pages are rebuilt all along. */
const outage = process.env.BENCH_STATUS_OUTAGE === '1';
/** Monitors besides the page's 20, all every 5 s, probing while an outage is written. */
const extraProbes = Number(process.env.BENCH_STATUS_PROBES ?? 480);
const rounds = Number(process.env.BENCH_STATUS_ROUNDS ?? 1);
const slug = 'bench-shop';
const documents = [
  { key: 'html', roost: `/s/${slug}/`, nginx: '/index.html' },
  { key: 'summary.json', roost: `/s/${slug}/api/v2/summary.json`, nginx: '/summary.json' },
] as const;
const encodings = ['identity', 'gzip', 'br'] as const;
const connectionCounts = [10, 100] as const;

async function openBenchRoost(directory: string, migrate: boolean) {
  const { config } = loadConfig({ env: { ROOST_DATA_DIR: directory, ROOST_LOG_LEVEL: 'warn' } });
  const logger = createLogger({ level: 'warn', destination: process.stderr });
  const roost = await openRoost(config, logger, { migrate, clock: systemClock });
  return { roost, logger };
}

/** A Roost with one rich status page: 20 components, 5 incidents with updates, a maintenance. */
async function seed(directory: string, targetUrl: string): Promise<void> {
  const { roost } = await openBenchRoost(directory, true);
  const now = Date.now();
  await insertInstanceRow(roost.store, roost.clock, slug, 'Bench Shop');
  const deps = apiDepsOf(roost);
  const actor = localActor(roost.clock);
  await configureStatusPage(deps, actor, { slug, name: 'Bench Shop' });
  const probe = (name: string, path: string) =>
    createMonitor(deps, actor, {
      name,
      kind: 'http',
      settings: { url: `${targetUrl}${path}` },
      intervalSeconds: 5,
      retries: 0,
    });
  const components = [];
  const day = 86_400_000;
  const today = Math.floor(now / day) * day;
  for (let index = 1; index <= 20; index++) {
    const monitor = (await probe(`Component ${index}`, `/c${index}`)).monitor.id;
    components.push(
      await addComponent(deps, actor, {
        slug,
        name: `Component ${index}`,
        description: `Service number ${index}`,
        monitors: [monitor],
      }),
    );
    // 89 days of day roll-ups before today (a check every 5 s), a few of them bad, as monitoring leaves them.
    await roost.store.db
      .insertInto('check_rollups')
      .values(
        Array.from({ length: 89 }, (_, back) => ({
          monitor_id: monitor,
          granularity: 'day',
          bucket: today - (back + 1) * day,
          checks: 17_280,
          failures: (back + index) % 23 === 0 ? 360 : 0,
          latency_sum: 17_280 * 3,
          latency_max: 40,
        })),
      )
      .execute();
  }
  // More probes than the page's, as a Roost monitoring other instances runs them too.
  for (let index = 0; index < extraProbes; index++) await probe(`Other ${index}`, `/other${index}`);
  for (let index = 0; index < 5; index++) {
    const incident = await createIncident(deps, actor, {
      title: `Incident ${index}`,
      instances: [slug],
      components: [components[index]?.id ?? ''],
      message: 'We are looking into **elevated errors**.',
      startedAt: new Date(now - index * 9 * 86_400_000),
    });
    await appendTimelineEntry(deps, actor, {
      incidentId: incident.id,
      body: 'Found the cause; a fix is rolling out.',
      public: true,
      status: 'identified',
    });
    if (index > 0)
      await appendTimelineEntry(deps, actor, {
        incidentId: incident.id,
        body: 'Resolved.',
        public: true,
        status: 'resolved',
      });
  }
  await scheduleMaintenance(deps, actor, {
    slug,
    title: 'Database upgrade',
    body: 'PostgreSQL minor update.',
    startsAt: new Date(now + 3 * 86_400_000),
    endsAt: new Date(now + 3 * 86_400_000 + 3_600_000),
    confirmBusinessHours: true,
  });
  await roost.close();
}

/** The probes' target: every path answers 200, except `/c1`, which fails in every other 10 s window. */
async function startProbeTarget(): Promise<{ url: string; close(): void }> {
  const server = createServer((request, response) => {
    const failing = request.url === '/c1' && Math.floor(Date.now() / 10_000) % 2 === 1;
    response.writeHead(failing ? 500 : 200, { 'content-type': 'text/plain' });
    response.end(failing ? 'down' : 'ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

/** An outage being written: an incident update every second, and the probes running (one component flapping). */
async function writeOutage(directory: string): Promise<{ stop(): void }> {
  const { roost } = await openBenchRoost(directory, false);
  const deps = apiDepsOf(roost);
  const actor = localActor(roost.clock);
  const incident = await createIncident(deps, actor, {
    title: 'Ongoing outage',
    severity: 'critical',
    instances: [slug],
    message: 'Investigating.',
  });
  let count = 0;
  const updates = setInterval(() => {
    count++;
    void appendTimelineEntry(deps, actor, {
      incidentId: incident.id,
      body: `Update ${count}: still working on it.`,
      public: true,
    });
  }, 1_000);
  const { listeners, maintenance } = roost.alerting;
  const monitoring = createMonitoringService(
    { ...deps, listeners, ...(maintenance ? { maintenance } : {}) },
    null,
  );
  await monitoring.start();
  return {
    stop: () => {
      clearInterval(updates);
      void monitoring.stop();
    },
  };
}

/** One serving process: the status app on loopback, sharing the port with the others. */
async function serveWorker(directory: string, port: number): Promise<void> {
  const { roost, logger } = await openBenchRoost(directory, false);
  // Pages are read and rendered on the page thread from the store, as `roost serve` does.
  const { app, fastPath } = createStatusServer({
    logger,
    metrics: (await import('../src/observability/index.ts')).createMetrics(),
    readiness: async () => ({ ready: true, checks: [] }) as never,
    pages: {
      store: roost.store,
      clock: roost.clock,
      health: roost.componentHealth,
      uptime: roost.uptime,
      domain: 'example.test',
      readFrom: { databaseUrl: undefined, dataDir: directory },
    },
  });
  const server = await listen(app, { host: '127.0.0.1', port }, { fastPath, reusePort: true });
  process.send?.({ url: server.url });
}

/** Child: seeds the store, then serves it from `workers` processes; stops with the parent. */
async function serveChild(): Promise<void> {
  if (process.env.BENCH_STATUS_DIR)
    return serveWorker(process.env.BENCH_STATUS_DIR, Number(process.env.BENCH_STATUS_PORT));
  const directory = mkdtempSync(path.join(tmpdir(), 'roost-bench-status-'));
  const target = await startProbeTarget();
  await seed(directory, target.url);
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const children: ChildProcess[] = [];
  const started: Array<Promise<string>> = [];
  for (let index = 0; index < workers; index++) {
    const worker = fork(fileURLToPath(import.meta.url), ['--serve'], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: {
        ...process.env,
        BENCH_STATUS_DIR: directory,
        BENCH_STATUS_PORT: String(port),
      },
    });
    children.push(worker);
    started.push(
      new Promise((resolve) => worker.once('message', (message: { url: string }) => resolve(message.url))),
    );
  }
  const [url] = await Promise.all(started);
  // The outage is written beside the serving processes, as `roost serve` does beside its status processes.
  const writing = outage ? await writeOutage(directory) : undefined;
  const stop = () => {
    writing?.stop();
    target.close();
    for (const worker of children) worker.kill();
    rmSync(directory, { recursive: true, force: true });
    process.exit(0);
  };
  process.on('message', (message) => message === 'stop' && stop());
  process.on('disconnect', stop);
  process.send?.({ url });
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(command, args, { maxBuffer: 1 << 20 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${command}: ${stderr || error.message}`)) : resolve(stdout),
    ),
  );
}

function parseLatency(text: string): number {
  const match = /^([\d.]+)(us|ms|s)$/.exec(text);
  if (!match) return Number.NaN;
  const value = Number(match[1]);
  return match[2] === 'us' ? value / 1000 : match[2] === 's' ? value * 1000 : value;
}

async function wrk(url: string, connections: number, encoding: string, duration: number) {
  const args = ['-t2', `-c${connections}`, `-d${duration}s`, '--latency'];
  if (encoding !== 'identity') args.push('-H', `Accept-Encoding: ${encoding}`);
  const output = await run('wrk', [...args, url]);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1]);
  const p99 = parseLatency(/\s99%\s+([\d.]+\w+)/.exec(output)?.[1] ?? '');
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(output)?.[1] ?? 0);
  if (non2xx > 0) throw new Error(`${url}: ${non2xx} error answers`);
  return { rps, p99 };
}

async function fetchCopy(url: string, encoding: string): Promise<Buffer> {
  // fetch would decode the body; a raw HTTP read keeps the exact bytes served.
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { headers: encoding === 'identity' ? {} : { 'accept-encoding': encoding } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve(Buffer.concat(chunks)));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function nginxConfig(prefix: string, root: string, port: number): string {
  // Debian's nginx.conf, trimmed to what serves files, plus the static precompressed copies.
  return `load_module /usr/lib/nginx/modules/ngx_http_brotli_static_module.so;
user root;
worker_processes auto;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log;
events { worker_connections 768; }
http {
  sendfile on;
  tcp_nopush on;
  types_hash_max_size 2048;
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log ${prefix}/access.log;
  gzip on;
  gzip_static on;
  brotli_static on;
  client_body_temp_path ${prefix}/body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  server {
    listen 127.0.0.1:${port};
    root ${root};
    etag on;
  }
}
`;
}

async function main(): Promise<void> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const { url } = await new Promise<{ url: string }>((resolve, reject) => {
    child.once('message', (message) => resolve(message as { url: string }));
    child.once('exit', (code) => reject(new Error(`the Roost server exited (${code})`)));
  });
  const prefix = mkdtempSync(path.join(tmpdir(), 'roost-bench-nginx-'));
  const root = path.join(prefix, 'root');
  mkdirSync(root);
  let nginx: ReturnType<typeof spawn> | undefined;
  try {
    // nginx serves the documents Roost serves at that moment: during an outage they grow with every
    // update, so the copies are saved again before each of nginx's cells.
    const saveCopies = async () => {
      for (const document of documents) {
        const file = path.join(root, document.nginx.slice(1));
        writeFileSync(file, await fetchCopy(`${url}${document.roost}`, 'identity'));
        writeFileSync(`${file}.gz`, await fetchCopy(`${url}${document.roost}`, 'gzip'));
        writeFileSync(`${file}.br`, await fetchCopy(`${url}${document.roost}`, 'br'));
      }
      process.stderr.write(
        `document sizes (identity / gzip / br): ${documents
          .map((document) => {
            const file = path.join(root, document.nginx.slice(1));
            return `${document.nginx.slice(1)} ${['', '.gz', '.br'].map((suffix) => statSync(`${file}${suffix}`).size).join(' / ')} bytes`;
          })
          .join('; ')}\n`,
      );
    };
    await saveCopies();
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    writeFileSync(path.join(prefix, 'nginx.conf'), nginxConfig(prefix, root, port));
    nginx = spawn(
      '/usr/sbin/nginx',
      ['-p', prefix, '-c', path.join(prefix, 'nginx.conf'), '-g', 'daemon off;'],
      { stdio: 'inherit' },
    );
    const nginxUrl = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await fetchCopy(`${nginxUrl}/summary.json`, 'identity');
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    // Warm both up.
    await wrk(`${url}${documents[0].roost}`, 10, 'br', 2);
    await wrk(`${nginxUrl}${documents[0].nginx}`, 10, 'br', 2);
    const results = new Map<
      string,
      { roost: number[]; nginx: number[]; roostP99: number[]; nginxP99: number[] }
    >();
    for (let round = 0; round < rounds; round++) {
      for (const document of documents)
        for (const encoding of encodings)
          for (const connections of connectionCounts) {
            const key = `${document.key}|${encoding}|${connections}`;
            const cell = results.get(key) ?? { roost: [], nginx: [], roostP99: [], nginxP99: [] };
            const ours = await wrk(`${url}${document.roost}`, connections, encoding, seconds);
            if (outage) await saveCopies();
            const theirs = await wrk(`${nginxUrl}${document.nginx}`, connections, encoding, seconds);
            cell.roost.push(ours.rps);
            cell.roostP99.push(ours.p99);
            cell.nginx.push(theirs.rps);
            cell.nginxP99.push(theirs.p99);
            results.set(key, cell);
          }
    }
    const median = (values: number[]) =>
      [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
    const rows = [
      [
        'document',
        'encoding',
        'conns',
        'Roost req/s',
        'nginx req/s',
        'ratio',
        'Roost p99 ms',
        'nginx p99 ms',
      ],
    ];
    let lowest = Number.POSITIVE_INFINITY;
    for (const [key, cell] of results) {
      const [document = '', encoding = '', connections = ''] = key.split('|');
      const ratio = median(cell.roost) / median(cell.nginx);
      lowest = Math.min(lowest, ratio);
      rows.push([
        document,
        encoding,
        connections,
        median(cell.roost).toFixed(0),
        median(cell.nginx).toFixed(0),
        ratio.toFixed(2),
        median(cell.roostP99).toFixed(2),
        median(cell.nginxP99).toFixed(2),
      ]);
    }
    const widths =
      rows[0]?.map((_, index) => Math.max(...rows.map((row) => (row[index] ?? '').length))) ?? [];
    for (const row of rows) console.log(row.map((cell, index) => cell.padEnd(widths[index] ?? 0)).join('  '));
    console.log(`ratio: ${lowest.toFixed(2)}`);
  } finally {
    nginx?.kill('SIGQUIT');
    child.send('stop');
    rmSync(prefix, { recursive: true, force: true });
  }
}

if (process.argv.includes('--serve')) await serveChild();
else await main();
