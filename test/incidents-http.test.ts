// The post-mortem rules at the admin app's edges: the incident page's forms (a logged-in operator with a
// second factor) and the JSON API (an operator's token), on one Roost with a scratch SQLite store.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { csrfToken, localActor } from '../src/auth/index.ts';
import { sessionCookie } from '../src/http/middleware/actor.ts';
import { appendTimelineEntry, createIncident, getIncident } from '../src/incidents/index.ts';
import { apiDepsOf, createAdminAppFor } from '../src/main.ts';
import { insertInstanceRow } from '../src/status/index.ts';
import { enrolledSession, startTestRoost, type TestRoost, tokenFor, userWithRole } from './fixtures/roost.ts';

interface ErrorBody {
  error: { code: string; message: string };
}

describe('incident pages and API: post-mortems', () => {
  let test: TestRoost;
  let uiGet: (path: string) => Promise<{ status: number; text: string }>;
  let uiPost: (path: string, fields: Record<string, string>) => Promise<{ status: number; text: string }>;
  let api: (method: string, path: string, body?: unknown) => Promise<{ status: number; body: unknown }>;
  const slug = `pm-${Math.random().toString(36).slice(2, 8)}`;

  before(async () => {
    test = await startTestRoost();
    await insertInstanceRow(test.roost.store, test.clock, slug, 'Acme');
    const app = createAdminAppFor(test.roost);
    const session = await enrolledSession(test.roost, 'operator');
    const token = await tokenFor(test.roost, await userWithRole(test.roost, 'operator'));
    const headers = { cookie: `${sessionCookie}=${session}`, origin: 'http://127.0.0.1' };
    uiGet = async (path) => {
      const response = await app.request(`http://127.0.0.1${path}`, { headers });
      return { status: response.status, text: await response.text() };
    };
    uiPost = async (path, fields) => {
      const response = await app.request(`http://127.0.0.1${path}`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ ...fields, _csrf: csrfToken(session) }).toString(),
      });
      return { status: response.status, text: await response.text() };
    };
    api = async (method, path, body) => {
      const response = await app.request(`http://127.0.0.1/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: await response.json() };
    };
  });
  after(async () => {
    await test?.close();
  });

  /** A resolved incident with a post-mortem draft, written through the operations. */
  async function resolvedIncident(title: string): Promise<string> {
    const deps = apiDepsOf(test.roost);
    const actor = localActor(test.clock);
    const incident = await createIncident(deps, actor, { title, instances: [slug], message: 'On it.' });
    await appendTimelineEntry(deps, actor, {
      incidentId: incident.id,
      body: 'Fixed.',
      public: true,
      status: 'resolved',
    });
    return incident.id;
  }

  it('publishes once from the page and the API; again is refused with 409 and the reason', async () => {
    const id = await resolvedIncident('Search is down');
    const published = await uiPost(`/incidents/${id}/postmortem/publish`, {});
    assert.equal(published.status, 303);
    const publishedAt = (await getIncident(apiDepsOf(test.roost), localActor(test.clock), { id })).incident
      .postmortemPublishedAt;
    assert.ok(publishedAt);
    test.clock.advance(60_000);

    // A second click (the button is gone, but an open tab still has it).
    const again = await uiPost(`/incidents/${id}/postmortem/publish`, {});
    assert.equal(again.status, 409);
    assert.match(again.text, /Not published: The post-mortem of inc_\w+ is already published/);
    const fromApi = await api('POST', `/incidents/${id}/postmortem/publish`);
    assert.equal(fromApi.status, 409);
    assert.equal((fromApi.body as ErrorBody).error.code, 'conflict');
    assert.match((fromApi.body as ErrorBody).error.message, /already published/);
    const { incident } = await getIncident(apiDepsOf(test.roost), localActor(test.clock), { id });
    assert.deepEqual(incident.postmortemPublishedAt, publishedAt);
  });

  it('offers and takes no `postmortem` by hand: the form, the page and the API say why', async () => {
    const id = await resolvedIncident('Slow logins');
    const page = await uiGet(`/incidents/${id}`);
    assert.equal(page.status, 200);
    const select = /<select id="field-status" name="status">([\s\S]*?)<\/select>/.exec(page.text)?.[1] ?? '';
    assert.deepEqual(
      [...select.matchAll(/<option value="(\w*)"/g)].map((match) => match[1]),
      ['', 'investigating', 'identified', 'monitoring', 'resolved'],
    );
    const forged = await uiPost(`/incidents/${id}/timeline`, { body: 'Done.', status: 'postmortem' });
    assert.equal(forged.status, 400);
    assert.match(forged.text, /Not added: Postmortem comes only from publishing the post-mortem/);

    const reason = /^status: postmortem comes only from publishing the post-mortem/;
    for (const [path, body] of [
      [`/incidents/${id}/timeline`, { body: 'Done.', public: true, status: 'postmortem' }],
      ['/incidents', { title: 'Old outage', instances: [slug], status: 'postmortem' }],
    ] as const) {
      const refused = await api('POST', path, body);
      assert.equal(refused.status, 400, path);
      assert.equal((refused.body as ErrorBody).error.code, 'invalid_input', path);
      assert.match((refused.body as ErrorBody).error.message, reason, path);
    }
    const { incident, timeline } = await getIncident(apiDepsOf(test.roost), localActor(test.clock), { id });
    assert.equal(incident.status, 'resolved');
    assert.equal(incident.postmortemPublishedAt, null);
    assert.ok(timeline.every((entry) => entry.status !== 'postmortem'));
  });

  it('warns before a reopening withdraws a published post-mortem, and shows it as a draft after', async () => {
    const id = await resolvedIncident('Exports are late');
    assert.doesNotMatch((await uiGet(`/incidents/${id}`)).text, /id="reopen-hint"/);
    assert.equal((await uiPost(`/incidents/${id}/postmortem/publish`, {})).status, 303);
    const published = (await uiGet(`/incidents/${id}`)).text;
    assert.match(published, /<h2>Post-mortem \(published\)<\/h2>/);
    assert.match(published, /id="reopen-hint">Its post-mortem is published: moving it back/);

    test.clock.advance(60_000);
    const reopened = await uiPost(`/incidents/${id}/timeline`, { body: 'Late again.', status: 'monitoring' });
    assert.equal(reopened.status, 303);
    const page = (await uiGet(`/incidents/${id}`)).text;
    assert.match(page, /<h2>Post-mortem draft<\/h2>/);
    assert.match(page, /Post-mortem withdrawn from the status pages: the incident is open again\./);
    assert.doesNotMatch(page, /id="reopen-hint"/);
  });
});
