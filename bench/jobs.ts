/**
 * Jobs throughput: enqueue N jobs and let workers complete them (no-op handler), end to end, on SQLite
 * (file, WAL) and on PostgreSQL, against the anchor of a bare autocommit INSERT loop into a plain table
 * of the same database. Run: `node bench/jobs.ts` (BENCH_JOBS=n to change N). Last line: `ratio: X`,
 * Roost jobs/s on SQLite ÷ bare inserts/s on SQLite.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { createJobs } from '../src/jobs/index.ts';
import { type Dialect, loadMigrations, migrate, openStore, type Store } from '../src/store/index.ts';
import { startPostgres } from '../test/fixtures/postgres.ts';

const jobCount = Number(process.env.BENCH_JOBS ?? 5_000);
const timeLimitMs = 60_000;
const concurrency = 8;

interface Result {
  dialect: Dialect;
  jobs: number;
  jobsPerSecond: number;
  inserts: number;
  insertsPerSecond: number;
}

async function roostThroughput(store: Store): Promise<{ count: number; perSecond: number }> {
  let finished = 0;
  let target = Number.POSITIVE_INFINITY;
  let allDone = (): void => {};
  const done = new Promise<void>((resolve) => {
    allDone = resolve;
  });
  const jobs = createJobs(
    {
      store,
      observer: {
        jobFinished: () => {
          if (++finished >= target) allDone();
        },
      },
    },
    { timeZone: 'Europe/Paris', leaseSeconds: 60 },
  );
  jobs.work('bench', async () => undefined, { concurrency });
  jobs.start();
  const started = performance.now();
  const deadline = started + timeLimitMs;
  let enqueued = 0;
  while (enqueued < jobCount && performance.now() < deadline) {
    await jobs.enqueue({ queue: 'bench', payload: { n: enqueued } });
    enqueued++;
  }
  target = enqueued;
  if (finished >= target) allDone();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    done,
    new Promise((resolve) => {
      timer = setTimeout(resolve, Math.max(0, deadline - performance.now()));
    }),
  ]);
  clearTimeout(timer);
  const seconds = (performance.now() - started) / 1_000;
  await jobs.stop();
  return { count: finished, perSecond: finished / seconds };
}

/** The anchor: one autocommit INSERT per row through the raw driver, bounded like the Roost loop. */
async function bareInserts(
  dialect: Dialect,
  location: string,
): Promise<{ count: number; perSecond: number }> {
  const create =
    'CREATE TABLE bench_rows (id text PRIMARY KEY, payload text NOT NULL, created_at bigint NOT NULL)';
  let count = 0;
  let started = 0;
  if (dialect === 'sqlite') {
    const database = new DatabaseSync(location);
    database.exec('PRAGMA journal_mode = WAL');
    database.exec('PRAGMA synchronous = NORMAL');
    database.exec(create);
    const insert = database.prepare('INSERT INTO bench_rows (id, payload, created_at) VALUES (?, ?, ?)');
    started = performance.now();
    const deadline = started + timeLimitMs;
    while (count < jobCount && performance.now() < deadline) {
      insert.run(`row_${count}`, JSON.stringify({ n: count }), Date.now());
      count++;
    }
    database.close();
  } else {
    const client = new pg.Client({ connectionString: location });
    await client.connect();
    await client.query(create);
    started = performance.now();
    const deadline = started + timeLimitMs;
    while (count < jobCount && performance.now() < deadline) {
      await client.query('INSERT INTO bench_rows (id, payload, created_at) VALUES ($1, $2, $3)', [
        `row_${count}`,
        JSON.stringify({ n: count }),
        Date.now(),
      ]);
      count++;
    }
    await client.end();
  }
  return { count, perSecond: count / ((performance.now() - started) / 1_000) };
}

async function measure(
  dialect: Dialect,
  databaseUrl: string,
  bareLocation: string,
  dataDir: string,
): Promise<Result> {
  const store = await openStore({ databaseUrl, dataDir });
  try {
    await migrate(store.db, store.dialect, await loadMigrations());
    const roost = await roostThroughput(store);
    const bare = await bareInserts(dialect, bareLocation);
    return {
      dialect,
      jobs: roost.count,
      jobsPerSecond: roost.perSecond,
      inserts: bare.count,
      insertsPerSecond: bare.perSecond,
    };
  } finally {
    await store.close();
  }
}

const directory = mkdtempSync(path.join(tmpdir(), 'roost-bench-'));
const results: Result[] = [];
try {
  const file = path.join(directory, 'roost.db');
  results.push(await measure('sqlite', `sqlite:${file}`, file, directory));
  const server = await startPostgres();
  try {
    results.push(await measure('postgres', server.url, server.url, directory));
  } finally {
    await server.stop();
  }
} finally {
  rmSync(directory, { recursive: true, force: true });
}

const rows = [
  ['dialect', 'roost jobs/s', 'bare inserts/s', 'ratio', 'jobs', 'inserts'],
  ...results.map((result) => [
    result.dialect,
    result.jobsPerSecond.toFixed(0),
    result.insertsPerSecond.toFixed(0),
    (result.jobsPerSecond / result.insertsPerSecond).toFixed(2),
    String(result.jobs),
    String(result.inserts),
  ]),
];
const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
for (const row of rows)
  process.stdout.write(`${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ')}\n`);
const sqlite = results.find((result) => result.dialect === 'sqlite');
process.stdout.write(
  `ratio: ${sqlite ? (sqlite.jobsPerSecond / sqlite.insertsPerSecond).toFixed(2) : 'n/a'}\n`,
);
