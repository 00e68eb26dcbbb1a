// The incident pages and a public status page in Debian's Chromium: an account manager adds the customer's
// contact, opens an incident with hostile text through the form, sends the customer notice, posts updates,
// resolves it; the status page (no JavaScript) shows the outage, light and dark, then the history; the
// post-mortem draft is filled from the logbook and downloads as PDF, and once published it has a public page
// and PDF; an alert opens an incident in one click.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Browser } from 'playwright-core';
import { createUser, localActor } from '../../src/auth/index.ts';
import { apiDepsOf, type RunningRoost } from '../../src/main.ts';
import { createMonitor } from '../../src/monitoring/index.ts';
import { addComponent, configureStatusPage, insertInstanceRow } from '../../src/status/index.ts';
import { launchChromium, screenshot, sequentialSteps, submit } from '../fixtures/browser.ts';
import { accessDepsOf, serveTestRoost, startTestRoost, type TestRoost } from '../fixtures/roost.ts';
import { startSmtp, type TestSmtp } from '../fixtures/smtp.ts';

/** What the bar check reads in the page (the DOM's own types are not part of this project's build). */
interface BarRow {
  clientWidth: number;
  children: ArrayLike<{ getBoundingClientRect(): { width: number } }>;
}
interface BarStyle {
  flexGrow: string;
  backgroundSize: string;
}

const manager = { email: 'lea@example.com', name: 'Léa Manager', password: 'amber-lantern-orbit-73' };
const slug = `shop-${Math.random().toString(36).slice(2, 8)}`;
const hostileTitle = 'Checkout fails <img src=x onerror=alert(1)>';
const hostileBody = 'Payments time out. <script>alert("xss")</script> [details](javascript:alert(2))';

test('incident pages and a status page in Chromium', async (t) => {
  const browser: Browser | undefined = await launchChromium(t);
  if (!browser) return;
  let roost: TestRoost | undefined;
  let running: RunningRoost | undefined;
  let smtp: TestSmtp | undefined;
  t.after(async () => {
    await browser.close();
    await running?.stop();
    await roost?.close();
    await smtp?.close();
  });

  smtp = await startSmtp();
  const mails = smtp;
  roost = await startTestRoost({
    ROOST_STATUS_DOMAIN: 'example.test',
    ROOST_SMTP_HOST: smtp.host,
    ROOST_SMTP_PORT: String(smtp.port),
    ROOST_SMTP_IGNORE_TLS: 'true',
    ROOST_SMTP_FROM: 'status@example.test',
    ROOST_MONITORING_ENABLED: 'false',
  });
  const { clock } = roost;
  const _now = clock.now().getTime();
  await insertInstanceRow(roost.roost.store, clock, slug, 'Shop & Co');
  const deps = apiDepsOf(roost.roost);
  const local = localActor(clock);
  await configureStatusPage(deps, local, { slug, name: 'Shop & Co' });
  // What monitoring leaves, written by the test (monitoring itself is off): each component's monitor is up,
  // after 89 days of roll-ups with a few bad days.
  const day = 86_400_000;
  const today = Math.floor(clock.now().getTime() / day) * day;
  const monitors: Record<string, string> = {};
  for (const name of ['API', 'Login', 'Database', 'Cache']) {
    const { monitor } = await createMonitor(deps, local, {
      name: `${name} probe`,
      kind: 'http',
      settings: { url: 'http://127.0.0.1:9/' },
      intervalSeconds: 60,
      retries: 0,
    });
    monitors[name] = monitor.id;
    await roost.roost.store.db
      .insertInto('check_rollups')
      .values(
        Array.from({ length: 89 }, (_, back) => ({
          monitor_id: monitor.id,
          granularity: 'day',
          bucket: today - (back + 1) * day,
          checks: 1_440,
          failures: back % 17 === 5 ? 60 : back % 29 === 11 ? 10 : 0,
          latency_sum: 1_440 * 20,
          latency_max: 80,
        })),
      )
      .execute();
    await addComponent(deps, local, { slug, name, monitors: [monitor.id] });
  }
  const monitorState = (name: string, state: 'up' | 'down') =>
    roost?.roost.store.db
      .updateTable('monitors')
      .set({ state })
      .where('id', '=', monitors[name] ?? '')
      .execute();
  await monitorState('API', 'up');
  await createUser(accessDepsOf(roost.roost), local, { ...manager, role: 'account-manager' });
  running = await serveTestRoost(roost);
  const admin = running.admin.url;
  const status = `${running.status.url}/s/${slug}`;

  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  page.on('dialog', (dialog) => assert.fail(`a script ran: ${dialog.message()}`));
  // The public page needs no script: read it with JavaScript off.
  const publicContext = await browser.newContext({
    viewport: { width: 1000, height: 900 },
    javaScriptEnabled: false,
  });
  const publicPage = await publicContext.newPage();
  let incidentPath = '';
  const step = sequentialSteps(t);

  await step("the account manager logs in and adds the customer's contact", async () => {
    await page.goto(`${admin}/status-pages/${slug}`);
    await page.getByLabel('Email').fill(manager.email);
    await page.getByLabel('Password').fill(manager.password);
    await submit(page, 'Log in');
    await page.waitForURL(`${admin}/status-pages/${slug}`);
    await page.getByText('none assigned: every account manager is told').waitFor();
    await page.getByLabel('Contact email').fill('it@shop.example');
    await page.getByLabel('Contact name').fill('Shop IT <b>desk</b>');
    await submit(page, 'Add contact');
    await page.waitForURL(`${admin}/status-pages/${slug}?notice=contact#contacts`);
    await page
      .getByRole('row', { name: /it@shop\.example/ })
      .getByText('incidents, postmortems, maintenances')
      .waitFor();
    assert.equal(await page.locator('main b').count(), 0, 'names are text');
  });

  await step('the account manager opens an incident with hostile text and tells the customer', async () => {
    await page.goto(`${admin}/incidents`);
    await page.getByRole('heading', { level: 1, name: 'Incidents' }).waitFor();
    await monitorState('API', 'down');
    await page.getByLabel('Title').fill(hostileTitle);
    await page.getByLabel('Severity').selectOption('critical');
    await page.getByLabel('Affected instances').fill(slug);
    await page.getByLabel('What is going on').fill(hostileBody);
    await page
      .getByLabel('First public update (optional)')
      .fill(`We are investigating failed payments. ${hostileBody}`);
    await submit(page, 'Open incident');
    await page.waitForURL(/\/incidents\/inc_\w+\?notice=created/);
    incidentPath = new URL(page.url()).pathname;
    await page.getByRole('heading', { level: 1, name: /Checkout fails/ }).waitFor();
    assert.equal(await page.locator('main script, main img[src="x"]').count(), 0);
    assert.match((await page.locator('[data-field="whatIsGoingOn"]').innerHTML()) ?? '', /&lt;script&gt;/);
    // R24: the message for the customer is drafted, editable, and sent in one action.
    await page.getByRole('heading', { name: 'Tell the customer' }).waitFor();
    const message = page.getByLabel('Message to the customer');
    const draft = await message.inputValue();
    assert.match(draft, /^Hello Shop & Co,/);
    await screenshot(page, 'incident-opened');
    await message.fill(draft.replace(/Estimated resolution: .*/, 'Estimated resolution: within the hour.'));
    await submit(page, 'Send to the customer');
    await page.waitForURL(/\?notice=notice-sent/);
    const sent = await mails.waitFor((mail) => mail.to.includes('it@shop.example'));
    assert.match(sent.text, /Estimated resolution: within the hour\./);
    assert.doesNotMatch(sent.html, /<script>/);
    await page.getByText(/Customer notice sent to Shop & Co \(it@shop\.example\)/).waitFor();
  });

  await step(
    'the status page shows the outage and the incident within seconds, without JavaScript',
    async () => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        await publicPage.goto(`${status}/`);
        if ((await publicPage.getByText('Major System Outage').count()) > 0) break;
        if (Date.now() > deadline) assert.fail('the status page did not show the outage within 10 s');
        await publicPage.waitForTimeout(250);
      }
      await publicPage.getByRole('heading', { name: 'Active incidents' }).waitFor();
      await publicPage.getByText('We are investigating failed payments.').waitFor();
      assert.equal(await publicPage.locator('script, img[src="x"]').count(), 0);
      // Each component shows 90 days; a run of alike days is one bar, as wide as its days, with each day
      // drawn one ninetieth of the row wide.
      const rows = await publicPage.locator('.bars').evaluateAll((elements) =>
        elements.map((element) => {
          const row = element as unknown as BarRow;
          const style = (globalThis as unknown as { getComputedStyle: (of: unknown) => BarStyle })
            .getComputedStyle;
          return Array.from(row.children, (bar) => ({
            days: Number(style(bar).flexGrow),
            width: (bar.getBoundingClientRect().width * 90) / row.clientWidth,
            tile: (Number.parseFloat(style(bar).backgroundSize) * 90) / row.clientWidth,
          }));
        }),
      );
      assert.equal(rows.length, 4);
      for (const row of rows) {
        assert.equal(
          row.reduce((sum, bar) => sum + bar.days, 0),
          90,
        );
        for (const bar of row) {
          assert.ok(
            Math.abs(bar.width - bar.days) < 0.05,
            `a bar of ${bar.days} days is ${bar.width} days wide`,
          );
          assert.ok(Math.abs(bar.tile - 1) < 0.01, `a day is drawn ${bar.tile} days wide`);
        }
      }
      await publicPage.emulateMedia({ colorScheme: 'light' });
      await screenshot(publicPage, 'status-page-outage-light');
      await publicPage.emulateMedia({ colorScheme: 'dark' });
      await screenshot(publicPage, 'status-page-outage-dark');
    },
  );

  await step(
    'updates and the resolution go to the timeline; the post-mortem draft is filled from the logbook',
    async () => {
      clock.advance(4 * 60_000); // sessions end after 15 idle minutes: stay under
      await page.getByLabel('Entry').fill('Payment provider timeouts; retries raised.');
      await page.getByLabel('Move the incident to').selectOption('identified');
      await page.getByLabel('Public update: status pages and subscribers').check();
      await submit(page, 'Add entry');
      await page.waitForURL(`${admin}${incidentPath}?notice=added`);
      await page.getByLabel('How we understood it').fill('Provider latency rose above our 2 s timeout.');
      await page.getByLabel('What we did').fill('Raised the timeout to 5 s and added retries.');
      await page.getByLabel('The impacts').fill('About 40 failed checkouts in 14 minutes.');
      await page.getByLabel('How to avoid it next time').fill('Alert on provider latency.');
      await submit(page, 'Save logbook');
      await page.waitForURL(`${admin}${incidentPath}?notice=updated`);
      clock.advance(10 * 60_000);
      await monitorState('API', 'up');
      await page.getByLabel('Entry').fill('Payments work again.');
      await page.getByLabel('Move the incident to').selectOption('resolved');
      await page.getByLabel('Public update: status pages and subscribers').check();
      await submit(page, 'Add entry');
      await page.getByRole('heading', { name: 'Post-mortem draft' }).waitFor();
      const draft = await page.locator('#postmortem').textContent();
      assert.match(draft ?? '', /How to avoid it next time\s*Alert on provider latency\./);
      assert.match(draft ?? '', /after 14 min/);
      await screenshot(page, 'incident-resolved');
      await submit(page, 'Publish the post-mortem');
      await page.getByRole('heading', { name: 'Post-mortem (published)' }).waitFor();
      const pdf = await page.request.get(`${admin}${incidentPath}/postmortem/pdf`);
      assert.equal(pdf.headers()['content-type'], 'application/pdf');
      assert.equal((await pdf.body()).subarray(0, 5).toString('latin1'), '%PDF-');
      // The customer contact gets the published post-mortem with the PDF attached.
      const mailed = await mails.waitFor(
        (mail) => mail.to.includes('it@shop.example') && /^Post-mortem/.test(mail.subject),
      );
      assert.equal(mailed.attachments[0]?.contentType, 'application/pdf');
    },
  );

  await step(
    'the history page shows the incident; the logbook finds it; an unknown page is a plain 404',
    async () => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        await publicPage.goto(`${status}/`);
        if ((await publicPage.getByText('All Systems Operational').count()) > 0) break;
        if (Date.now() > deadline) assert.fail('the status page did not return to operational');
        await publicPage.waitForTimeout(250);
      }
      await publicPage.emulateMedia({ colorScheme: 'light' });
      await screenshot(publicPage, 'status-page-operational');
      await publicPage.getByRole('link', { name: 'Incident history' }).click();
      await publicPage.locator('.update').getByText('Payments work again.').waitFor();
      await publicPage.getByText('Post-mortem', { exact: true }).click();
      await publicPage.getByText('Alert on provider latency.').waitFor();
      await screenshot(publicPage, 'status-page-history');
      // The post-mortem on its own page, with the PDF printed when it was published (a job; poll for it).
      const pdfLink = publicPage.getByRole('link', { name: 'PDF', exact: true });
      const linked = Date.now() + 20_000;
      while ((await pdfLink.count()) === 0) {
        if (Date.now() > linked) assert.fail('the history page did not link the post-mortem PDF');
        await publicPage.waitForTimeout(250);
        await publicPage.reload();
      }
      await publicPage.getByRole('link', { name: 'Read the post-mortem' }).click();
      await publicPage.getByText('Alert on provider latency.').waitFor();
      await screenshot(publicPage, 'status-page-postmortem');
      const pdfHref = await publicPage.getByRole('link', { name: 'Download as PDF' }).getAttribute('href');
      const publicPdf = await publicPage.request.get(new URL(pdfHref ?? '', publicPage.url()).href);
      assert.equal(publicPdf.headers()['content-type'], 'application/pdf');
      assert.equal((await publicPdf.body()).subarray(0, 5).toString('latin1'), '%PDF-');
      await page.goto(`${admin}/incidents?q=provider`);
      await page.getByRole('link', { name: /Checkout fails/ }).waitFor();
      await screenshot(page, 'incidents-logbook');
      // Components are managed from the admin pages too; a status set by hand reaches the public page.
      await page.goto(`${admin}/status-pages/${slug}`);
      const login = page.getByRole('row', { name: /Login/ });
      await login.getByLabel('Status').selectOption('degraded_performance');
      await login.getByRole('button', { name: 'Save' }).click();
      await page.waitForURL(`${admin}/status-pages/${slug}?notice=status`);
      await screenshot(page, 'status-pages-admin');
      const until = Date.now() + 10_000;
      for (;;) {
        await publicPage.goto(`${status}/`);
        if ((await publicPage.getByText('Degraded System Performance').count()) > 0) break;
        if (Date.now() > until) assert.fail('the public page did not show the status set by hand');
        await publicPage.waitForTimeout(250);
      }
      const missing = await publicPage.goto(`${running?.status.url}/s/no-such-page/`);
      assert.equal(missing?.status(), 404);
      await publicPage.getByRole('heading', { name: 'No status page here' }).waitFor();
    },
  );

  await step('an alert opens an incident in one click, once', async () => {
    const instance = await roost?.roost.store.db
      .selectFrom('instances')
      .select('id')
      .where('slug', '=', slug)
      .executeTakeFirstOrThrow();
    await roost?.roost.conditions.report({
      source: 'backups',
      key: `${instance?.id}:backup-failed`,
      instanceId: instance?.id ?? null,
      severity: 'critical',
      summary: `Backups of ${slug} failed 3 times`,
      active: true,
    });
    const alert = await roost?.roost.store.db.selectFrom('alerts').select('id').executeTakeFirstOrThrow();
    await page.goto(`${admin}/monitoring/alerts/${alert?.id}`);
    await submit(page, 'Open an incident');
    await page.waitForURL(/\/incidents\/inc_\w+\?notice=from-alert/);
    const opened = new URL(page.url()).pathname;
    await page.getByRole('heading', { level: 1, name: `Backups of ${slug} failed 3 times` }).waitFor();
    await page.getByText(`Alert ${alert?.id} (firing, critical)`).waitFor();
    await screenshot(page, 'incident-from-alert');
    await page.goto(`${admin}/monitoring/alerts/${alert?.id}`);
    await submit(page, 'Open an incident');
    await page.waitForURL(/\?notice=already-open/);
    assert.equal(new URL(page.url()).pathname, opened);
  });
});
