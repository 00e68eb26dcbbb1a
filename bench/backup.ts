/**
 * Backup and restore of a generated PostgreSQL database (pgbench tables at scale BENCH_BACKUP_SCALE, default
 * 27, plus scale × 200,000 rows of random hex text: about 1 GB on disk), side by side in one run,
 * interleaved over BENCH_BACKUP_ROUNDS rounds (default 3):
 *   backup:  Roost's pipeline (pg_dump -Fc -Z0 → zstd → gpg → SHA-256 → local target, plus the encrypted
 *            instance document and the manifest) vs the shell pipeline
 *            `pg_dump -Fc -Z0 | zstd -3 -T0 | gpg --encrypt --compress-algo none > file`
 *            and `pg_dump -Fc -Z0 | restic backup --stdin` into a new restic repository (restic deduplicates,
 *            so every round starts from an empty repository: a first, full backup like the others)
 *   restore: Roost's restore path (checksums verified, gpg -d → zstd -d → pg_restore) vs a plain
 *            `pg_restore` of an uncompressed custom-format dump.
 * Run: `node bench/backup.ts`. Last line: `ratio: X`, Roost backup time ÷ shell pipeline time (medians).
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  type BackupEngine,
  backupFolder,
  createLocalTarget,
  generateInstanceKey,
  openPostgresSnapshot,
  streamRestore,
  verifyBackupFiles,
  writeBackup,
} from '../src/backups/index.ts';
import { systemClock } from '../src/core/clock.ts';
import type { Instance } from '../src/instances/index.ts';
import { startCommand } from '../src/runtime/local/exec.ts';
import { startPostgres } from '../test/fixtures/postgres.ts';

const run = promisify(execFile);
const scale = Number(process.env.BENCH_BACKUP_SCALE ?? 27);
const rounds = Number(process.env.BENCH_BACKUP_ROUNDS ?? 3);
const bin = '/usr/lib/postgresql/15/bin';
const env = { PATH: `${bin}:/usr/bin:/bin`, LANG: 'C.UTF-8' };

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

function psql(url: string, sql: string): string {
  return execFileSync(
    path.join(bin, 'psql'),
    ['-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', sql],
    { env },
  )
    .toString()
    .trim();
}

const server = await startPostgres();
const scratch = mkdtempSync(path.join(tmpdir(), 'roost-bench-backup-'));
try {
  const base = server.url.replace(/\/postgres$/, '');
  psql(server.url, 'create database bench');
  psql(server.url, 'create database restored_roost');
  psql(server.url, 'create database restored_plain');
  const source = `${base}/bench`;
  const generating = Date.now();
  execFileSync(path.join(bin, 'pgbench'), ['-i', '-q', '-s', String(scale), source], {
    env,
    stdio: 'ignore',
  });
  // pgbench's rows are mostly blank filler; random hex text compresses like real data (about 2:1).
  psql(
    source,
    `create table payload as select g as id, md5(random()::text) || md5(random()::text) as body from generate_series(1, ${scale * 200_000}) g`,
  );
  // A live database is vacuumed by autovacuum; without this, autovacuum would start on the new tables in the
  // middle of a measured round (and on the restored copies after each round: see below).
  psql(source, 'vacuum (analyze)');
  const databaseBytes = Number(psql(source, "select pg_database_size('bench')"));
  process.stderr.write(`generated ${(databaseBytes / 1e6).toFixed(0)} MB in ${Date.now() - generating} ms\n`);

  const now = new Date();
  const key = { instanceId: 'ins_bench', ...(await generateInstanceKey('bench', now)) };
  const publicKeyFile = path.join(scratch, 'public.asc');
  writeFileSync(publicKeyFile, key.publicKey);
  const engine: BackupEngine = {
    name: 'postgres',
    dumpFile: 'database.dump.zst.gpg',
    restoreHint: '',
    // Asynchronous like the real engine's (a synchronous call here would block the dump from starting).
    version: async () =>
      (
        await run(path.join(bin, 'psql'), ['-X', '-A', '-t', '-d', source, '-c', 'show server_version'], {
          env,
        })
      ).stdout.trim(),
    rowCounts: async () => ({
      'public.pgbench_accounts': Number(psql(source, 'select count(*) from pgbench_accounts')),
    }),
    dump: (_slug, options) =>
      startCommand(
        path.join(bin, 'pg_dump'),
        ['-Fc', '-Z0', ...(options?.snapshot ? [`--snapshot=${options.snapshot}`] : []), '-d', source],
        { env, cwd: scratch },
      ),
    // As the real engine: every table counted in the dump's own snapshot, while the dump runs.
    openSnapshot: () =>
      openPostgresSnapshot(() =>
        startCommand(
          path.join(bin, 'psql'),
          ['-X', '-A', '-t', '-q', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-d', source],
          { env, cwd: scratch },
        ),
      ),
    restore: () =>
      startCommand(
        path.join(bin, 'pg_restore'),
        ['--clean', '--if-exists', '--no-owner', '--single-transaction', '-d', `${base}/restored_roost`],
        { env, cwd: scratch },
      ),
  };
  const instance: Instance = {
    id: 'ins_bench',
    slug: 'bench',
    customer: 'Bench',
    environment: 'staging',
    runtime: 'local',
    release: { api: 'x', db: 'postgres-15', cache: 'x' },
    replicas: 1,
    running: true,
    state: 'running',
    lastError: null,
    createdAt: now,
    updatedAt: now,
    decommissionedAt: null,
  };
  const target = createLocalTarget(path.join(scratch, 'target'));
  const times = {
    roost: [] as number[],
    shell: [] as number[],
    roostRestore: [] as number[],
    plainRestore: [] as number[],
    restic: [] as number[],
    /** CPU time of this Node process during Roost's backup (its own share; the tools are other processes). */
    roostNodeCpu: [] as number[],
  };
  let resticBytes = 0;
  const resticPasswordFile = path.join(scratch, 'restic-password');
  writeFileSync(resticPasswordFile, 'bench-only repository password\n', { mode: 0o600 });
  const resticEnv = {
    ...env,
    RESTIC_PASSWORD_FILE: resticPasswordFile,
    RESTIC_CACHE_DIR: path.join(scratch, 'restic-cache'),
  };
  let roostBytes = 0;
  let shellBytes = 0;
  let lastManifest: Awaited<ReturnType<typeof writeBackup>> | undefined;
  const plainDump = path.join(scratch, 'plain.dump');
  execFileSync(path.join(bin, 'pg_dump'), ['-Fc', '-Z0', '-f', plainDump, '-d', source], { env });

  for (let round = 0; round < rounds; round++) {
    let started = Date.now();
    const shellFile = path.join(scratch, 'shell.dump.zst.gpg');
    const shell = spawnSync(
      'sh',
      [
        '-c',
        'pg_dump -Fc -Z0 -d "$1" | zstd -3 -T0 -q -c | gpg --batch --quiet --no-tty --homedir "$2" --trust-model always --recipient-file "$3" --compress-algo none --encrypt > "$4"',
        'bench',
        source,
        mkdtempSync(path.join(scratch, 'gnupg-')),
        publicKeyFile,
        shellFile,
      ],
      { env },
    );
    if (shell.status !== 0) throw new Error(`shell pipeline failed: ${shell.stderr}`);
    times.shell.push(Date.now() - started);
    shellBytes = statSync(shellFile).size;

    started = Date.now();
    const cpuBefore = process.cpuUsage();
    const backupId = `bkp_bench${round}`;
    const phases: Array<[string, number]> = [];
    lastManifest = await writeBackup({
      onProgress: (message) => {
        if (!message.includes(' stored')) phases.push([message, Date.now()]);
      },
      backupId,
      instance,
      key,
      instanceDocument: { bench: true },
      engine,
      target,
      clock: systemClock,
    });
    times.roost.push(Date.now() - started);
    const cpu = process.cpuUsage(cpuBefore);
    times.roostNodeCpu.push(Math.round((cpu.user + cpu.system) / 1000));
    phases.push(['end', Date.now()]);

    // restic deduplicates: a fresh repository per round measures a first (full) backup, like the others.
    const resticRepository = path.join(scratch, `restic-${round}`);
    execFileSync('restic', ['init', '--quiet', '--repository-version', '2', '--repo', resticRepository], {
      env: resticEnv,
    });
    started = Date.now();
    const restic = spawnSync(
      'sh',
      [
        '-c',
        'pg_dump -Fc -Z0 -d "$1" | restic backup --quiet --repo "$2" --stdin --stdin-filename database.dump',
        'bench',
        source,
        resticRepository,
      ],
      { env: resticEnv },
    );
    if (restic.status !== 0) throw new Error(`restic failed: ${restic.stderr}`);
    times.restic.push(Date.now() - started);
    resticBytes = Number(execFileSync('du', ['-sb', resticRepository]).toString().split('\t')[0]);
    rmSync(resticRepository, { recursive: true, force: true });
    process.stderr.write(
      `round ${round + 1} Roost phases: ${phases
        .slice(0, -1)
        .map(([name, at], index) => `${name} ${(phases[index + 1] as [string, number])[1] - at} ms`)
        .join(', ')}; peak RSS so far ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB\n`,
    );
    roostBytes = lastManifest.files.reduce((sum, file) => sum + file.bytes, 0);

    started = Date.now();
    const plain = spawnSync(
      path.join(bin, 'pg_restore'),
      [
        '--clean',
        '--if-exists',
        '--no-owner',
        '--single-transaction',
        '-d',
        `${base}/restored_plain`,
        plainDump,
      ],
      { env },
    );
    if (plain.status !== 0) throw new Error(`pg_restore failed: ${plain.stderr}`);
    times.plainRestore.push(Date.now() - started);

    started = Date.now();
    await verifyBackupFiles(target, lastManifest);
    await streamRestore(
      target,
      `${backupFolder('bench', backupId)}/${engine.dumpFile}`,
      key.privateKey,
      engine,
      'bench',
    );
    times.roostRestore.push(Date.now() - started);
    await target.removeFolder(backupFolder('bench', backupId));
    // Untimed: the restored copies' autovacuum would otherwise run during the next round's backups.
    for (const restored of ['restored_plain', 'restored_roost'])
      psql(`${base}/${restored}`, 'vacuum (analyze)');
  }
  const restoredRows = psql(`${base}/restored_roost`, 'select count(*) from pgbench_accounts');
  if (Number(restoredRows) !== scale * 100_000) throw new Error(`restored ${restoredRows} rows`);
  const rssMb = process.resourceUsage().maxRSS / 1024;
  const rows: Array<[string, number, string]> = [
    ['backup: shell pg_dump | zstd | gpg', median(times.shell), `${(shellBytes / 1e6).toFixed(1)} MB`],
    ['backup: Roost pipeline (+ manifest)', median(times.roost), `${(roostBytes / 1e6).toFixed(1)} MB`],
    [
      'backup: restic backup --stdin (new repository)',
      median(times.restic),
      `${(resticBytes / 1e6).toFixed(1)} MB`,
    ],
    ['restore: plain pg_restore', median(times.plainRestore), ''],
    ['restore: Roost (verify, gpg, zstd, pg_restore)', median(times.roostRestore), ''],
  ];
  process.stdout.write(
    `database: pgbench scale ${scale}, ${(databaseBytes / 1e6).toFixed(0)} MB; ${rounds} rounds, medians\n`,
  );
  process.stdout.write(`${'variant'.padEnd(50)} ${'ms'.padStart(8)}  stored\n`);
  for (const [name, ms, stored] of rows)
    process.stdout.write(`${name.padEnd(50)} ${String(ms).padStart(8)}  ${stored}\n`);
  process.stdout.write(
    `restore ratio (Roost ÷ plain pg_restore): ${(median(times.roostRestore) / median(times.plainRestore)).toFixed(2)}\n`,
  );
  process.stdout.write(
    `restic ratio (restic ÷ shell pipeline): ${(median(times.restic) / median(times.shell)).toFixed(2)}\n`,
  );
  process.stdout.write(
    `CPU of the Node process during Roost's backup: ${median(times.roostNodeCpu)} ms (median)\n`,
  );
  process.stdout.write(`peak RSS of the Node process: ${rssMb.toFixed(0)} MB\n`);
  process.stdout.write(`ratio: ${(median(times.roost) / median(times.shell)).toFixed(2)}\n`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
  await server.stop();
}
