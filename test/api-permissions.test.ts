import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Role, rolePermissions, roles } from '../src/auth/index.ts';
import { apiRoutes } from '../src/http/api/routes/index.ts';
import { createAdminAppFor, type RunningRoost } from '../src/main.ts';
import { serveTestRoost, startTestRoost, type TestRoost, tokenFor, userWithRole } from './fixtures/roost.ts';

/** A harmless, well-formed-enough input per route: authorization is decided before input is read. */
function pathOf(path: string): string {
  return path.replace(/\{(\w+)\}/g, 'nonexistent');
}

describe('API permission matrix (every route × every role, from the route table)', () => {
  let test: TestRoost;
  let running: RunningRoost;
  const tokens = new Map<Role, string>();

  before(async () => {
    test = await startTestRoost();
    running = await serveTestRoost(test);
    for (const role of roles)
      tokens.set(role, await tokenFor(test.roost, await userWithRole(test.roost, role)));
  });
  after(async () => {
    await running.stop();
    await test.close();
  });

  it('every API route the server registers is in the table, and every table entry is served', async () => {
    // What the admin app really routes (not what the table says it should), method and path.
    const app = createAdminAppFor(test.roost);
    const served = app.routes
      .filter(
        (route) =>
          route.method !== 'ALL' &&
          route.path.startsWith('/api/v1/') &&
          route.path !== '/api/v1/openapi.json',
      )
      .map(
        (route) =>
          `${route.method.toLowerCase()} ${route.path.replace(/^\/api\/v1/, '').replace(/:(\w+)/g, '{$1}')}`,
      );
    const table = apiRoutes.map((route) => `${route.method} ${route.path}`);
    assert.deepEqual([...new Set(served)].sort(), [...table].sort());
    const document = (await (await fetch(`${running.admin.url}/api/v1/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method} ${path}`),
    );
    assert.deepEqual(
      documented.sort(),
      [...table].sort(),
      'the OpenAPI document describes exactly the table',
    );
    const response = await fetch(`${running.admin.url}/api/v1/undeclared`, {
      headers: { authorization: `Bearer ${tokens.get('admin')}` },
    });
    assert.equal(response.status, 404);
  });

  for (const route of apiRoutes) {
    it(`${route.method.toUpperCase()} ${route.path} needs ${route.permission}`, async () => {
      const url = `${running.admin.url}/api/v1${pathOf(route.path)}`;
      const anonymous = await fetch(url, { method: route.method.toUpperCase() });
      assert.equal(anonymous.status, 401, 'anonymous callers are refused');
      for (const role of roles) {
        const allowed =
          route.permission === 'authenticated' || rolePermissions[role].includes(route.permission);
        const response = await fetch(url, {
          method: route.method.toUpperCase(),
          headers: { authorization: `Bearer ${tokens.get(role)}`, 'content-type': 'application/json' },
          ...(route.method === 'get' || route.method === 'delete' ? {} : { body: '{}' }),
        });
        const body = (await response.json().catch(() => ({}))) as {
          error?: { code: string; details?: { permission?: string } };
        };
        const deniedForPermission =
          response.status === 403 && body.error?.details?.permission === route.permission;
        assert.equal(
          deniedForPermission,
          !allowed,
          `${role}: expected ${allowed ? 'allow' : 'deny'}, got ${response.status} ${JSON.stringify(body)}`,
        );
        assert.notEqual(response.status, 401, `${role}: token accepted`);
        assert.ok(response.status < 500, `${role}: no server error (${response.status})`);
      }
    });
  }
});
