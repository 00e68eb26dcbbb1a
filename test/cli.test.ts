import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli, scratchDirectory } from './fixtures/cli.ts';
import { freePort } from './fixtures/postgres.ts';

/** One line on standard error, no stack trace. */
function assertOneLineError(stderr: string, pattern: RegExp): void {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `expected one line, got:\n${stderr}`);
  assert.match(lines[0] ?? '', pattern);
  assert.doesNotMatch(stderr, /^\s+at /m, 'no stack trace');
}

describe('roost CLI', () => {
  const scratch = scratchDirectory();
  after(() => scratch.remove());

  it('prints help with every command and the exit codes', async () => {
    const result = await runCli(['--help'], { cwd: scratch.path });
    assert.equal(result.code, 0);
    for (const command of ['serve', 'migrate', 'doctor', 'config', 'vault', 'jobs'])
      assert.match(result.stdout, new RegExp(`\\b${command}\\b`));
    assert.match(
      result.stdout,
      /Exit codes: 0 ok, 1 failure, 2 usage or configuration error, 3 not found, 4 conflict/,
    );
  });

  it('refuses an unknown flag with exit code 2 and writes nothing', async () => {
    const directory = scratchDirectory();
    const result = await runCli(['migrate', '--no-such-flag'], { cwd: directory.path });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /unknown option '--no-such-flag'/);
    assert.deepEqual(directory.files(), []);
    directory.remove();
  });

  it('names the key, the expectation and the value of a bad setting (exit 2, nothing written)', async () => {
    const directory = scratchDirectory();
    const result = await runCli(['migrate'], { cwd: directory.path, env: { ROOST_ADMIN_LISTEN: 'nowhere' } });
    assert.equal(result.code, 2);
    assertOneLineError(
      result.stderr,
      /^roost: invalid configuration: admin\.listen \(from ROOST_ADMIN_LISTEN\): expected host:port .*; got "nowhere"$/,
    );
    assert.deepEqual(directory.files(), []);
    directory.remove();
  });

  it('reports a malformed configuration file in one line (exit 2, nothing written)', async () => {
    const directory = scratchDirectory();
    writeFileSync(path.join(directory.path, 'roost.config.json'), '{ "timeZone": "Europe/Paris", ');
    const result = await runCli(['migrate'], { cwd: directory.path });
    assert.equal(result.code, 2);
    assertOneLineError(result.stderr, /^roost: invalid configuration file .*roost\.config\.json: /);
    assert.deepEqual(directory.files(), ['roost.config.json']);
    directory.remove();
  });

  it('reports an unknown key in a configuration file given by --config', async () => {
    const directory = scratchDirectory();
    writeFileSync(
      path.join(directory.path, 'custom.json'),
      JSON.stringify({ admin: { listn: '127.0.0.1:1' } }),
    );
    const result = await runCli(['--config', 'custom.json', 'config', 'print'], { cwd: directory.path });
    assert.equal(result.code, 2);
    assertOneLineError(result.stderr, /invalid configuration: admin .*custom\.json.*no key named listn/);
    directory.remove();
  });

  it('refuses a bad database URL (exit 2, nothing written)', async () => {
    const directory = scratchDirectory();
    const result = await runCli(['migrate', '--database-url', 'mysql://root@localhost/roost'], {
      cwd: directory.path,
    });
    assert.equal(result.code, 2);
    assertOneLineError(
      result.stderr,
      /^roost: invalid configuration: databaseUrl \(from --database-url\): expected postgres:\/\/.*; got "mysql:\/\/root@localhost\/roost"$/,
    );
    assert.deepEqual(directory.files(), []);
    directory.remove();
  });

  it('reports an unreachable PostgreSQL in one line (exit 1, nothing written)', async () => {
    const directory = scratchDirectory();
    const port = await freePort();
    const result = await runCli(['migrate'], {
      cwd: directory.path,
      env: { ROOST_DATABASE_URL: `postgres://roost:hunter2hunter2@127.0.0.1:${port}/roost` },
    });
    assert.equal(result.code, 1);
    assertOneLineError(
      result.stderr,
      new RegExp(`^roost: cannot reach PostgreSQL at 127\\.0\\.0\\.1:${port}/roost: .*ECONNREFUSED`),
    );
    assert.doesNotMatch(result.stderr, /hunter2/, 'the password is not printed');
    assert.deepEqual(directory.files(), []);
    directory.remove();
  });

  it('prints the effective configuration with its sources and secrets redacted', async () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const result = await runCli(['config', 'print', '--time-zone', 'America/New_York', '--json'], {
      cwd: scratch.path,
      env: {
        ROOST_MASTER_KEY: key,
        ROOST_DATABASE_URL: 'postgres://roost:s3cretpassw0rd@db.internal:5432/roost',
        ROOST_STATUS_DOMAIN: 'status.example.com',
      },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(!result.stdout.includes(key), 'master key not printed');
    assert.ok(!result.stdout.includes('s3cretpassw0rd'), 'database password not printed');
    const printed = JSON.parse(result.stdout) as {
      config: Record<string, unknown>;
      sources: Record<string, string>;
    };
    assert.equal(printed.config.timeZone, 'America/New_York');
    assert.equal(printed.sources.timeZone, '--time-zone');
    assert.equal(printed.sources['status.domain'], 'ROOST_STATUS_DOMAIN');
    assert.equal(printed.config.masterKey, '[redacted]');
    assert.equal(printed.config.databaseUrl, 'postgres://roost:[redacted]@db.internal:5432/roost');
  });

  it('layers defaults < file < environment < flags', async () => {
    const directory = scratchDirectory();
    writeFileSync(
      path.join(directory.path, 'roost.config.json'),
      JSON.stringify({ timeZone: 'Asia/Tokyo', logLevel: 'debug', status: { domain: 'file.example' } }),
    );
    const result = await runCli(['config', 'print', '--json', '--log-level', 'error'], {
      cwd: directory.path,
      env: { ROOST_STATUS_DOMAIN: 'env.example' },
    });
    assert.equal(result.code, 0, result.stderr);
    const { config } = JSON.parse(result.stdout) as {
      config: {
        timeZone: string;
        logLevel: string;
        status: { domain: string };
        jobs: { concurrency: number };
      };
    };
    assert.equal(config.timeZone, 'Asia/Tokyo', 'file over default');
    assert.equal(config.status.domain, 'env.example', 'environment over file');
    assert.equal(config.logLevel, 'error', 'flag over file');
    assert.equal(config.jobs.concurrency, 4, 'default');
    directory.remove();
  });

  it('runs doctor with one line per check and the fix', async () => {
    const result = await runCli(['doctor', '--json'], { cwd: scratch.path });
    const { checks } = JSON.parse(result.stdout) as {
      checks: { name: string; status: string; fix?: string }[];
    };
    const names = checks.map((check) => check.name);
    for (const name of [
      'node',
      'data directory',
      'master key',
      'database',
      'docker engine',
      'pg_dump',
      'gpg',
      'ssh',
      'zstd',
    ]) {
      assert.ok(names.includes(name), `doctor checks ${name}`);
    }
    assert.equal(checks.find((check) => check.name === 'node')?.status, 'ok');
    for (const check of checks)
      if (check.status !== 'ok') assert.ok(check.fix, `${check.name} says how to fix it`);
    assert.equal(result.code, checks.some((check) => check.status === 'fail') ? 1 : 0);
    const text = await runCli(['doctor'], { cwd: scratch.path });
    assert.match(text.stdout, /^(OK|WARN|FAIL)\s+node\s+Node\.js v26/m);
  });

  it('stops with one line when the master key of an existing vault is missing or wrong, and writes nothing', async () => {
    const directory = scratchDirectory();
    const dataDir = path.join(directory.path, '.roost');
    assert.equal((await runCli(['migrate'], { cwd: directory.path })).code, 0);
    assert.equal(
      (await runCli(['jobs', 'list'], { cwd: directory.path })).code,
      0,
      'the first open creates the vault',
    );
    const keyFile = path.join(dataDir, 'master.key');
    const key = readFileSync(keyFile);
    rmSync(keyFile);
    const before = snapshot(dataDir);

    const missing = await runCli(['jobs', 'list'], { cwd: directory.path });
    assert.equal(missing.code, 2);
    assertOneLineError(
      missing.stderr,
      /^roost: missing master key: .*master\.key does not exist; .*\(nothing was written\)$/,
    );
    assert.deepEqual(snapshot(dataDir), before, 'no new key file, no database change');

    const wrong = await runCli(['vault', 'rotate'], {
      cwd: directory.path,
      env: { ROOST_MASTER_KEY: Buffer.alloc(32, 1).toString('base64') },
    });
    assert.equal(wrong.code, 2);
    assertOneLineError(wrong.stderr, /^roost: wrong master key: .* from ROOST_MASTER_KEY; /);
    assert.deepEqual(snapshot(dataDir), before);

    writeFileSync(keyFile, key, { mode: 0o600 });
    const rotated = await runCli(['vault', 'rotate', '--json'], { cwd: directory.path });
    assert.equal(rotated.code, 0, rotated.stderr);
    assert.match((JSON.parse(rotated.stdout) as { masterKeyId: string }).masterKeyId, /^mk_[0-9a-f]{16}$/);
    assert.notDeepEqual(readFileSync(keyFile), key, 'rotation replaced the key file');
    directory.remove();
  });
});

/** Names, sizes and contents' hashes of every file in a directory. */
function snapshot(directory: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of readdirSync(directory))
    files[name] = createHash('sha256')
      .update(readFileSync(path.join(directory, name)))
      .digest('hex');
  return files;
}
