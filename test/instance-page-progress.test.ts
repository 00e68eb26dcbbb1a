// The instance page while an operation is under way: a GET tells the browser to reload it (no script) and
// says so; a refused form shown again does not reload (that would only repeat nothing useful, or lose
// the form) and says how to follow the operation instead. No worker runs: the queued operation waits.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAdminAppFor } from '../src/main.ts';
import { insertInstanceRow } from '../src/status/instance-row.ts';
import { uniqueSlug } from './fixtures/instances.ts';
import { enrolledLogin, startTestRoost, type TestRoost, uiPage } from './fixtures/roost.ts';

describe('the instance page while an operation is under way', () => {
  let test: TestRoost;
  let app: ReturnType<typeof createAdminAppFor>;
  let session: string;
  const slug = uniqueSlug('ipp');

  before(async () => {
    test = await startTestRoost();
    app = createAdminAppFor(test.roost);
    session = (await enrolledLogin(test.roost, 'admin')).sessionToken;
    await insertInstanceRow(test.roost.store, test.clock, slug);
  });
  after(async () => {
    await test?.close();
  });

  it('reloads itself on a GET and says so; a refused form does neither', async () => {
    const idle = await uiPage(app, `/instances/${slug}`, session);
    assert.equal(idle.status, 200);
    assert.equal(idle.refresh, null, 'nothing under way: no reload');

    const scaled = await uiPage(app, `/instances/${slug}/scale`, session, { replicas: '2' });
    assert.equal(scaled.status, 303);
    const busy = await uiPage(app, `/instances/${slug}`, session);
    assert.equal(busy.refresh, '3');
    assert.match(busy.text, /An operation is in progress/);
    assert.match(busy.text, /This page reloads every 3 seconds\./);

    const refused = await uiPage(app, `/instances/${slug}/scale`, session, { replicas: '3' });
    assert.equal(refused.status, 409);
    assert.equal(refused.refresh, null);
    assert.match(refused.text, /An operation is in progress/);
    assert.doesNotMatch(refused.text, /reloads every/);
    assert.match(
      refused.text,
      new RegExp(`<a href="/instances/${slug}">Open this page again</a> to follow it\\.`),
    );
  });
});
