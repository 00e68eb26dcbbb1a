/**
 * Uptime Kuma 2 as a second anchor for bench/probes.ts: a server built by bench/kuma/build-uptime-kuma
 * (BENCH_KUMA_DIR) started on loopback with a fresh data directory, its admin and HTTP monitors created
 * through its socket.io API (as its web page does, with Kuma's own socket.io-client), then measured for a
 * bounded time: CPU seconds and RSS from /proc, checks from the heartbeats it wrote to its SQLite file.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { freePort } from '../test/fixtures/postgres.ts';
import { cpuOf, percentile, rssOf } from './measure.ts';

export const kumaSkippedMessage =
  'Uptime Kuma skipped: BENCH_KUMA_DIR is not set. Build it with ' +
  '`bench/kuma/build-uptime-kuma <uptime-kuma git dir or source> <dest>` and run again with BENCH_KUMA_DIR=<dest>.';

export interface KumaRun {
  kumaDir: string;
  /** Scratch directory of the benchmark; Kuma's data directory and log go inside it. */
  directory: string;
  ports: number[];
  hits(): Promise<number>;
  monitors: number;
  intervalSeconds: number;
  measureMs: number;
  /** The Node that runs Kuma (the benchmark's own by default). */
  node: string;
  /** Where the server process is registered so the benchmark's cleanup stops it on any exit. */
  children: ChildProcess[];
  progress(message: string): void;
}

export interface KumaResult {
  version: string;
  monitors: number;
  seconds: number;
  /** Heartbeats Kuma stored during the measured window. */
  checks: number;
  /** Requests the targets answered in the same window (a cross-check of `checks`). */
  targetHits: number;
  cpuSeconds: number;
  rssMb: number;
  /** Gap between consecutive heartbeats of a monitor minus the interval, ms (Kuma's schedule lag). */
  lagP50: number;
  lagP99: number;
  setupSeconds: number;
}

interface KumaSocket {
  connected: boolean;
  once(event: string, listener: (...args: unknown[]) => void): void;
  timeout(ms: number): { emitWithAck(event: string, ...args: unknown[]): Promise<unknown> };
  disconnect(): void;
}
type Connect = (url: string, options: Record<string, unknown>) => KumaSocket;
interface Ack {
  ok?: boolean;
  msg?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What Kuma's "Add New Monitor" page sends for an HTTP monitor, with the benchmark's target and timing. */
function httpMonitor(index: number, url: string, intervalSeconds: number): Record<string, unknown> {
  return {
    type: 'http',
    name: `bench ${index}`,
    parent: null,
    url,
    method: 'GET',
    interval: intervalSeconds,
    retryInterval: intervalSeconds,
    resendInterval: 0,
    maxretries: 1,
    timeout: 10,
    notificationIDList: {},
    ignoreTls: false,
    upsideDown: false,
    expiryNotification: false,
    domainExpiryNotification: false, // no RDAP look-ups: the benchmark's traffic stays on loopback
    maxredirects: 10,
    accepted_statuscodes: ['200-299'],
    saveResponse: false,
    saveErrorResponse: true,
    responseMaxLength: 1024,
    dns_resolve_type: 'A',
    dns_resolve_server: '',
    docker_container: '',
    docker_host: null,
    proxyId: null,
    authMethod: null,
    httpBodyEncoding: 'json',
    kafkaProducerBrokers: [],
    kafkaProducerSaslOptions: { mechanism: 'None' },
    cacheBust: false,
    kafkaProducerSsl: false,
    kafkaProducerAllowAutoTopicCreation: false,
    rabbitmqNodes: [],
    conditions: [],
  };
}

async function ack(socket: KumaSocket, event: string, ...args: unknown[]): Promise<Ack> {
  const answer = (await socket.timeout(60_000).emitWithAck(event, ...args)) as Ack;
  if (!answer?.ok) throw new Error(`Uptime Kuma refused ${event}: ${answer?.msg ?? 'no answer'}`);
  return answer;
}

/** A fresh data directory: SQLite chosen (no setup page), and the update check off (no traffic off loopback). */
function prepareDataDir(kumaDir: string, dataDir: string): void {
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(path.join(dataDir, 'db-config.json'), JSON.stringify({ type: 'sqlite' }));
  // Kuma starts a new database from this template and migrates it; the setting table is in the template.
  copyFileSync(path.join(kumaDir, 'db', 'kuma.db'), path.join(dataDir, 'kuma.db'));
  const db = new DatabaseSync(path.join(dataDir, 'kuma.db'));
  try {
    db.prepare("INSERT INTO setting (key, value, type) VALUES ('checkUpdate', 'false', 'general')").run();
  } finally {
    db.close();
  }
}

function heartbeatsSince(databaseFile: string, since: Date): Array<{ monitor_id: number; time: string }> {
  const db = new DatabaseSync(databaseFile, { readOnly: true, timeout: 10_000 });
  try {
    return db
      .prepare('SELECT monitor_id, time FROM heartbeat WHERE time >= ? ORDER BY monitor_id, time')
      .all(kumaTime(since)) as Array<{ monitor_id: number; time: string }>;
  } finally {
    db.close();
  }
}

/** Kuma stores heartbeat times as UTC `YYYY-MM-DD HH:mm:ss.SSS`. */
const kumaTime = (date: Date) => date.toISOString().replace('T', ' ').replace('Z', '');
const fromKumaTime = (time: string) => Date.parse(`${time.replace(' ', 'T')}Z`);

async function waitForExit(child: ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await Promise.race([new Promise((resolve) => child.once('exit', resolve)), sleep(ms)]);
}

export async function runKuma(run: KumaRun): Promise<KumaResult> {
  const serverFile = path.join(run.kumaDir, 'server', 'server.js');
  if (!existsSync(serverFile) || !existsSync(path.join(run.kumaDir, 'node_modules', 'socket.io-client')))
    throw new Error(
      `BENCH_KUMA_DIR=${run.kumaDir} holds no built Uptime Kuma server; build it with bench/kuma/build-uptime-kuma`,
    );
  const version = (
    JSON.parse(readFileSync(path.join(run.kumaDir, 'package.json'), 'utf8')) as { version: string }
  ).version;
  const connect = (
    createRequire(path.join(run.kumaDir, 'package.json'))('socket.io-client') as { io: Connect }
  ).io;
  const dataDir = path.join(run.directory, 'kuma-data');
  prepareDataDir(run.kumaDir, dataDir);
  const port = await freePort();
  const log = openSync(path.join(run.directory, 'kuma.log'), 'a');
  const setupStarted = performance.now();
  const server = spawn(
    run.node,
    [serverFile, `--data-dir=${dataDir}/`, '--host=127.0.0.1', `--port=${port}`],
    {
      cwd: run.kumaDir,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NODE_ENV: 'production', TZ: 'UTC' },
      stdio: ['ignore', log, log],
    },
  );
  closeSync(log);
  run.children.push(server);
  const pid = server.pid ?? 0;
  let socket: KumaSocket | null = null;
  try {
    // The socket.io client retries until the server listens (after its database migrations).
    socket = connect(`http://127.0.0.1:${port}`, {
      transports: ['websocket'],
      reconnectionDelay: 500,
      reconnectionDelayMax: 1_000,
    });
    const connected = socket;
    const ready = await Promise.race([
      new Promise<boolean>((resolve) => connected.once('setup', () => resolve(true))),
      new Promise<boolean>((resolve) => server.once('exit', () => resolve(false))),
      sleep(120_000).then(() => false),
    ]);
    if (!ready)
      throw new Error(`Uptime Kuma did not start in 120 s; see ${path.join(run.directory, 'kuma.log')}`);
    const password = randomBytes(18).toString('base64url'); // only ever sent over the loopback socket
    await ack(socket, 'setup', 'bench', password);
    await ack(socket, 'login', { username: 'bench', password, token: '' });
    for (let i = 0; i < run.monitors; i++) {
      const url = `http://127.0.0.1:${run.ports[i % run.ports.length]}/health/${i}`;
      await ack(socket, 'add', httpMonitor(i, url, run.intervalSeconds));
      if ((i + 1) % 100 === 0) run.progress(`uptime kuma: ${i + 1}/${run.monitors} monitors added`);
    }
    // No browser stays connected: a logged-in page would receive every heartbeat.
    socket.disconnect();
    socket = null;
    const setupSeconds = (performance.now() - setupStarted) / 1000;
    await sleep(5_000);

    const windowStart = new Date();
    const cpuStart = cpuOf(pid);
    const hitStart = await run.hits();
    const started = performance.now();
    let rss = 0;
    while (performance.now() - started < run.measureMs) {
      await sleep(1_000);
      rss = Math.max(rss, rssOf(pid));
    }
    const seconds = (performance.now() - started) / 1000;
    const cpuSeconds = cpuOf(pid) - cpuStart;
    const targetHits = (await run.hits()) - hitStart;
    const windowEnd = new Date();

    // The beat before the window too, so every beat inside it has its gap.
    const beats = heartbeatsSince(
      path.join(dataDir, 'kuma.db'),
      new Date(windowStart.getTime() - 2 * run.intervalSeconds * 1000),
    );
    const end = kumaTime(windowEnd);
    const begin = kumaTime(windowStart);
    let checks = 0;
    const lags: number[] = [];
    for (let i = 0; i < beats.length; i++) {
      const beat = beats[i];
      if (!beat || beat.time < begin || beat.time >= end) continue;
      checks += 1;
      const previous = beats[i - 1];
      if (previous?.monitor_id === beat.monitor_id)
        lags.push(fromKumaTime(beat.time) - fromKumaTime(previous.time) - run.intervalSeconds * 1000);
    }
    return {
      version,
      monitors: run.monitors,
      seconds,
      checks,
      targetHits,
      cpuSeconds,
      rssMb: rss,
      lagP50: percentile(lags, 50),
      lagP99: percentile(lags, 99),
      setupSeconds,
    };
  } finally {
    socket?.disconnect();
    // Kuma stops its monitors and closes its database on SIGTERM (it waits about 2 s itself).
    server.kill('SIGTERM');
    await waitForExit(server, 15_000);
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
  }
}
