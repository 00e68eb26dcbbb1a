// Step-up over HTTP: an admin's session whose second factor is older than 5 minutes is refused what needs a
// fresh one (the backup key export, a production restore) with the way to refresh it; a current code sent to the API's
// step-up route refreshes it (a wrong or replayed one does not), and a token learns it never can.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { csrfToken } from '../src/auth/index.ts';
import { sessionCookie } from '../src/http/middleware/actor.ts';
import { createAdminAppFor } from '../src/main.ts';
import { insertInstanceRow } from '../src/status/instance-row.ts';
import { uniqueSlug } from './fixtures/instances.ts';
import { enrolledLogin, startTestRoost, type TestRoost, tokenFor } from './fixtures/roost.ts';

interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}

describe('second-factor step-up over HTTP', () => {
  let test: TestRoost;
  let app: ReturnType<typeof createAdminAppFor>;
  let session: string;
  let code: (offsetSeconds?: number) => Promise<string>;
  let token: string;
  const slug = uniqueSlug('vault');

  before(async () => {
    test = await startTestRoost();
    app = createAdminAppFor(test.roost);
    const admin = await enrolledLogin(test.roost, 'admin');
    session = admin.sessionToken;
    code = admin.code;
    token = await tokenFor(test.roost, admin.user);
    await insertInstanceRow(test.roost.store, test.clock, slug);
  });
  after(async () => {
    await test?.close();
  });

  /** The JSON API as the admin's browser session (cookie and CSRF header), or with the admin's token. */
  const api = async (path: string, body: unknown, as: 'session' | 'token' | 'forged' = 'session') => {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      origin: 'http://127.0.0.1',
    };
    if (as === 'token') headers.authorization = `Bearer ${token}`;
    else headers.cookie = `${sessionCookie}=${session}`;
    if (as === 'session') headers['x-csrf-token'] = csrfToken(session);
    const response = await app.request(`http://127.0.0.1/api/v1${path}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as ErrorBody & Record<string, unknown> };
  };
  const exportKey = (as: 'session' | 'token' = 'session') =>
    api(`/instances/${slug}/backup-key/export`, {}, as);

  it('refuses a stale factor with the route that refreshes it; a current code there lets the request through', async () => {
    test.clock.advance(6 * 60_000);
    const stale = await exportKey();
    assert.equal(stale.status, 403);
    assert.equal(stale.body.error.details.reason, 'second_factor_required');
    assert.equal(stale.body.error.details.stepUp, 'POST /api/v1/sessions/second-factor');
    assert.match(
      stale.body.error.message,
      /send a current code from your app to POST \/api\/v1\/sessions\/second-factor .* then repeat the request$/,
    );

    // Restoring production is refused the same way, before anything is queued.
    const restore = await api(`/instances/${slug}/restores`, { confirm: slug });
    assert.equal(restore.status, 403);
    assert.equal(restore.body.error.details.stepUp, 'POST /api/v1/sessions/second-factor');
    assert.deepEqual(await test.roost.store.db.selectFrom('backup_restores').select('id').execute(), []);

    const current = await code();
    const forged = await api('/sessions/second-factor', { code: current }, 'forged');
    assert.equal(forged.status, 403, 'the CSRF token is required');
    assert.equal(forged.body.error.details.reason, 'csrf');
    const wrong = await api('/sessions/second-factor', { code: current === '000000' ? '111111' : '000000' });
    assert.equal(wrong.status, 401);
    assert.equal((await exportKey()).status, 403, 'a wrong code refreshes nothing');

    const confirmed = await api('/sessions/second-factor', { code: current });
    assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
    const now = test.clock.now().getTime();
    assert.deepEqual(confirmed.body, {
      secondFactorAt: new Date(now).toISOString(),
      freshUntil: new Date(now + 5 * 60_000).toISOString(),
      method: 'totp',
    });
    const replayed = await api('/sessions/second-factor', { code: current });
    assert.equal(replayed.status, 401, 'a code is accepted once');

    const through = await exportKey();
    assert.equal(through.status, 404, 'past the second-factor check: this instance has no key');
    assert.match(through.body.error.message, /has no backup key/);
    const events = await test.roost.audit.list({ action: 'session.second-factor' });
    assert.equal(events[0]?.details.purpose, 'step-up');
    assert.deepEqual(
      (await test.roost.audit.list({ action: 'second-factor.verify' })).map((event) => event.result),
      ['failed', 'ok', 'failed'],
      'newest first: the replay, the good code, the wrong one',
    );
  });

  it('tells an API token it never carries a second factor, and does not step it up', async () => {
    const refused = await exportKey('token');
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.details.reason, 'second_factor_required');
    assert.equal(refused.body.error.details.stepUp, undefined);
    assert.match(refused.body.error.message, /an API token never carries/);
    const stepUp = await api('/sessions/second-factor', { code: await code(30) }, 'token');
    assert.equal(stepUp.status, 403);
    assert.match(stepUp.body.error.message, /needs a person logged in to the admin UI/);
  });
});
