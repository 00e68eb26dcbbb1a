/**
 * API throughput: requests/s and p99 latency of authenticated reads (`GET /api/v1/me`,
 * `GET /api/v1/bans?active=true`, each with `Authorization: Bearer <API token>`), against the anchor of a
 * bare Hono route (`GET /bench/hello` → `c.text('hello')`) served by the same server: same process, same
 * port, matched before the admin app's first middleware. Load comes from `wrk` on
 * loopback, variants interleaved round by round so machine noise hits all alike. SQLite in a temp data
 * dir. Run: `node bench/api.ts` (BENCH_API_ROUNDS, BENCH_API_SECONDS, BENCH_API_CONNECTIONS to change the
 * run; BENCH_API_SERVER=inline to serve from this process instead of a child; BENCH_API_PROFILE=<dir> to
 * write a `--cpu-prof` profile of the server child). Last line: `ratio: X`, /api/v1/me req/s ÷ hello req/s.
 */
import { execFile, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import { recordLoginFailure } from '../src/auth/throttle.ts';
import { loadConfig } from '../src/config/index.ts';
import { systemClock } from '../src/core/clock.ts';
import type { AdminEnv } from '../src/http/middleware/actor.ts';
import { listen } from '../src/http/server.ts';
import { createAdminAppFor, openRoost } from '../src/main.ts';
import { createLogger } from '../src/observability/index.ts';
import { operatorToken } from './operator-token.ts';

const rounds = Number(process.env.BENCH_API_ROUNDS ?? 3);
const seconds = Number(process.env.BENCH_API_SECONDS ?? 10);
const connections = Number(process.env.BENCH_API_CONNECTIONS ?? 16);
const warmUpSeconds = 3;
/**
 * A child process by default: it holds only the server, as `roost serve` does. Served from this process
 * instead, hello lost about 15% (25k against 30k req/s on the machine in docs/benchmarks.md; the ratio was
 * the same), as wrk's pipes and this loop's bookkeeping then share the server's event loop.
 */
const serverMode = process.env.BENCH_API_SERVER === 'inline' ? 'inline' : 'child';
const profileDir = process.env.BENCH_API_PROFILE;
const bannedIps = ['192.0.2.1', '192.0.2.2', '192.0.2.3'];

const allVariants = [
  { key: 'hello', name: 'hello (bare Hono)', path: '/bench/hello' },
  { key: 'me', name: 'GET /api/v1/me', path: '/api/v1/me' },
  { key: 'bans', name: 'GET /api/v1/bans?active=true', path: '/api/v1/bans?active=true' },
] as const;
/** BENCH_API_VARIANTS=me (comma-separated keys) runs only those, e.g. to profile one path. */
const chosen = process.env.BENCH_API_VARIANTS?.split(',') ?? allVariants.map((variant) => variant.key);
const variants = allVariants.filter((variant) => chosen.includes(variant.key));
/** The server child stops on its own after this, whatever happens to the parent. */
const serverTimeLimitMs =
  (rounds * allVariants.length * (seconds + 5) + allVariants.length * (warmUpSeconds + 5) + 120) * 1_000;

interface BenchServer {
  url: string;
  token: string;
  /** CPU time (user + system, µs) the serving process has used so far. */
  cpu(): Promise<number>;
  stop(): Promise<void>;
}

interface WrkResult {
  requestsPerSecond: number;
  p99Ms: number;
  requests: number;
}

interface Run extends WrkResult {
  /** Server CPU per request: less sensitive than req/s to what else the machine runs. */
  cpuMicroseconds: number;
}

function cpuNow(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

/**
 * A Roost on a scratch SQLite database, its admin app served on 127.0.0.1 with the hello route in front:
 * an operator user, a real API token made through `createToken`, three active IP bans (five failed logins
 * each) for the bans listing to return. The admin app is built as `serveRoost` builds it
 * (`createAdminAppFor`) and mounted whole on one Hono app after the hello route: hello answers without any
 * middleware; every other request runs through the admin app's middleware, error and not-found handlers.
 */
async function startBenchServer(): Promise<BenchServer> {
  const directory = mkdtempSync(path.join(tmpdir(), 'roost-bench-api-'));
  const { config } = loadConfig({
    env: {
      ROOST_DATA_DIR: directory,
      ROOST_ADMIN_LISTEN: '127.0.0.1:0',
      ROOST_STATUS_LISTEN: '127.0.0.1:0',
      ROOST_LOG_LEVEL: 'warn',
    },
  });
  const logger = createLogger({ level: 'warn', destination: process.stderr });
  const roost = await openRoost(config, logger, { migrate: true, clock: systemClock });
  try {
    const { deps, token } = await operatorToken(roost);
    for (const ip of bannedIps) {
      for (let failure = 0; failure < config.auth.maxFailures; failure++) {
        await recordLoginFailure(deps, { ip, account: null, reason: 'bench' });
      }
    }

    const admin = createAdminAppFor(roost);
    // One Hono app: hello is registered first, so it answers before any of the admin app's middleware;
    // the admin app is mounted whole (its routes, middleware and error handlers), as serve runs it.
    const app = new Hono<AdminEnv>();
    app.get('/bench/hello', (context) => context.text('hello'));
    app.route('/', admin);
    const server = await listen(app, { host: '127.0.0.1', port: 0 });
    if (server.address.host !== '127.0.0.1') throw new Error(`bound to ${server.address.host}, not loopback`);
    return {
      url: server.url,
      token,
      cpu: async () => cpuNow(),
      stop: async () => {
        await server.close();
        await roost.close();
        rmSync(directory, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await roost.close();
    rmSync(directory, { recursive: true, force: true });
    throw error;
  }
}

/** Child mode: serve, tell the parent where, stop when told (or when the parent or the time limit goes). */
async function serveChild(): Promise<void> {
  const server = await startBenchServer();
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    clearTimeout(limit);
    await server.stop();
    process.disconnect?.();
  };
  const limit = setTimeout(() => void stop(), serverTimeLimitMs);
  process.on('message', (message) => {
    if (message === 'stop') void stop();
    if (message === 'cpu') process.send?.({ cpu: cpuNow() });
  });
  process.on('disconnect', () => void stop());
  process.send?.({ url: server.url, token: server.token });
}

async function startChild(): Promise<BenchServer> {
  const execArgv = [
    ...process.execArgv,
    ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
  ];
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], {
    execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<{ url: string; token: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the bench server did not start within 60 s')), 60_000);
    child.once('message', (message) => {
      clearTimeout(timer);
      resolve(message as { url: string; token: string });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the bench server exited (${code}) before it was ready`));
    });
  });
  return {
    ...ready,
    cpu: () =>
      new Promise((resolve) => {
        child.once('message', (message) => resolve((message as { cpu: number }).cpu));
        child.send('cpu');
      }),
    stop: async () => {
      child.send('stop');
      const timer = setTimeout(() => child.kill(), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** One request per variant before measuring: a 200 and the expected body, or the run is worthless. */
async function check(server: BenchServer): Promise<void> {
  const headers = { authorization: `Bearer ${server.token}` };
  const hello = await fetch(`${server.url}/bench/hello`, { headers });
  if (hello.status !== 200 || (await hello.text()) !== 'hello') throw new Error('hello did not answer hello');
  const me = await fetch(`${server.url}/api/v1/me`, { headers });
  const meBody = (await me.json()) as { kind?: string };
  if (me.status !== 200 || meBody.kind !== 'token')
    throw new Error(`/api/v1/me: ${me.status} ${JSON.stringify(meBody)}`);
  const bans = await fetch(`${server.url}/api/v1/bans?active=true`, { headers });
  const bansBody = (await bans.json()) as { bans?: unknown[] };
  if (bans.status !== 200 || bansBody.bans?.length !== bannedIps.length) {
    throw new Error(`/api/v1/bans: ${bans.status} ${JSON.stringify(bansBody)}`);
  }
}

/**
 * One wrk run. The token is passed with `-H`, so it shows in wrk's argv (ps): acceptable only because it
 * is a throw-away token of a throw-away database this benchmark made and deletes. Every variant gets the
 * same header, so requests are the same size; hello ignores it.
 */
function wrk(url: string, token: string, durationSeconds: number): Promise<WrkResult> {
  const args = ['-t1', `-c${connections}`, `-d${durationSeconds}s`, '--latency', '--timeout', '5s'];
  args.push('-H', `Authorization: Bearer ${token}`, url);
  return new Promise((resolve, reject) => {
    execFile('wrk', args, { timeout: (durationSeconds + 30) * 1_000 }, (error, stdout) => {
      if (error) {
        const hint =
          (error as NodeJS.ErrnoException).code === 'ENOENT' ? ' (install it: apt-get install wrk)' : '';
        return reject(new Error(`wrk failed${hint}: ${error.message}`));
      }
      const rate = /Requests\/sec:\s+([\d.]+)/.exec(stdout);
      const p99 = /^\s*99%\s+([\d.]+)(us|ms|s|m)\s*$/m.exec(stdout);
      const total = /(\d+) requests in /.exec(stdout);
      const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(stdout);
      const socketErrors = /Socket errors: (.*)/.exec(stdout);
      if (!rate || !p99 || !total) return reject(new Error(`cannot read wrk's output:\n${stdout}`));
      if (non2xx) return reject(new Error(`${url}: ${non2xx[1]} responses were not 2xx`));
      if (socketErrors) return reject(new Error(`${url}: socket errors: ${socketErrors[1]}`));
      const scale = { us: 0.001, ms: 1, s: 1_000, m: 60_000 }[p99[2] as 'us' | 'ms' | 's' | 'm'];
      resolve({
        requestsPerSecond: Number(rate[1]),
        p99Ms: Number(p99[1]) * scale,
        requests: Number(total[1]),
      });
    });
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

async function main(): Promise<void> {
  const server = serverMode === 'child' ? await startChild() : await startBenchServer();
  const results = new Map<string, Run[]>(variants.map((variant) => [variant.path, []]));
  try {
    if (!new URL(server.url).hostname.startsWith('127.')) throw new Error(`not loopback: ${server.url}`);
    await check(server);
    for (const variant of variants) await wrk(server.url + variant.path, server.token, warmUpSeconds);
    for (let round = 0; round < rounds; round++) {
      for (const variant of variants) {
        const cpuBefore = await server.cpu();
        const measured = await wrk(server.url + variant.path, server.token, seconds);
        const result = {
          ...measured,
          cpuMicroseconds: ((await server.cpu()) - cpuBefore) / measured.requests,
        };
        results.get(variant.path)?.push(result);
        process.stderr.write(
          `round ${round + 1}/${rounds} ${variant.name}: ${result.requestsPerSecond.toFixed(0)} req/s, p99 ${result.p99Ms.toFixed(2)} ms, ${result.cpuMicroseconds.toFixed(0)} µs CPU/req\n`,
        );
      }
    }
  } finally {
    await server.stop();
  }

  const summary = variants.map((variant) => {
    const runs = results.get(variant.path) ?? [];
    const rates = runs.map((run) => run.requestsPerSecond);
    return {
      key: variant.key,
      name: variant.name,
      rate: median(rates),
      low: Math.min(...rates),
      high: Math.max(...rates),
      p99: median(runs.map((run) => run.p99Ms)),
      cpu: median(runs.map((run) => run.cpuMicroseconds)),
    };
  });
  const hello = summary.find((row) => row.key === 'hello')?.rate ?? Number.NaN;
  const rows = [
    ['variant', 'req/s median', 'range', 'p99 ms median', 'ratio vs hello', 'server CPU µs/req'],
    ...summary.map((row) => [
      row.name,
      row.rate.toFixed(0),
      `${row.low.toFixed(0)}–${row.high.toFixed(0)}`,
      row.p99.toFixed(2),
      (row.rate / hello).toFixed(2),
      row.cpu.toFixed(0),
    ]),
  ];
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  process.stdout.write(
    `${rounds} rounds × ${seconds} s per variant, wrk -t1 -c${connections}, server in ${serverMode === 'child' ? 'a child process' : 'this process'}\n`,
  );
  for (const row of rows)
    process.stdout.write(`${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ')}\n`);
  const me = summary.find((row) => row.key === 'me')?.rate ?? Number.NaN;
  const ratio = me / hello;
  process.stdout.write(`ratio: ${Number.isFinite(ratio) ? ratio.toFixed(2) : 'n/a'}\n`);
}

if (process.argv[2] === '--serve') await serveChild();
else await main();
