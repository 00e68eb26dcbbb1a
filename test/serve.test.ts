import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, statSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { cleanEnv, pollUntil, projectRoot, runCli, scratchDirectory, spawnCli } from './fixtures/cli.ts';
import { selfSignedCertificate } from './fixtures/tls.ts';

async function get(url: string): Promise<{ status: number; body: string; type: string }> {
  const response = await fetch(url);
  return {
    status: response.status,
    body: await response.text(),
    type: response.headers.get('content-type') ?? '',
  };
}

function exited(child: {
  exitCode: number | null;
  once(event: 'exit', listener: (code: number | null) => void): unknown;
}): Promise<number | null> {
  return child.exitCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((resolve) => child.once('exit', resolve));
}

describe('roost serve', () => {
  const scratch = scratchDirectory();
  chmodSync(scratch.path, 0o711); // the demo's postgres and redis users traverse it, as they do a checkout
  after(() => scratch.remove());

  it('npm start serves /healthz within 15 s, then /readyz and /metrics, provisions the demo instance, and stops on SIGTERM', async () => {
    const dataDir = path.join(scratch.path, 'data');
    const started = Date.now();
    // README command (a), with ports picked by the OS so parallel runs do not collide.
    const child = spawn(
      'npm',
      ['start', '--silent', '--', '--admin-listen', '127.0.0.1:0', '--status-listen', '127.0.0.1:0'],
      {
        cwd: projectRoot,
        env: cleanEnv({ ROOST_DATA_DIR: dataDir }),
        detached: true,
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    try {
      const adminUrl = await pollUntil(
        async () => /admin UI and API\s+(http:\/\/\S+)/.exec(output)?.[1],
        15_000,
        `the banner (${output})`,
      );
      const health = await pollUntil(
        async () => ((await get(`${adminUrl}/healthz`)).status === 200 ? true : undefined),
        15_000,
        '/healthz',
      );
      assert.ok(health);
      const elapsed = Date.now() - started;
      assert.ok(elapsed < 15_000, `healthz answered ${elapsed} ms after start`);
      process.stdout.write(`# npm start: /healthz answered 200 ${elapsed} ms after spawn\n`);

      const ready = await get(`${adminUrl}/readyz`);
      assert.equal(ready.status, 200);
      assert.deepEqual(JSON.parse(ready.body), { status: 'ready', database: 'ok', migrations: 'ok' });

      const metrics = await get(`${adminUrl}/metrics`);
      assert.equal(metrics.status, 200);
      assert.match(metrics.type, /text\/plain/);
      assert.match(
        metrics.body,
        /roost_http_requests_total\{server="admin",method="GET",route="\/healthz",status="200"\} \d+/,
      );
      assert.match(metrics.body, /# TYPE roost_job_runs_total counter/);
      assert.match(metrics.body, /# TYPE roost_job_queue_depth gauge/);
      assert.match(metrics.body, /# TYPE roost_job_duration_seconds histogram/);

      const statusUrl = /status pages\s+(http:\/\/\S+?)\/s\//.exec(output)?.[1];
      assert.ok(statusUrl);
      assert.equal((await get(`${statusUrl}/healthz`)).status, 200);
      assert.equal((await get(`${statusUrl}/metrics`)).status, 404, 'metrics stay private');

      assert.match(output, /first admin/);
      assert.equal(statSync(path.join(dataDir, 'master.key')).mode & 0o777, 0o600);
      assert.equal(statSync(dataDir).mode & 0o777, 0o711);

      // The main job: a demo instance, a real stack on the local runtime, answering /status.
      assert.match(output, /demo instance\s+"demo" is being provisioned/);
      const env = { ROOST_DATA_DIR: dataDir };
      const demo = await pollUntil(
        async () => {
          const shown = await runCli(['instance', 'show', 'demo', '--json'], { cwd: scratch.path, env });
          const details = JSON.parse(shown.stdout) as {
            instance: { state: string };
            status: { endpoints: { api: string[] } } | null;
          };
          assert.notEqual(details.instance.state, 'failed', shown.stdout);
          return details.instance.state === 'running' ? details : undefined;
        },
        90_000,
        'the demo instance to run',
      );
      assert.equal((await get(`${demo.status?.endpoints.api[0]}/status`)).status, 200);
      const removed = await runCli(['instance', 'decommission', 'demo', '--wait'], {
        cwd: scratch.path,
        env,
        timeoutMs: 90_000,
      });
      assert.equal(removed.code, 0, removed.stderr);
    } finally {
      // Signal Roost itself (npm and its shell stay out of it); npm then exits with Roost's code.
      const roostPid = /"pid":(\d+),[^\n]*"msg":"roost serving"/.exec(output)?.[1];
      if (roostPid) process.kill(Number(roostPid), 'SIGTERM');
      else process.kill(-(child.pid as number), 'SIGKILL');
    }
    assert.equal(await exited(child), 0, output);
    assert.match(output, /"msg":"roost stopped"/);
    assert.doesNotMatch(output, /did not stop cleanly/);
  });

  it('refuses to bind the admin server to a public address without an explicit setting', async () => {
    const result = await runCli(['serve', '--admin-listen', '0.0.0.0:0', '--status-listen', '127.0.0.1:0'], {
      cwd: scratch.path,
      env: { ROOST_DATA_DIR: path.join(scratch.path, 'public') },
    });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /refusing to bind the admin server to 0\.0\.0\.0/);
  });

  it('reports a port in use in one line', async () => {
    const first = spawnCli(['serve', '--admin-listen', '127.0.0.1:0', '--status-listen', '127.0.0.1:0'], {
      cwd: scratch.path,
      env: { ROOST_DATA_DIR: path.join(scratch.path, 'first') },
    });
    try {
      const port = await pollUntil(
        async () => /admin UI and API\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(first.output())?.[1],
        15_000,
        'first server',
      );
      const second = await runCli(
        ['serve', '--admin-listen', `127.0.0.1:${port}`, '--status-listen', '127.0.0.1:0'],
        {
          cwd: scratch.path,
          env: { ROOST_DATA_DIR: path.join(scratch.path, 'second') },
        },
      );
      assert.equal(second.code, 1);
      assert.match(
        second.stderr,
        new RegExp(`roost: cannot listen on 127\\.0\\.0\\.1:${port}: the address is already in use`),
      );
    } finally {
      first.kill('SIGTERM');
      await exited(first);
    }
  });

  it('serves status pages from several processes sharing the port, restarts one that dies, and stops them all', async () => {
    const server = spawnCli(['serve', '--admin-listen', '127.0.0.1:0', '--status-listen', '127.0.0.1:0'], {
      cwd: scratch.path,
      env: {
        ROOST_DATA_DIR: path.join(scratch.path, 'processes'),
        ROOST_STATUS_PROCESSES: '3',
        ROOST_MONITORING_ENABLED: 'false',
      },
    });
    const listeners = (port: string) =>
      new Set(
        [
          ...execFileSync('ss', ['-Hltnp', `sport = :${port}`])
            .toString()
            .matchAll(/pid=(\d+)/g),
        ].map((match) => Number(match[1])),
      );
    try {
      const port = await pollUntil(
        async () => /status pages\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(server.output())?.[1],
        30_000,
        `the banner (${server.output()})`,
      );
      const pids = listeners(port);
      assert.equal(pids.size, 3, `three processes listen on the status port: ${[...pids]}`);
      assert.ok(pids.has(server.pid as number));
      for (let index = 0; index < 20; index++)
        assert.equal((await get(`http://127.0.0.1:${port}/healthz`)).status, 200);
      const [child] = [...pids].filter((pid) => pid !== server.pid);
      process.kill(child as number, 'SIGKILL');
      const replaced = await pollUntil(
        async () => {
          const now = listeners(port);
          return now.size === 3 && !now.has(child as number) ? now : undefined;
        },
        30_000,
        'a replacement status process',
      );
      server.kill('SIGTERM');
      assert.equal(await exited(server), 0);
      await pollUntil(
        async () => ([...replaced].every((pid) => !existsSync(`/proc/${pid}`)) ? true : undefined),
        10_000,
        'every status process gone',
      );
    } finally {
      server.kill('SIGKILL');
    }
  });

  it('binds the admin server beyond loopback only with allowPublicBind and TLS, then serves HTTPS', async () => {
    const env = { ROOST_DATA_DIR: path.join(scratch.path, 'tls'), ROOST_ADMIN_ALLOW_PUBLIC_BIND: 'true' };
    const withoutTls = await runCli(
      ['serve', '--admin-listen', '0.0.0.0:0', '--status-listen', '127.0.0.1:0'],
      { cwd: scratch.path, env },
    );
    assert.equal(withoutTls.code, 2);
    assert.match(withoutTls.stderr, /needs admin\.tlsCert and admin\.tlsKey/);

    const { cert, key } = selfSignedCertificate(scratch.path, { days: 1, subjectAltName: 'IP:127.0.0.1' });
    const server = spawnCli(['serve', '--admin-listen', '0.0.0.0:0', '--status-listen', '127.0.0.1:0'], {
      cwd: scratch.path,
      env: { ...env, ROOST_ADMIN_TLS_CERT: cert, ROOST_ADMIN_TLS_KEY: key },
    });
    try {
      const port = await pollUntil(
        async () => /admin UI and API\s+https:\/\/localhost:(\d+)/.exec(server.output())?.[1],
        15_000,
        `the HTTPS banner (${server.output()})`,
      );
      const status = await new Promise<number>((resolve, reject) => {
        httpsGet(
          { host: '127.0.0.1', port: Number(port), path: '/healthz', ca: readFileSync(cert) },
          (response) => {
            response.resume();
            resolve(response.statusCode ?? 0);
          },
        ).on('error', reject);
      });
      assert.equal(status, 200);
    } finally {
      server.kill('SIGTERM');
      await exited(server);
    }
  });
});
