// The admin UI in a real browser: log-in with password, TOTP enrolment, API tokens, log-out, log-in with
// a code, idle timeout, the permission-aware navigation, and a cross-site form post being refused.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { generate } from 'otplib';
import type { Browser, BrowserContext } from 'playwright-core';
import { createUser, localActor, login } from '../../src/auth/index.ts';
import { isRoostError } from '../../src/core/errors.ts';
import type { RunningRoost } from '../../src/main.ts';
import { launchChromium, screenshot, sequentialSteps, submit } from '../fixtures/browser.ts';
import { accessDepsOf, serveTestRoost, startTestRoost, type TestRoost } from '../fixtures/roost.ts';

const admin = { email: 'ada@example.com', name: 'Ada Lovelace', password: 'violet-harbour-tangent-42' };
const viewer = { email: 'vic@example.com', name: 'Vic Viewer', password: 'amber-lantern-meadow-77' };

/** A page on another origin that posts a form to the admin server as soon as it loads. */
function attackerSite(
  target: string,
  fields: Record<string, string>,
): Promise<{ url: string; server: Server }> {
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${name}" value="${value}">`)
    .join('');
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(
      `<!doctype html><title>Win a prize</title><form method="post" action="${target}">${inputs}</form><script>document.forms[0].submit()</script>`,
    );
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server }),
    );
  });
}

test('the admin UI in Chromium', async (t) => {
  const browser: Browser | undefined = await launchChromium(t);
  if (!browser) return;
  let roost: TestRoost | undefined;
  let running: RunningRoost | undefined;
  const servers: Server[] = [];
  t.after(async () => {
    await browser.close();
    for (const server of servers) server.close();
    await running?.stop();
    await roost?.close();
  });

  roost = await startTestRoost();
  running = await serveTestRoost(roost);
  const base = running.admin.url;
  const { clock } = roost;
  const access = accessDepsOf(roost.roost);
  const local = localActor(clock);
  await createUser(access, local, { ...admin, role: 'admin' });
  await createUser(access, local, { ...viewer, role: 'viewer' });
  // Five failed log-ins for an account from another address: the account is banned.
  for (let attempt = 0; attempt < 5; attempt++) {
    await login(access, {
      email: 'mallory@example.com',
      password: 'not-the-password',
      ip: '203.0.113.9',
    }).catch((error: unknown) => {
      if (!isRoostError(error, 'unauthenticated') && !isRoostError(error, 'rate_limited')) throw error;
    });
  }
  const totp = (secret: string) => generate({ secret, epoch: Math.floor(clock.now().getTime() / 1000) });

  const context: BrowserContext = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  context.setDefaultTimeout(10_000);
  let secret = '';
  const step = sequentialSteps(t);

  await step(
    'an anonymous visitor is sent to the log-in page; wrong credentials get one generic answer',
    async () => {
      await page.goto(`${base}/tokens`);
      await page.waitForURL(`${base}/login?next=%2Ftokens`);
      await screenshot(page, '01-login');
      await page.getByLabel('Email').fill(admin.email);
      await page.getByLabel('Password').fill('wrong-password-123456');
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.url() === `${base}/login` && r.request().method() === 'POST'),
        submit(page, 'Log in'),
      ]);
      assert.equal(response.status(), 401);
      await page.getByText('The email or the password is wrong.').waitFor();
      assert.equal(await page.getByLabel('Email').inputValue(), admin.email, 'the email is kept');
      assert.equal(await page.getByLabel('Password').inputValue(), '', 'the password is not sent back');
      assert.match((await page.getByLabel('Password').getAttribute('aria-describedby')) ?? '', /form-error/);
    },
  );

  await step(
    'a banned account is refused with the ban message and 429, even from a browser elsewhere',
    async () => {
      const other = await browser.newContext();
      const banned = await other.newPage();
      await banned.goto(`${base}/login`);
      await banned.getByLabel('Email').fill('mallory@example.com');
      await banned.getByLabel('Password').fill('anything-at-all-123');
      const [response] = await Promise.all([
        banned.waitForResponse((r) => r.url() === `${base}/login` && r.request().method() === 'POST'),
        submit(banned, 'Log in'),
      ]);
      assert.equal(response.status(), 429);
      await banned.getByText(/refused until \d{4}-\d\d-\d\dT/).waitFor();
      await screenshot(banned, '02-login-banned');
      await other.close();
    },
  );

  await step('an admin logs in with a password and must enrol TOTP first', async () => {
    await page.getByLabel('Password').fill(admin.password);
    await submit(page, 'Log in');
    await page.waitForURL(`${base}/enrol?next=%2Ftokens`);
    await page.locator('.qr svg').waitFor();
    secret = ((await page.locator('#totp-secret').textContent()) ?? '').replace(/\s/g, '');
    assert.match(secret, /^[A-Z2-7]{16,}$/);
    await screenshot(page, '03-enrol');
    // Until enrolled, no other page opens.
    await page.goto(`${base}/users`);
    await page.waitForURL(`${base}/enrol`);
    secret = ((await page.locator('#totp-secret').textContent()) ?? '').replace(/\s/g, '');
    await page.getByLabel('Code from the app').fill('000000');
    await submit(page, 'Turn on the second factor');
    await page.getByText('That code is not right.').waitFor();
    assert.equal(
      ((await page.locator('#totp-secret').textContent()) ?? '').replace(/\s/g, ''),
      secret,
      'the same key is shown again',
    );
    await page.getByLabel('Code from the app').fill(await totp(secret));
    await submit(page, 'Turn on the second factor');
    await page.locator('#recovery-codes li').first().waitFor();
    assert.equal(await page.locator('#recovery-codes li').count(), 10);
    await screenshot(page, '04-recovery-codes');
    await page.getByRole('link', { name: 'I have saved them, continue' }).click();
    await page.waitForURL(`${base}/`);
  });

  await step('the overview shows the sections the admin may open, the current one marked', async () => {
    const nav = page.getByRole('navigation', { name: 'Main' });
    for (const label of [
      'Overview',
      'Instances',
      'Monitoring',
      'Incidents',
      'Status pages',
      'Backups',
      'Logs',
      'Security',
      'Audit',
      'Users',
      'API tokens',
      'Bans',
      'Settings',
    ]) {
      await nav.getByRole('link', { name: label, exact: true }).waitFor();
    }
    assert.equal(await nav.getByRole('link', { name: 'Overview' }).getAttribute('aria-current'), 'page');
    // Keyboard: the first Tab shows the skip link, which moves focus to the content.
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Skip to content' });
    assert.equal(await page.locator('.skip-link:focus').count(), 1, 'the skip link has the focus');
    assert.ok(((await skip.boundingBox())?.y ?? -1) >= 0, 'and is visible');
    await page.keyboard.press('Enter');
    assert.equal(await page.locator('main#main:focus').count(), 1, 'the content has the focus');
    await screenshot(page, '05-overview');
    await nav.getByRole('link', { name: 'Instances' }).click();
    await page.waitForURL(`${base}/instances`);
    await page.getByRole('heading', { level: 1, name: 'Instances' }).waitFor();
  });

  await step('an API token is created with chosen scopes, shown once, and works', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API tokens' }).click();
    await page.waitForURL(`${base}/tokens`);
    await page.getByLabel('Name').fill('deploy from CI');
    await page.getByLabel('Expires after (days)').fill('30');
    await page.getByRole('checkbox', { name: 'audit: read' }).check();
    await page.getByRole('checkbox', { name: 'instances: read' }).check();
    await submit(page, 'Create token');
    const shown = (await page.locator('#new-token').textContent()) ?? '';
    assert.match(shown, /^rst_/);
    await screenshot(page, '06-tokens-new');
    const api = await fetch(`${base}/api/v1/audit?limit=1`, {
      headers: { authorization: `Bearer ${shown}` },
    });
    assert.equal(api.status, 200, 'the token reads the audit trail');
    await page.goto(`${base}/tokens`);
    await page.getByRole('rowheader', { name: 'deploy from CI' }).waitFor();
    assert.equal(await page.locator('#new-token').count(), 0, 'the token is not shown again');
    assert.ok(!(await page.content()).includes(shown), 'the token appears nowhere on the page');
    const session = await context.cookies(base);
    assert.deepEqual(
      session
        .filter((cookie) => cookie.name === 'roost_session')
        .map((cookie) => [cookie.httpOnly, cookie.sameSite, cookie.path]),
      [[true, 'Strict', '/']],
    );
  });

  await step('audit, bans and users pages', async () => {
    await page.goto(`${base}/audit`);
    await submit(page, 'Verify the chain');
    await page.getByText('The audit chain is intact').waitFor();
    await screenshot(page, '07-audit');
    const exportLink = page.getByRole('link', { name: /Export these events/ });
    assert.equal(await exportLink.getAttribute('href'), '/api/v1/audit/export');
    await page.getByLabel('Action').fill('token.');
    await submit(page, 'Filter');
    await page.waitForURL(/\/audit\?.*action=token\./);
    await page.getByRole('cell', { name: 'token.create' }).waitFor();
    assert.equal(await exportLink.getAttribute('href'), '/api/v1/audit/export?action=token.');

    await page.goto(`${base}/bans`);
    await page.getByRole('rowheader', { name: 'mallory@example.com' }).waitFor();
    await screenshot(page, '08-bans');

    await page.goto(`${base}/users`);
    await page.getByRole('rowheader', { name: /Vic Viewer/ }).waitFor();
    await screenshot(page, '09-users');
  });

  await step('a form posted from another site is refused and changes nothing', async () => {
    const before = await page.context().cookies(base);
    for (const [path, fields] of [
      ['/logout-everywhere', {}],
      ['/tokens', { name: 'planted', scopes: 'users:write', expiresInDays: '365' }],
    ] as const) {
      const site = await attackerSite(`${base}${path}`, fields);
      servers.push(site.server);
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.url() === `${base}${path}` && r.request().method() === 'POST'),
        page.goto(site.url),
      ]);
      assert.equal(response.status(), 403, `POST ${path} from ${site.url}`);
    }
    // Still logged in, and no token was planted.
    await page.goto(`${base}/tokens`);
    await page.waitForURL(`${base}/tokens`);
    assert.equal(await page.getByRole('rowheader', { name: 'planted' }).count(), 0);
    assert.deepEqual(await page.context().cookies(base), before);
  });

  await step('on a phone-sized screen the navigation becomes a top bar', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/`);
    const nav = page.getByRole('navigation', { name: 'Main' });
    const box = await nav.boundingBox();
    const main = await page.getByRole('main').boundingBox();
    assert.ok(
      box && main && box.y < main.y && box.width > 300,
      'the navigation sits above the content, across the page',
    );
    await screenshot(page, '10-overview-narrow');
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  await step('log out, then log in again with password and TOTP code', async () => {
    await page.goto(`${base}/`);
    await submit(page, 'Log out');
    await page.waitForURL(`${base}/login?notice=logged-out`);
    await page.getByText('You are logged out.').waitFor();
    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel('Password').fill(admin.password);
    await submit(page, 'Log in');
    await page.waitForURL(`${base}/login/second-factor`);
    await screenshot(page, '11-second-factor');
    // The enrolment used this 30-second step's code; a code is accepted once, so wait for the next step.
    clock.advance(31_000);
    await page.getByLabel('Code').fill(await totp(secret));
    await submit(page, 'Continue');
    await page.waitForURL(`${base}/`);
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
  });

  await step('after 16 idle minutes the next page load goes to the log-in page', async () => {
    clock.advance(16 * 60_000);
    await page.goto(`${base}/tokens`);
    await page.waitForURL(`${base}/login?next=%2Ftokens&notice=session-ended`);
    await page.getByText('Your session has ended').waitFor();
  });

  await step('a viewer sees only their sections and gets a friendly 403 elsewhere', async () => {
    const viewerContext = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    viewerContext.setDefaultTimeout(10_000);
    const viewerPage = await viewerContext.newPage();
    await viewerPage.goto(`${base}/login`);
    await viewerPage.getByLabel('Email').fill(viewer.email);
    await viewerPage.getByLabel('Password').fill(viewer.password);
    await submit(viewerPage, 'Log in');
    await viewerPage.waitForURL(`${base}/`);
    const nav = viewerPage.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Incidents' }).waitFor();
    for (const hidden of ['Users', 'Audit', 'Bans', 'Settings', 'Backups']) {
      assert.equal(
        await nav.getByRole('link', { name: hidden, exact: true }).count(),
        0,
        `${hidden} is not offered to a viewer`,
      );
    }
    const response = await viewerPage.goto(`${base}/users`);
    assert.equal(response?.status(), 403);
    await viewerPage.getByRole('heading', { name: 'You do not have access to this' }).waitFor();
    await screenshot(viewerPage, '12-forbidden');
    await viewerContext.close();
  });
});
