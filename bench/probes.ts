/**
 * Probe throughput and schedule lag: Roost's scheduler (real HTTP checks, results written to SQLite,
 * alert evaluation after each flush) against bounded local HTTP targets in another process, and in the
 * same run the anchors: Debian's blackbox_exporter scraped by Prometheus probing the same targets, and
 * Uptime Kuma 2 (bench/kuma.ts) when BENCH_KUMA_DIR points to a server built by bench/kuma/build-uptime-kuma.
 * Phases (time-bounded): maximum checks/s (10,000 monitors every second, more than it can do), then 10,000 monitors every 30 s
 * (lag p50/p99, CPU, RSS), then the anchor at 1,000 targets every 5 s, then Uptime Kuma at 1,000 monitors every
 * 30 s. Run: `node bench/probes.ts`. Smaller runs: BENCH_MONITORS, BENCH_KUMA_MONITORS, BENCH_PHASE_SECONDS
 * (every measured phase that long). Lines after the table: `kuma ratio: Y` = monitors Roost keeps at 30 s per
 * CPU core ÷ the same for Uptime Kuma, and last `ratio: X` = Roost checks per CPU-second ÷ blackbox_exporter +
 * Prometheus checks per CPU-second.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createAuditLog } from '../src/audit/index.ts';
import { systemClock } from '../src/core/clock.ts';
import { newId } from '../src/core/ids.ts';
import { AlertEngine, Scheduler } from '../src/monitoring/index.ts';
import { loadMigrations, migrate, openStore, type Store } from '../src/store/index.ts';
import { openVault } from '../src/vault/index.ts';
import { freePort } from '../test/fixtures/postgres.ts';
import { type KumaResult, kumaSkippedMessage, runKuma } from './kuma.ts';
import { cpuOf, percentile, rssOf } from './measure.ts';

const monitorCount = Number(process.env.BENCH_MONITORS ?? 10_000);
const phaseMs = (fullSeconds: number) => 1000 * Number(process.env.BENCH_PHASE_SECONDS ?? fullSeconds);
const maxPhaseMs = phaseMs(20);
const lagPhaseMs = phaseMs(60);
const anchorPhaseMs = phaseMs(40);
const anchorTargets = 1_000;
const steadyIntervalSeconds = 30; // Roost at 10,000 monitors and Uptime Kuma run at the same interval
const kumaDir = process.env.BENCH_KUMA_DIR;
const kumaMonitors = Number(process.env.BENCH_KUMA_MONITORS ?? 1_000);
// Whole intervals (two at full size): Kuma's first checks all run while the monitors are added, so a shorter
// window would see a burst or nothing.
const kumaPhaseMs =
  Math.max(1, Math.round(phaseMs(60) / 1000 / steadyIntervalSeconds)) * steadyIntervalSeconds * 1000;
const directory = mkdtempSync(path.join(tmpdir(), 'roost-bench-probes-'));
const children: ChildProcess[] = [];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function startTargets(): Promise<{ ports: number[]; hits(): Promise<number> }> {
  const child = spawn(process.execPath, [path.join(import.meta.dirname, 'probe-targets.ts'), '20'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const line = await new Promise<string>((resolve) =>
    child.stdout?.once('data', (chunk: Buffer) => resolve(chunk.toString())),
  );
  const { ports } = JSON.parse(line) as { ports: number[] };
  return { ports, hits: async () => Number(await (await fetch(`http://127.0.0.1:${ports[0]}/hits`)).text()) };
}

async function setMonitors(store: Store, ports: number[], intervalSeconds: number): Promise<void> {
  await store.db.deleteFrom('monitors').execute();
  const now = Date.now();
  const rows = Array.from({ length: monitorCount }, (_, i) => ({
    id: newId('mon', new Date(now)),
    name: `bench ${i}`,
    kind: 'http' as const,
    instance_id: `ins_${i % 500}`,
    source: 'manual' as const,
    settings: JSON.stringify({
      url: `http://127.0.0.1:${ports[i % ports.length]}/health/${i}`,
      method: 'GET',
      expectedStatus: [],
      tlsExpiryDays: 14,
      ignoreTlsErrors: false,
    }),
    interval_seconds: intervalSeconds,
    timeout_ms: 10_000,
    retries: 1,
    severity: 'critical' as const,
    for_seconds: 0,
    labels: '{}',
    enabled: 1,
    push_token_hash: null,
    state: 'unknown' as const,
    failures: 0,
    last_message: null,
    last_latency_ms: null,
    last_checked_at: null,
    last_pushed_at: null,
    state_since: now,
    created_at: now,
    updated_at: now,
  }));
  for (let i = 0; i < rows.length; i += 500)
    await store.db
      .insertInto('monitors')
      .values(rows.slice(i, i + 500))
      .execute();
}

interface RoostPhase {
  checks: number;
  seconds: number;
  checksPerSecond: number;
  cpuSeconds: number;
  rssMb: number;
  lagP50: number;
  lagP99: number;
}

async function runRoost(
  store: Store,
  deps: ConstructorParameters<typeof AlertEngine>[0],
  ms: number,
): Promise<RoostPhase> {
  const engine = new AlertEngine(deps);
  const scheduler = new Scheduler(
    deps,
    { afterFlush: (outcomes, states, now) => engine.afterFlush(outcomes, states, now) },
    { concurrency: 256 },
  );
  await scheduler.refresh();
  scheduler.start();
  // Skip the first interval's ramp (every monitor's first check is spread over one interval anyway).
  await sleep(5_000);
  const startChecks = scheduler.checksDone;
  const cpu = process.cpuUsage();
  const started = performance.now();
  let rss = 0;
  while (performance.now() - started < ms) {
    await sleep(1_000);
    rss = Math.max(rss, process.memoryUsage().rss);
  }
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const checks = scheduler.checksDone - startChecks;
  const lags = [...scheduler.lags]; // the last 10,000 check starts, all inside the measured window
  await scheduler.stop();
  void store;
  return {
    checks,
    seconds,
    checksPerSecond: checks / seconds,
    cpuSeconds: (used.user + used.system) / 1e6,
    rssMb: rss / 1024 / 1024,
    lagP50: percentile(lags, 50),
    lagP99: percentile(lags, 99),
  };
}

async function runAnchor(
  ports: number[],
  hits: () => Promise<number>,
): Promise<{ checks: number; checksPerSecond: number; cpuSeconds: number; rssMb: number } | null> {
  const blackbox = '/usr/bin/prometheus-blackbox-exporter';
  const prometheus = '/usr/bin/prometheus';
  if (!existsSync(blackbox) || !existsSync(prometheus)) return null;
  const blackboxPort = await freePort();
  const prometheusPort = await freePort();
  const blackboxConfig = path.join(directory, 'blackbox.yml');
  writeFileSync(blackboxConfig, 'modules:\n  http_2xx:\n    prober: http\n    timeout: 10s\n');
  const targets = Array.from(
    { length: anchorTargets },
    (_, i) => `'http://127.0.0.1:${ports[i % ports.length]}/health/${i}'`,
  );
  const config = path.join(directory, 'prometheus.yml');
  writeFileSync(
    config,
    `global:\n  scrape_interval: 5s\n  scrape_timeout: 5s\nscrape_configs:\n  - job_name: blackbox\n    metrics_path: /probe\n    params:\n      module: [http_2xx]\n    static_configs:\n      - targets: [${targets.join(', ')}]\n    relabel_configs:\n      - source_labels: [__address__]\n        target_label: __param_target\n      - source_labels: [__param_target]\n        target_label: instance\n      - target_label: __address__\n        replacement: 127.0.0.1:${blackboxPort}\n`,
  );
  const box = spawn(
    blackbox,
    [`--config.file=${blackboxConfig}`, `--web.listen-address=127.0.0.1:${blackboxPort}`, '--log.level=warn'],
    { stdio: 'ignore' },
  );
  const prom = spawn(
    prometheus,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${path.join(directory, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${prometheusPort}`,
      '--log.level=warn',
    ],
    { stdio: 'ignore' },
  );
  children.push(box, prom);
  // Prometheus' first scrapes come some seconds after start: wait until the targets see probes.
  const before = await hits();
  const deadline = Date.now() + 30_000;
  while ((await hits()) === before && Date.now() < deadline) await sleep(500);
  await sleep(6_000);
  const pids = [box.pid ?? 0, prom.pid ?? 0];
  const cpuStart = pids.reduce((sum, pid) => sum + cpuOf(pid), 0);
  const hitStart = await hits();
  const started = performance.now();
  let rss = 0;
  while (performance.now() - started < anchorPhaseMs) {
    await sleep(1_000);
    rss = Math.max(
      rss,
      pids.reduce((sum, pid) => sum + rssOf(pid), 0),
    );
  }
  const seconds = (performance.now() - started) / 1000;
  const checks = (await hits()) - hitStart;
  const cpuSeconds = pids.reduce((sum, pid) => sum + cpuOf(pid), 0) - cpuStart;
  box.kill('SIGTERM');
  prom.kill('SIGTERM');
  return { checks, checksPerSecond: checks / seconds, cpuSeconds, rssMb: rss };
}

try {
  const targets = await startTargets();
  const store = await openStore({
    databaseUrl: `sqlite:${path.join(directory, 'roost.db')}`,
    dataDir: directory,
  });
  await migrate(store.db, store.dialect, await loadMigrations());
  const vault = await openVault(
    { store, clock: systemClock },
    { keyFile: path.join(directory, 'master.key') },
  );
  const audit = await createAuditLog({ store, vault, clock: systemClock });
  const deps = { store, clock: systemClock, audit };

  await setMonitors(store, targets.ports, 1);
  const fast = await runRoost(store, deps, maxPhaseMs);
  await setMonitors(store, targets.ports, steadyIntervalSeconds);
  const steady = await runRoost(store, deps, lagPhaseMs);
  const anchor = await runAnchor(targets.ports, targets.hits);
  await store.close();
  let kuma: KumaResult | null = null;
  if (kumaDir)
    kuma = await runKuma({
      kumaDir: path.resolve(kumaDir),
      directory,
      ports: targets.ports,
      hits: targets.hits,
      monitors: kumaMonitors,
      intervalSeconds: steadyIntervalSeconds,
      measureMs: kumaPhaseMs,
      node: process.env.BENCH_KUMA_NODE ?? process.execPath,
      children,
      progress: (message) => process.stderr.write(`${message}\n`),
    });

  const perCpu = (checks: number, cpu: number) => (cpu > 0 ? checks / cpu : 0);
  const rows = [
    [
      'run',
      'monitors',
      'interval',
      'checks/s',
      'CPU s/s',
      'checks per CPU-s',
      'RSS MB',
      'lag p50 ms',
      'lag p99 ms',
    ],
    [
      'roost max',
      String(monitorCount),
      '1 s',
      fast.checksPerSecond.toFixed(0),
      (fast.cpuSeconds / fast.seconds).toFixed(2),
      perCpu(fast.checks, fast.cpuSeconds).toFixed(0),
      fast.rssMb.toFixed(0),
      String(fast.lagP50),
      String(fast.lagP99),
    ],
    [
      'roost 10k@30s',
      String(monitorCount),
      '30 s',
      steady.checksPerSecond.toFixed(0),
      (steady.cpuSeconds / steady.seconds).toFixed(2),
      perCpu(steady.checks, steady.cpuSeconds).toFixed(0),
      steady.rssMb.toFixed(0),
      String(steady.lagP50),
      String(steady.lagP99),
    ],
    anchor
      ? [
          'blackbox+prometheus',
          String(anchorTargets),
          '5 s',
          anchor.checksPerSecond.toFixed(0),
          (anchor.cpuSeconds / (anchorPhaseMs / 1000)).toFixed(2),
          perCpu(anchor.checks, anchor.cpuSeconds).toFixed(0),
          anchor.rssMb.toFixed(0),
          '-',
          '-',
        ]
      : ['blackbox+prometheus', 'not installed', '', '', '', '', '', '', ''],
    kuma
      ? [
          `uptime kuma ${kuma.version}`,
          String(kuma.monitors),
          `${steadyIntervalSeconds} s`,
          (kuma.checks / kuma.seconds).toFixed(0),
          (kuma.cpuSeconds / kuma.seconds).toFixed(2),
          perCpu(kuma.checks, kuma.cpuSeconds).toFixed(0),
          kuma.rssMb.toFixed(0),
          String(kuma.lagP50),
          String(kuma.lagP99),
        ]
      : ['uptime kuma', 'skipped', '', '', '', '', '', '', ''],
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  for (const row of rows)
    process.stdout.write(`${row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ')}\n`);
  // Monitors one fully used core keeps at the steady interval: checks per CPU-second × interval.
  const monitorsPerCore = (checks: number, cpu: number) => perCpu(checks, cpu) * steadyIntervalSeconds;
  const roostPerCore = monitorsPerCore(steady.checks, steady.cpuSeconds);
  if (kuma) {
    const kumaPerCore = monitorsPerCore(kuma.checks, kuma.cpuSeconds);
    const cpuMsPerCheck = (cpu: number, checks: number) =>
      (checks > 0 ? (1000 * cpu) / checks : 0).toFixed(2);
    process.stdout.write(
      `CPU ms per check at ${steadyIntervalSeconds} s: roost ${cpuMsPerCheck(steady.cpuSeconds, steady.checks)} ` +
        `(${monitorCount} monitors), uptime kuma ${cpuMsPerCheck(kuma.cpuSeconds, kuma.checks)} (${kuma.monitors} monitors)\n` +
        `monitors per CPU core at ${steadyIntervalSeconds} s: roost ${roostPerCore.toFixed(0)}, uptime kuma ${kumaPerCore.toFixed(0)}\n` +
        `uptime kuma: ${kuma.checks} heartbeats stored, ${kuma.targetHits} requests seen by the targets in ` +
        `${kuma.seconds.toFixed(0)} s (expected ${((kuma.monitors * kuma.seconds) / steadyIntervalSeconds).toFixed(0)}); ` +
        `setup ${kuma.setupSeconds.toFixed(0)} s\n` +
        `kuma ratio: ${(kumaPerCore > 0 ? roostPerCore / kumaPerCore : 0).toFixed(2)}\n`,
    );
  } else process.stdout.write(`${kumaSkippedMessage}\n`);
  const ratio = anchor
    ? perCpu(steady.checks, steady.cpuSeconds) / perCpu(anchor.checks, anchor.cpuSeconds)
    : 0;
  process.stdout.write(`ratio: ${ratio.toFixed(2)}\n`);
} finally {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  rmSync(directory, { recursive: true, force: true });
}
