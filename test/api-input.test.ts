import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningRoost } from '../src/main.ts';
import { serveTestRoost, startTestRoost, type TestRoost, tokenFor, userWithRole } from './fixtures/roost.ts';

interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}

describe('API input handling', () => {
  let test: TestRoost;
  let running: RunningRoost;
  let token: string;
  before(async () => {
    test = await startTestRoost();
    running = await serveTestRoost(test);
    token = await tokenFor(test.roost, await userWithRole(test.roost, 'admin'));
  });
  after(async () => {
    await running.stop();
    await test.close();
  });

  async function post(
    path: string,
    body: string | Uint8Array,
    contentType = 'application/json',
  ): Promise<{ status: number; body: ErrorBody }> {
    const response = await fetch(`${running.admin.url}/api/v1${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
      body,
    });
    return { status: response.status, body: (await response.json()) as ErrorBody };
  }

  function assertErrorBody(body: ErrorBody, code: string): void {
    assert.equal(body.error.code, code);
    assert.equal(typeof body.error.message, 'string');
    assert.equal(typeof body.error.details, 'object');
  }

  it('malformed JSON → 400 with the error body', async () => {
    const result = await post('/users', '{"email": "a@example.com", ');
    assert.equal(result.status, 400);
    assertErrorBody(result.body, 'invalid_input');
    assert.match(result.body.error.message, /malformed JSON/);
  });

  it('unknown fields → 400 naming them', async () => {
    const result = await post(
      '/users',
      JSON.stringify({
        email: 'a@example.com',
        name: 'A',
        role: 'viewer',
        password: 'x'.repeat(20),
        isAdmin: true,
      }),
    );
    assert.equal(result.status, 400);
    assertErrorBody(result.body, 'invalid_input');
    assert.match(result.body.error.message, /unknown field\(s\): isAdmin/);
  });

  it('a body over 64 KiB → 413', async () => {
    const result = await post('/users', JSON.stringify({ name: 'x'.repeat(70 * 1024) }));
    assert.equal(result.status, 413);
    assertErrorBody(result.body, 'invalid_input');
    assert.equal(result.body.error.details.limit, 65_536);
  });

  it('a wrong content type → 415', async () => {
    const result = await post('/users', 'email=a@example.com', 'application/x-www-form-urlencoded');
    assert.equal(result.status, 415);
    assertErrorBody(result.body, 'invalid_input');
  });

  it('a JSON array or scalar body → 400', async () => {
    for (const body of ['[]', '42', '"x"', 'null']) {
      const result = await post('/users', body);
      assert.equal(result.status, 400, body);
      assertErrorBody(result.body, 'invalid_input');
    }
  });

  it('wrong types and bad query values → 400, never 500', async () => {
    const wrongType = await post(
      '/users',
      JSON.stringify({ email: 42, name: [], role: 'emperor', password: null }),
    );
    assert.equal(wrongType.status, 400);
    const query = await fetch(`${running.admin.url}/api/v1/audit?limit=-5&since=yesterday`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(query.status, 400);
    assertErrorBody((await query.json()) as ErrorBody, 'invalid_input');
  });

  it('an unknown, expired or malformed token → 401', async () => {
    for (const authorization of ['Bearer rst_nope', 'Bearer', 'Basic abc']) {
      const response = await fetch(`${running.admin.url}/api/v1/me`, { headers: { authorization } });
      assert.equal(response.status, 401, authorization);
      assertErrorBody((await response.json()) as ErrorBody, 'unauthenticated');
    }
  });

  it('serves an OpenAPI 3.1 document generated from the schemas', async () => {
    const document = (await (await fetch(`${running.admin.url}/api/v1/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<
        string,
        Record<
          string,
          {
            requestBody?: {
              content: Record<
                string,
                { schema: { properties: Record<string, unknown>; additionalProperties?: boolean } }
              >;
            };
          }
        >
      >;
    };
    assert.equal(document.openapi, '3.1.0');
    const schema = document.paths['/users']?.post?.requestBody?.content['application/json']?.schema;
    assert.deepEqual(Object.keys(schema?.properties ?? {}).sort(), ['email', 'name', 'password', 'role']);
    assert.equal(schema?.additionalProperties, false);
  });

  it('answers JSON with no-store, nosniff and a deny-all CSP, errors included', async () => {
    for (const response of [
      await fetch(`${running.admin.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } }),
      await fetch(`${running.admin.url}/api/v1/me`),
      await fetch(`${running.admin.url}/api/v1/nowhere`, { headers: { authorization: `Bearer ${token}` } }),
    ]) {
      assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
      assert.equal(response.headers.get('cache-control'), 'no-store');
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
      assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    }
  });
});
