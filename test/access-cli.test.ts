import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, it } from 'node:test';
import { pollUntil, runCli, scratchDirectory, spawnCli } from './fixtures/cli.ts';

const password = 'a long and unusual passphrase 7';

describe('access control from the CLI, locally and remotely', () => {
  const scratch = scratchDirectory();
  const env = { ROOST_DATA_DIR: path.join(scratch.path, 'data') };
  const cli = (args: string[], stdin?: string) =>
    runCli(args, { cwd: scratch.path, env, ...(stdin === undefined ? {} : { stdin }) });
  before(async () => {
    assert.equal((await cli(['migrate'])).code, 0);
  });
  after(() => scratch.remove());

  it('adds users with the password on standard input, never in argv, and applies the password policy', async () => {
    const weak = await cli(
      ['user', 'add', '--email', 'weak@example.com', '--role', 'viewer', '--password-stdin'],
      'password1234',
    );
    assert.equal(weak.code, 2, weak.stderr);
    assert.match(weak.stderr, /^roost: .*password/m);
    const added = await cli(
      [
        'user',
        'add',
        '--email',
        'Ada@Example.com',
        '--name',
        'Ada',
        '--role',
        'admin',
        '--password-stdin',
        '--json',
      ],
      password,
    );
    assert.equal(added.code, 0, added.stderr);
    assert.equal(
      (JSON.parse(added.stdout) as { user: { email: string; role: string } }).user.email,
      'ada@example.com',
    );
    assert.equal(
      (
        await cli(
          ['user', 'add', '--email', 'op@example.com', '--role', 'operator', '--password-stdin'],
          password,
        )
      ).code,
      0,
    );
    const duplicate = await cli(
      ['user', 'add', '--email', 'ada@example.com', '--role', 'viewer', '--password-stdin'],
      password,
    );
    assert.equal(duplicate.code, 4, 'a second account with the same email is a conflict');
    const list = await cli(['user', 'list', '--json']);
    assert.deepEqual(
      (JSON.parse(list.stdout) as { users: { email: string }[] }).users.map((user) => user.email).sort(),
      ['ada@example.com', 'op@example.com'],
    );
  });

  it('creates a token shown once and runs the same commands remotely with it; scopes are enforced', async () => {
    const created = await cli([
      'token',
      'create',
      '--user',
      'op@example.com',
      '--name',
      'ci',
      '--scope',
      'users:read',
      'audit:read',
      '--json',
    ]);
    assert.equal(created.code, 0, created.stderr);
    const { token } = JSON.parse(created.stdout) as { token: string };
    assert.match(token, /^rst_/);
    const tokenFile = path.join(scratch.path, 'token');
    writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });

    const server = spawnCli(['serve', '--admin-listen', '127.0.0.1:0', '--status-listen', '127.0.0.1:0'], {
      cwd: scratch.path,
      env,
    });
    try {
      const url = await pollUntil(
        async () => /admin UI and API\s+(http:\/\/\S+)/.exec(server.output())?.[1],
        15_000,
        'the server',
      );
      const remote = (args: string[], stdin?: string) =>
        cli(['--url', url, '--token', `@${tokenFile}`, ...args], stdin);
      const users = await remote(['user', 'list', '--json']);
      assert.equal(users.code, 0, users.stderr);
      assert.equal((JSON.parse(users.stdout) as { users: unknown[] }).users.length, 2);
      const denied = await remote(
        ['user', 'add', '--email', 'x@example.com', '--role', 'viewer', '--password-stdin'],
        password,
      );
      assert.equal(denied.code, 1);
      assert.match(denied.stderr, /may not do this \(needs users:write\)/);
      const verify = await remote(['audit', 'verify']);
      assert.equal(verify.code, 0, verify.stderr);
      assert.match(verify.stdout, /audit trail intact/);
      const badToken = await cli(['--url', url, '--token', 'rst_wrong', 'user', 'list']);
      assert.equal(badToken.code, 1);
      assert.match(badToken.stderr, /the API token is unknown, expired or revoked/);
      assert.ok(!server.output().includes(token), 'the token is not logged by the server');
    } finally {
      server.kill('SIGTERM');
      await new Promise((resolve) => server.once('exit', resolve));
    }
    const listed = await cli(['token', 'list', '--all', '--json']);
    const [record] = (JSON.parse(listed.stdout) as { tokens: { id: string; lastUsedAt: string | null }[] })
      .tokens;
    assert.ok(record?.lastUsedAt, 'last use recorded');
    assert.equal((await cli(['token', 'revoke', record.id])).code, 0);
  });

  it('audit verify fails and names the row when one is edited or deleted; export is NDJSON', async () => {
    const exported = await cli(['audit', 'export']);
    assert.equal(exported.code, 0, exported.stderr);
    const lines = exported.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { seq: number; action: string });
    assert.ok(lines.length >= 4, 'user and token events were audited');
    assert.deepEqual(
      lines.map((line) => line.seq),
      lines.map((_line, index) => index + 1),
      'oldest first, no gaps',
    );
    assert.ok(lines.some((line) => line.action === 'user.create'));

    const database = new DatabaseSync(path.join(env.ROOST_DATA_DIR, 'roost.db'));
    database.prepare("UPDATE audit_events SET actor_label = 'mallory' WHERE seq = 2").run();
    const edited = await cli(['audit', 'verify']);
    assert.equal(edited.code, 1);
    assert.match(edited.stdout, /audit trail BROKEN/);
    assert.match(edited.stdout, /seq 2 \(aud_[0-9a-z]+\): row changed/);

    database.prepare('DELETE FROM audit_events WHERE seq = 3').run();
    const deleted = await cli(['audit', 'verify', '--json']);
    assert.equal(deleted.code, 1);
    const report = JSON.parse(deleted.stdout) as { ok: boolean; problems: { seq: number; reason: string }[] };
    assert.equal(report.ok, false);
    assert.ok(
      report.problems.some((problem) => problem.seq === 3 && /missing/.test(problem.reason)),
      JSON.stringify(report.problems),
    );
    database.close();
  });
});
