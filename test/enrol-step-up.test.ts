// Replacing a second factor from the admin UI: with a factor entered in the last 5 minutes `/enrol` starts
// the new enrolment at once; with an older one it asks for a current code (or a recovery code) inline,
// confirmed as at log-in, and then shows the new key. Confirming the new app's code switches the factor: the
// old app's codes stop working. A first enrolment asks for no code.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generate } from 'otplib';
import { createSession, csrfToken } from '../src/auth/index.ts';
import { sessionCookie } from '../src/http/middleware/actor.ts';
import { createAdminAppFor } from '../src/main.ts';
import {
  accessDepsOf,
  enrolledLogin,
  startTestRoost,
  type TestRoost,
  uiPage,
  userWithRole,
} from './fixtures/roost.ts';

describe('replacing a second factor asks for a current code inline', () => {
  let test: TestRoost;
  let app: ReturnType<typeof createAdminAppFor>;
  let admin: Awaited<ReturnType<typeof enrolledLogin>>;
  /** The key of the new app, once the enrolment page has shown it. */
  let newSecret = '';
  const nothingChanged = /Your second factor was not changed\./;

  before(async () => {
    test = await startTestRoost();
    app = createAdminAppFor(test.roost);
    admin = await enrolledLogin(test.roost, 'admin');
  });
  after(async () => {
    await test?.close();
  });

  const request = (path: string, fields?: Record<string, string>, session = admin.sessionToken) =>
    uiPage(app, path, session, fields);
  /** The API's step-up route, as the admin's browser session: whether a code is accepted now. */
  const apiStepUp = async (code: string) => {
    const response = await app.request('http://127.0.0.1/api/v1/sessions/second-factor', {
      method: 'POST',
      headers: {
        cookie: `${sessionCookie}=${admin.sessionToken}`,
        'x-csrf-token': csrfToken(admin.sessionToken),
        'content-type': 'application/json',
        origin: 'http://127.0.0.1',
      },
      body: JSON.stringify({ code }),
    });
    await response.body?.cancel();
    return response.status;
  };
  const codeInput = (text: string) => /<input id="field-secondFactorCode"[^>]*>/.exec(text)?.[0];
  const shownSecret = (text: string) =>
    /<code class="secret-box" id="totp-secret"[^>]*>([A-Z2-7 =]+)<\/code>/
      .exec(text)?.[1]
      ?.replace(/\s/g, '');
  const hidden = (text: string, name: string) =>
    new RegExp(`<input type="hidden" name="${name}" value="([^"]*)">`).exec(text)?.[1];
  const totpEnabledAt = async () =>
    (
      await test.roost.store.db
        .selectFrom('users')
        .select('totp_enabled_at')
        .where('id', '=', admin.user.id)
        .executeTakeFirstOrThrow()
    ).totp_enabled_at;
  const codeAt = (secret: string, offsetSeconds = 0) =>
    generate({ secret, epoch: Math.floor(test.clock.now().getTime() / 1000) + offsetSeconds });

  it('goes straight to the enrolment page while the factor is fresh', async () => {
    // The overview links to it while the factor is on.
    assert.match(
      (await request('/')).text,
      /<span class="badge ok">on<\/span> since <time [^>]*>[^<]*<\/time> <a href="\/enrol">Replace it<\/a>/,
    );
    const page = await request('/enrol');
    assert.equal(page.status, 200);
    assert.match(page.text, /<h1>Set up your second factor<\/h1>/);
    assert.match(page.text, /<div class="qr" role="img"[^>]*><svg/);
    assert.ok(shownSecret(page.text), 'the key is shown for manual entry');
    assert.equal(codeInput(page.text), undefined, 'no code is asked for');
  });

  it('asks a stale factor for a current code, and shows no key', async () => {
    test.clock.advance(6 * 60_000);
    const page = await request('/enrol?next=%2Ftokens');
    assert.equal(page.status, 200, 'a form asking for the code, as the restore and migration forms');
    assert.match(page.text, /<h1>Your second factor is on<\/h1>/);
    assert.match(page.text, /<form method="post" action="\/enrol\/step-up"/);
    assert.equal(hidden(page.text, '_csrf'), csrfToken(admin.sessionToken));
    assert.equal(hidden(page.text, 'next'), '/tokens', 'where to go afterwards is kept');
    const input = codeInput(page.text);
    assert.ok(input, 'the step-up fieldset');
    assert.match(input, /name="secondFactorCode"/);
    assert.match(input, /autocomplete="one-time-code"/);
    assert.doesNotMatch(input, /aria-invalid/);
    assert.match(page.text, /<label for="field-secondFactorCode">Code from your authenticator app<\/label>/);
    assert.match(
      page.text,
      /Replacing your second factor needs a code entered in the last 5 minutes, and yours is older\./,
    );
    assert.match(page.text, /or one of your recovery codes/);
    assert.doesNotMatch(page.text, /class="qr"|id="totp-secret"|otpauth:|name="secret"/, 'no new key yet');
  });

  it('refuses no code (400) and a wrong one (401), audited as a failed check; nothing changes', async () => {
    const enabledAt = await totpEnabledAt();
    const empty = await request('/enrol/step-up', { next: '/tokens', secondFactorCode: ' ' });
    assert.equal(empty.status, 400);
    assert.match(empty.text, /Enter the code your app shows now, or a recovery code\./);
    assert.match(empty.text, nothingChanged);

    const current = await admin.code();
    const wrong = await request('/enrol/step-up', {
      next: '/tokens',
      secondFactorCode: current === '000000' ? '111111' : '000000',
    });
    assert.equal(wrong.status, 401);
    assert.match(wrong.text, /id="form-error"/);
    assert.match(wrong.text, /That code was not accepted: it is wrong, expired or already used\./);
    assert.match(wrong.text, nothingChanged);
    const input = codeInput(wrong.text);
    assert.ok(input, 'the code form again');
    assert.match(input, /aria-invalid="true"/);
    assert.match(input, /aria-describedby="field-secondFactorCode-hint form-error"/);
    assert.match(input, /autofocus/);
    assert.doesNotMatch(input, /value=/, 'the code is not sent back');
    assert.equal(hidden(wrong.text, 'next'), '/tokens');
    assert.doesNotMatch(wrong.text, /id="totp-secret"/);

    const failed = await test.roost.audit.list({ action: 'second-factor.verify' });
    assert.equal(failed[0]?.result, 'failed', 'a wrong code counts as a failed log-in');
    assert.equal(await totpEnabledAt(), enabledAt);
    assert.doesNotMatch((await request('/enrol')).text, /id="totp-secret"/, 'the factor is still stale');
  });

  it('confirms the current code of the old app and then shows the new key', async () => {
    const confirmed = await request('/enrol/step-up', {
      next: '/tokens',
      secondFactorCode: await admin.code(),
    });
    assert.equal(confirmed.status, 303, confirmed.text);
    assert.equal(confirmed.location, '/enrol?next=%2Ftokens');
    const step = await test.roost.audit.list({ action: 'session.second-factor' });
    assert.equal(step[0]?.details.purpose, 'step-up');
    assert.equal((await test.roost.audit.list({ action: 'second-factor.verify' }))[0]?.result, 'ok');

    const page = await request(confirmed.location ?? '');
    assert.equal(page.status, 200);
    assert.match(page.text, /<h1>Set up your second factor<\/h1>/);
    assert.match(page.text, /<div class="qr" role="img"[^>]*><svg/);
    newSecret = shownSecret(page.text) ?? '';
    assert.match(newSecret, /^[A-Z2-7]{16,}$/);
    assert.equal(hidden(page.text, 'secret'), newSecret);
    assert.equal(hidden(page.text, 'next'), '/tokens');

    // A second submission of the form (a double click) spends no code: the factor is fresh now.
    const again = await request('/enrol/step-up', { next: '/tokens', secondFactorCode: '000000' });
    assert.equal(again.status, 303);
    assert.equal(again.location, '/enrol?next=%2Ftokens');
    assert.equal((await test.roost.audit.list({ action: 'second-factor.verify' }))[0]?.result, 'ok');

    // The page's own POST /enrol confirms the new app; the old one is still the factor until then.
    const enrolment = await request('/enrol');
    newSecret = shownSecret(enrolment.text) ?? '';
    const refused = await request('/enrol', {
      next: '/tokens',
      code: await admin.code(30),
      secret: newSecret,
      otpauthUrl: hidden(enrolment.text, 'otpauthUrl') ?? '',
    });
    assert.equal(refused.status, 400, 'a code of the old app does not confirm the new one');
    assert.match(refused.text, /That code is not right\./);
    assert.equal(shownSecret(refused.text), newSecret, 'the same key is shown again');

    const done = await request('/enrol', {
      next: '/tokens',
      code: await codeAt(newSecret),
      secret: newSecret,
      otpauthUrl: hidden(enrolment.text, 'otpauthUrl') ?? '',
    });
    assert.equal(done.status, 200, done.text);
    assert.match(done.text, /Your second factor is on\./);
    assert.equal((done.text.match(/<li>[a-z0-9-]+<\/li>/g) ?? []).length, 10, 'new recovery codes');
    assert.match(done.text, /<a class="button" href="\/tokens" id="continue">/);
  });

  it('switches the factor: the old app is refused at the step-up route, the new one accepted', async () => {
    test.clock.advance(31_000); // a code is accepted once: the next 30-second step
    assert.equal(await apiStepUp(await admin.code()), 401, 'the old app no longer');
    assert.equal(await apiStepUp(await codeAt(newSecret)), 200, 'the new app');
    assert.deepEqual(
      (await test.roost.audit.list({ action: 'second-factor.enrol' })).map((event) => event.result)[0],
      'ok',
    );
    assert.doesNotMatch(test.logs(), new RegExp(newSecret), 'the key is never logged');
  });

  it('asks a first enrolment for no code', async () => {
    const user = await userWithRole(test.roost, 'admin');
    const { token } = await createSession(accessDepsOf(test.roost), {
      userId: user.id,
      ip: '127.0.0.1',
      userAgent: 'test',
      secondFactorAt: null,
    });
    const page = await request('/enrol', undefined, token);
    assert.equal(page.status, 200);
    assert.match(page.text, /<h1>Set up your second factor<\/h1>/);
    assert.ok(shownSecret(page.text));
    assert.equal(codeInput(page.text), undefined);
    const posted = await request('/enrol/step-up', { secondFactorCode: '123456' }, token);
    assert.equal(posted.status, 303, 'nothing to step up from: on to the enrolment');
    assert.equal(posted.location, '/enrol');
  });
});
