import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { verify } from 'hono/jwt';
import pg from 'pg';
import { clientIp } from '../examples/sample-api/client-ip.ts';
import { pollUntil, projectRoot } from './fixtures/cli.ts';
import { createTestDatabase, type TestDatabase } from './fixtures/postgres.ts';
import { type RedisServer, redisServerPath, startRedis } from './fixtures/redis.ts';
import { serviceUnavailable } from './fixtures/services.ts';

const entry = path.join(projectRoot, 'examples', 'sample-api', 'main.ts');
const maxUploadBytes = 4 * 1024 * 1024;

interface SampleApi {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** The stdout lines that are JSON objects, in order. */
  events(): Array<Record<string, unknown>>;
  exited: Promise<number | null>;
}

/** The sample API as Roost runs it: only file paths and plain settings in its environment. */
function spawnSampleApi(env: Record<string, string>): SampleApi {
  const child = spawn(process.execPath, [entry], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    events: () =>
      stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    exited,
  };
}

/** The port from the API's `started` line (it listens on PORT=0, so the OS picks a free one). */
async function listeningPort(api: SampleApi): Promise<number> {
  const started = await pollUntil(
    async () => {
      if (api.child.exitCode !== null) throw new Error(`exited ${api.child.exitCode}: ${api.stderr()}`);
      return api.events().find((event) => event.event === 'started');
    },
    15_000,
    'the sample API start line',
  );
  return Number(started.port);
}

function writeSecret(directory: string, name: string, value: string): string {
  const file = path.join(directory, name);
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  return file;
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

interface Stack {
  api: SampleApi;
  baseUrl: string;
  database: TestDatabase;
  redis: RedisServer;
  secrets: { database: string; redis: string; jwtKey: string; seed: string };
}

describe('sample API (examples/sample-api) against real PostgreSQL and Redis', () => {
  const secretsDirectory = mkdtempSync(path.join(tmpdir(), 'roost-sample-api-'));
  const role = `sample_api_${randomBytes(4).toString('hex')}`;
  let stack: Stack | undefined;
  let unavailable = '';

  // Each resource is recorded as soon as it exists, so after() cleans up whatever before() got to.
  let database: TestDatabase | undefined;
  let redis: RedisServer | undefined;
  let api: SampleApi | undefined;
  let roleCreated = false;

  before(async () => {
    if (!existsSync(redisServerPath)) {
      unavailable = `${redisServerPath} is missing (apt-get install redis-server)`;
      return;
    }
    database = await createTestDatabase();
    redis = await startRedis();
    // The API connects as its own non-superuser role that owns the database, as an instance's API does.
    const secrets = {
      database: randomBytes(24).toString('hex'),
      redis: redis.password,
      jwtKey: randomBytes(32).toString('base64url'),
      seed: randomBytes(18).toString('base64url'),
    };
    const name = new URL(database.url).pathname.slice(1);
    await withClient(database.url, async (client) => {
      await client.query(`CREATE ROLE ${role} LOGIN PASSWORD '${secrets.database}'`);
      roleCreated = true;
      await client.query(`ALTER DATABASE ${name} OWNER TO ${role}`);
    });
    const started = spawnSampleApi({
      DATABASE_HOST: '127.0.0.1',
      DATABASE_PORT: new URL(database.url).port,
      DATABASE_NAME: name,
      DATABASE_USER: role,
      DATABASE_PASSWORD_FILE: writeSecret(secretsDirectory, 'db-password', secrets.database),
      REDIS_HOST: redis.host,
      REDIS_PORT: String(redis.port),
      REDIS_PASSWORD_FILE: writeSecret(secretsDirectory, 'redis-password', secrets.redis),
      JWT_SIGNING_KEY_FILE: writeSecret(secretsDirectory, 'jwt-key', secrets.jwtKey),
      SEED_USER: 'alice',
      SEED_PASSWORD_FILE: writeSecret(secretsDirectory, 'seed-password', secrets.seed),
      PORT: '0',
      BIND: '127.0.0.1',
      APP_VERSION: '1.2.3-test',
      MAX_UPLOAD_BYTES: String(maxUploadBytes),
    });
    api = started;
    const port = await listeningPort(started);
    stack = { api: started, baseUrl: `http://127.0.0.1:${port}`, database, redis, secrets };
  });

  after(async () => {
    if (api) {
      if (api.child.exitCode === null) api.child.kill('SIGKILL');
      await api.exited;
    }
    await redis?.stop();
    if (database) {
      if (roleCreated) {
        await withClient(database.url, async (client) => {
          await client.query(`REASSIGN OWNED BY ${role} TO CURRENT_USER`);
          await client.query(`DROP OWNED BY ${role}`);
          await client.query(`DROP ROLE ${role}`);
        });
      }
      await database.drop();
    }
    rmSync(secretsDirectory, { recursive: true, force: true });
  });

  function requireStack(t: TestContext): Stack | undefined {
    if (!stack) serviceUnavailable(t, 'Redis', unavailable);
    return stack;
  }

  async function login(s: Stack, username: string, password: string, headers: Record<string, string> = {}) {
    const response = await fetch(`${s.baseUrl}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ username, password }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  async function token(s: Stack): Promise<string> {
    const { status, body } = await login(s, 'alice', s.secrets.seed);
    assert.equal(status, 200);
    return String(body.token);
  }

  it('answers /status 200 "ok" with both checks once the database is ready', async (t) => {
    const s = requireStack(t);
    if (!s) return;
    const report = await pollUntil(
      async () => {
        const response = await fetch(`${s.baseUrl}/status`);
        return response.status === 200 ? ((await response.json()) as Record<string, unknown>) : undefined;
      },
      15_000,
      '/status 200',
    );
    assert.equal(report.status, 'ok');
    assert.equal(report.version, '1.2.3-test');
    const checks = report.checks as Record<string, Record<string, unknown>>;
    for (const name of ['database', 'cache']) {
      assert.equal(checks[name]?.status, 'ok', name);
      assert.equal(typeof checks[name]?.latencyMs, 'number');
      assert.equal(checks[name]?.error, undefined);
    }
    const started = s.api.events().find((event) => event.event === 'started');
    assert.equal(started?.version, '1.2.3-test');
  });

  it('logs the seeded user in with an HS256 JWT signed by the instance key, counting logins in Redis', async (t) => {
    const s = requireStack(t);
    if (!s) return;
    const first = await login(s, 'alice', s.secrets.seed);
    assert.equal(first.status, 200);
    const payload = await verify(String(first.body.token), s.secrets.jwtKey, 'HS256');
    assert.equal(payload.sub, 'alice');
    assert.ok(Number(payload.exp) > Date.now() / 1000);
    await assert.rejects(verify(String(first.body.token), 'another-key', 'HS256'));
    const second = await login(s, 'alice', s.secrets.seed);
    assert.equal(Number(second.body.logins), Number(first.body.logins) + 1);

    const created = await fetch(`${s.baseUrl}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${first.body.token}` },
      body: JSON.stringify({ username: 'bob', password: 'a long enough password' }),
    });
    assert.equal(created.status, 201);
    assert.equal((await login(s, 'bob', 'a long enough password')).status, 200);
    const anonymous = await fetch(`${s.baseUrl}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'mallory', password: 'a long enough password' }),
    });
    assert.equal(anonymous.status, 401);
  });

  it('writes exactly one parseable login_failed line per failed login, with the socket address', async (t) => {
    const s = requireStack(t);
    if (!s) return;
    const failures = () => s.api.events().filter((event) => event.event === 'login_failed');
    assert.equal(failures().length, 0);
    const attempts = [
      { username: 'alice', password: 'wrong' },
      { username: 'nobody', password: 'wrong' },
      // TRUST_PROXY is off: a client cannot choose the address it is logged under.
      { username: 'alice', password: 'wrong again', headers: { 'x-forwarded-for': '203.0.113.9' } },
    ];
    for (const attempt of attempts) {
      const { status, body } = await login(s, attempt.username, attempt.password, attempt.headers);
      assert.equal(status, 401);
      assert.equal(body.token, undefined);
    }
    await pollUntil(async () => (failures().length >= 3 ? true : undefined), 5_000, '3 login_failed lines');
    // A later request flushes anything still in flight: there must be no fourth line.
    await fetch(`${s.baseUrl}/status`);
    const lines = s.api
      .stdout()
      .split('\n')
      .filter((line) => line.includes('login_failed'));
    assert.equal(lines.length, 3);
    lines.forEach((line, index) => {
      const event = JSON.parse(line) as Record<string, unknown>;
      assert.equal(event.event, 'login_failed');
      assert.equal(event.client_ip, '127.0.0.1');
      assert.equal(event.username, attempts[index]?.username);
      assert.ok(!Number.isNaN(Date.parse(String(event.ts))), `ts ${event.ts}`);
      assert.ok(!line.includes('wrong'), 'the attempted password is not logged');
    });
  });

  it('stores uploads in the files table and streams them back byte for byte', async (t) => {
    const s = requireStack(t);
    if (!s) return;
    const authorization = `Bearer ${await token(s)}`;
    // 2.5 MiB: the download is read from the database in three chunks.
    const content = randomBytes(2.5 * 1024 * 1024);
    const sha256 = createHash('sha256').update(content).digest('hex');
    const upload = await fetch(`${s.baseUrl}/files?name=report.pdf`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/pdf' },
      body: content,
    });
    assert.equal(upload.status, 201);
    const stored = (await upload.json()) as Record<string, unknown>;
    assert.equal(stored.name, 'report.pdf');
    assert.equal(stored.size, content.length);
    assert.equal(stored.sha256, sha256);

    const download = await fetch(`${s.baseUrl}/files/${stored.id}`, { headers: { authorization } });
    assert.equal(download.status, 200);
    assert.equal(download.headers.get('content-type'), 'application/pdf');
    const downloaded = Buffer.from(await download.arrayBuffer());
    assert.equal(createHash('sha256').update(downloaded).digest('hex'), sha256);
    assert.ok(downloaded.equals(content));

    const row = await withClient(s.database.url, async (client) => {
      const result = await client.query<{ size: string; sha256: string; actual: string }>(
        "SELECT size, sha256, encode(sha256(data), 'hex') AS actual FROM files WHERE id = $1",
        [stored.id],
      );
      return result.rows[0];
    });
    assert.deepEqual(row, { size: String(content.length), sha256, actual: sha256 });

    const form = new FormData();
    form.append('file', new Blob(['hello from a form\n'], { type: 'text/plain' }), 'notes.txt');
    const multipart = await fetch(`${s.baseUrl}/files`, {
      method: 'POST',
      headers: { authorization },
      body: form,
    });
    assert.equal(multipart.status, 201);
    const note = (await multipart.json()) as Record<string, unknown>;
    assert.equal(note.name, 'notes.txt');
    const noteBack = await fetch(`${s.baseUrl}/files/${note.id}`, { headers: { authorization } });
    assert.equal(await noteBack.text(), 'hello from a form\n');

    const tooLarge = await fetch(`${s.baseUrl}/files?name=big`, {
      method: 'POST',
      headers: { authorization },
      body: Buffer.alloc(maxUploadBytes + 1),
    });
    assert.equal(tooLarge.status, 413);
    const anonymous = await fetch(`${s.baseUrl}/files`, { method: 'POST', body: 'x' });
    assert.equal(anonymous.status, 401);
    assert.equal((await fetch(`${s.baseUrl}/files/${stored.id}`)).status, 401);
    const missing = await fetch(`${s.baseUrl}/files/00000000-0000-4000-8000-000000000000`, {
      headers: { authorization },
    });
    assert.equal(missing.status, 404);
  });

  it('answers /status 503 "degraded" naming the cache when Redis stops, and logins still work', async (t) => {
    const s = requireStack(t);
    if (!s) return;
    await s.redis.stop();
    const report = await pollUntil(
      async () => {
        const response = await fetch(`${s.baseUrl}/status`);
        return response.status === 503 ? ((await response.json()) as Record<string, unknown>) : undefined;
      },
      15_000,
      '/status 503',
    );
    assert.equal(report.status, 'degraded');
    const checks = report.checks as Record<string, Record<string, unknown>>;
    assert.equal(checks.cache?.status, 'down');
    assert.match(String(checks.cache?.error), /\S/);
    assert.equal(checks.database?.status, 'ok');
    const { status, body } = await login(s, 'alice', s.secrets.seed);
    assert.equal(status, 200);
    assert.equal(body.logins, null);
  });

  it('keeps every secret out of its output, environment and command line, and stops on SIGTERM', async (t) => {
    const s = requireStack(t);
    if (!s) return;
    const pid = s.api.child.pid;
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    assert.match(environ, /JWT_SIGNING_KEY_FILE=/);
    s.api.child.kill('SIGTERM');
    assert.equal(await s.api.exited, 0);
    assert.ok(s.api.events().some((event) => event.event === 'stopped'));
    const places = { environ, cmdline, stdout: s.api.stdout(), stderr: s.api.stderr() };
    for (const [secret, value] of Object.entries(s.secrets)) {
      for (const [place, text] of Object.entries(places)) {
        assert.ok(!text.includes(value), `the ${secret} secret appears in ${place}`);
      }
    }
  });
});

describe('sample API configuration', () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'roost-sample-api-config-'));
  after(() => rmSync(directory, { recursive: true, force: true }));
  const base = () => ({
    DATABASE_URL_FILE: writeSecret(directory, 'db-url', 'postgres://app:s3cret@127.0.0.1:1/app'),
    REDIS_HOST: '127.0.0.1',
    JWT_SIGNING_KEY_FILE: writeSecret(directory, 'jwt-key', 'k'.repeat(32)),
    PORT: '0',
    BIND: '127.0.0.1',
  });

  async function expectExit2(env: Record<string, string>, message: RegExp): Promise<void> {
    const api = spawnSampleApi(env);
    assert.equal(await api.exited, 2);
    const lines = api.stderr().trimEnd().split('\n');
    assert.equal(lines.length, 1, api.stderr());
    assert.match(lines[0] ?? '', message);
    assert.equal(api.stdout(), '');
    assert.ok(!api.stderr().includes('s3cret'));
  }

  it('exits 2 with one clear line when a secret file is missing', async () => {
    const missing = path.join(directory, 'absent');
    await expectExit2({ ...base(), JWT_SIGNING_KEY_FILE: missing }, /JWT_SIGNING_KEY_FILE .*absent.*ENOENT/);
    await expectExit2({ ...base(), DATABASE_URL_FILE: missing }, /DATABASE_URL_FILE/);
  });

  it('exits 2 when a secret is passed in the environment instead of a file', async () => {
    await expectExit2({ ...base(), REDIS_PASSWORD: 's3cret' }, /REDIS_PASSWORD is set.*REDIS_PASSWORD_FILE/);
  });

  it('listens while the database is unreachable, answers /status 503 "down", and still stops at once', async () => {
    const api = spawnSampleApi({ ...base(), REDIS_PORT: '1' });
    try {
      const port = await listeningPort(api);
      const response = await fetch(`http://127.0.0.1:${port}/status`);
      assert.equal(response.status, 503);
      const report = (await response.json()) as {
        status: string;
        checks: Record<string, Record<string, unknown>>;
      };
      assert.equal(report.status, 'down');
      assert.equal(report.checks.database?.status, 'down');
      assert.match(String(report.checks.database?.error), /ECONNREFUSED|schema/);
      assert.equal(report.checks.cache?.status, 'down');
      api.child.kill('SIGTERM');
      assert.equal(await api.exited, 0);
      assert.ok(!api.stdout().includes('s3cret') && !api.stderr().includes('s3cret'));
    } finally {
      if (api.child.exitCode === null) api.child.kill('SIGKILL');
    }
  });

  it('takes the client address from X-Forwarded-For only behind a trusted proxy', () => {
    assert.equal(clientIp('::ffff:10.0.0.2', '203.0.113.9', false), '10.0.0.2');
    assert.equal(clientIp('10.0.0.2', '203.0.113.9', true), '203.0.113.9');
    assert.equal(clientIp('10.0.0.2', '198.51.100.1, 203.0.113.9', true), '203.0.113.9');
    assert.equal(clientIp('10.0.0.2', 'not-an-address', true), '10.0.0.2');
  });
});
