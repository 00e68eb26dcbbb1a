import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningRoost } from '../src/main.ts';
import { serveTestRoost, startTestRoost, type TestRoost, tokenFor, userWithRole } from './fixtures/roost.ts';

/**
 * API routes identify their caller in the route handler and metrics share a layer with the page headers:
 * every layer must still run, on API answers, API errors and pages alike.
 */
describe('admin request path', () => {
  let test: TestRoost;
  let running: RunningRoost;
  let token: string;
  before(async () => {
    test = await startTestRoost();
    running = await serveTestRoost(test);
    token = await tokenFor(test.roost, await userWithRole(test.roost, 'viewer'));
  });
  after(async () => {
    await running.stop();
    await test.close();
  });

  const bearer = (value: string) => ({ authorization: `Bearer ${value}` });

  it('answers an API read for a valid token and refuses an unknown one, the OpenAPI document included', async () => {
    const me = await fetch(`${running.admin.url}/api/v1/me`, { headers: bearer(token) });
    assert.equal(me.status, 200);
    const body = (await me.json()) as { kind: string; role: string; permissions: string[] };
    assert.equal(body.kind, 'token');
    assert.equal(body.role, 'viewer');
    assert.deepEqual(body.permissions, [...body.permissions].sort());
    const again = (await (
      await fetch(`${running.admin.url}/api/v1/me`, { headers: bearer(token) })
    ).json()) as {
      permissions: string[];
    };
    assert.deepEqual(again.permissions, body.permissions, 'the kept list answers the same');

    for (const path of ['/api/v1/me', '/api/v1/openapi.json', '/api/v1/nowhere']) {
      const refused = await fetch(`${running.admin.url}${path}`, { headers: bearer(`${token}x`) });
      assert.equal(refused.status, 401, path);
      assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'unauthenticated');
      assert.equal(refused.headers.get('cache-control'), 'no-store');
    }
  });

  it('checks the permission of the route for the token', async () => {
    const response = await fetch(`${running.admin.url}/api/v1/users`, { headers: bearer(token) });
    assert.equal(response.status, 403, 'a viewer may not list users');
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'forbidden');
  });

  it('refuses a cross-site write to the API and to a page before anything else', async () => {
    const api = await fetch(`${running.admin.url}/api/v1/tokens`, {
      method: 'POST',
      headers: { ...bearer(token), 'content-type': 'application/json', origin: 'https://elsewhere.example' },
      body: '{}',
    });
    assert.equal(api.status, 403);
    assert.equal(
      ((await api.json()) as { error: { details: { reason: string } } }).error.details.reason,
      'csrf',
    );
    const page = await fetch(`${running.admin.url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://elsewhere.example' },
      body: 'email=a%40example.com&password=x',
      redirect: 'manual',
    });
    assert.equal(page.status, 403);
    assert.match(
      page.headers.get('content-security-policy') ?? '',
      /default-src 'self'/,
      'the page headers too',
    );
  });

  it('gives pages and page errors the page security headers', async () => {
    for (const path of ['/login', '/no-such-page']) {
      const response = await fetch(`${running.admin.url}${path}`, { redirect: 'manual' });
      assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'self'/, path);
      assert.equal(response.headers.get('x-frame-options'), 'SAMEORIGIN', path);
    }
    // A page asked with a token that does not resolve: sent to log in, with the page headers still set.
    const badToken = await fetch(`${running.admin.url}/audit`, {
      headers: bearer('rst_unknown'),
      redirect: 'manual',
    });
    assert.equal(badToken.status, 303);
    assert.match(badToken.headers.get('location') ?? '', /^\/login/);
    assert.match(badToken.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  });

  it('counts API answers and refusals by route and status', async () => {
    const metrics = await (await fetch(`${running.admin.url}/metrics`)).text();
    const count = (status: number) =>
      Number(
        new RegExp(
          `roost_http_requests_total\\{server="admin",method="GET",route="/api/v1/me",status="${status}"\\} (\\d+)`,
        ).exec(metrics)?.[1] ?? 0,
      );
    assert.ok(count(200) >= 2, metrics);
    assert.ok(count(401) >= 1);
    assert.match(
      metrics,
      /roost_http_request_duration_seconds_count\{server="admin",method="GET",route="\/api\/v1\/me"\} \d+/,
    );
  });
});
