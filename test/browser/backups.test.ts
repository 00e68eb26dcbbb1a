// The restore form in a real browser, on real local stacks: an admin opens an instance's Backups page, is
// refused an in-place restore without the slug typed, then restores the newest backup into a new production
// instance: with a second factor older than 5 minutes the form asks for a current code inline (an expired one
// queues nothing), and the current one queues the restore in the same submission; the restore's page (which
// reloads itself) follows it to its success.
import assert from 'node:assert/strict';
import { chmodSync, existsSync } from 'node:fs';
import { test } from 'node:test';
import type { Browser } from 'playwright-core';
import { localActor } from '../../src/auth/index.ts';
import { listBackups, runBackup } from '../../src/backups/index.ts';
import type { InstanceDeps } from '../../src/instances/index.ts';
import { apiDepsOf, type RunningRoost } from '../../src/main.ts';
import {
  enrolledAdmin,
  launchChromium,
  logIn,
  screenshot,
  sequentialSteps,
  submit,
} from '../fixtures/browser.ts';
import { createRunningInstance, instancePsql, uniqueSlug } from '../fixtures/instances.ts';
import { serveTestRoost, startTestRoost, type TestRoost } from '../fixtures/roost.ts';
import { until } from '../fixtures/wait.ts';

const admin = { email: 'rita@example.com', name: 'Rita Restore', password: 'granite-orchard-signal-31' };
const slug = uniqueSlug('shop');
const into = uniqueSlug('copy');

test('restoring a backup from the Backups page in Chromium', { timeout: 400_000 }, async (t) => {
  for (const binary of ['/usr/lib/postgresql/15/bin/initdb', '/usr/bin/redis-server']) {
    assert.ok(existsSync(binary), `${binary} is missing (run scripts/setup-system)`);
  }
  const browser: Browser | undefined = await launchChromium(t);
  if (!browser) return;
  let roost: TestRoost | undefined;
  let running: RunningRoost | undefined;
  t.after(async () => {
    await browser.close();
    // Before the store closes: the runtime finds each instance's driver in it.
    for (const name of [slug, into]) await roost?.roost.runtime.remove(name).catch(() => {});
    await running?.stop();
    await roost?.close();
  });

  const testRoost = await startTestRoost();
  roost = testRoost;
  chmodSync(roost.directory, 0o711); // the postgres and redis users traverse it to reach their own directories
  running = await serveTestRoost(roost);
  const base = running.admin.url;

  // The source: a running instance with data and a verified backup, made through the operations.
  const local = localActor(roost.clock);
  const deps: InstanceDeps = { ...apiDepsOf(roost.roost), lifecycle: roost.roost.lifecycle };
  await createRunningInstance(deps, local, { slug, customer: 'Acme Shop', environment: 'staging' });
  await instancePsql(
    roost,
    slug,
    "create table orders (id int primary key, item text); insert into orders select g, 'order ' || g from generate_series(1, 250) g;",
  );
  const backups = testRoost.roost.backups;
  const queued = await runBackup(backups, local, { slug });
  await until(`backup ${queued.id}`, async () => {
    const found = (await listBackups(backups, local, { slug })).find((backup) => backup.id === queued.id);
    if (found?.state === 'failed') assert.fail(`backup failed: ${found.error}`);
    return found?.state === 'succeeded' ? found : undefined;
  });

  // After the backup: enrolling moves the test clock ahead of the real one, and gpg refuses a key made
  // "in the future".
  const { code } = await enrolledAdmin(testRoost, admin);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const step = sequentialSteps(t);

  let loginCode = '';
  await step('the admin opens the Backups page and goes to the instance', async () => {
    await logIn(page, base, '/backups', admin, async () => {
      loginCode = await code();
      return loginCode;
    });
    await screenshot(page, 'backups-overview');
    await page.getByRole('link', { name: 'Restore…' }).click();
    await page.waitForURL(`${base}/backups/${slug}#restore`);
    await page.getByRole('heading', { level: 1, name: `Backups of ${slug}` }).waitFor();
    assert.match(
      (await page.getByLabel('Backup', { exact: true }).locator('option:checked').textContent()) ?? '',
      new RegExp(`newest · ${queued.id}$`),
      'the newest verified backup is chosen',
    );
    await page.getByText('No restore yet.').waitFor();
    await screenshot(page, 'backups-restore-form');
  });

  await step('an in-place restore without the slug typed is refused and queues nothing', async () => {
    await page.getByRole('radio', { name: /^In place/ }).check();
    await submit(page, 'Start restore');
    await page.getByText(`Type ${slug} exactly to restore it in place; nothing was restored.`).waitFor();
    assert.equal(await page.getByLabel(`Type ${slug} to confirm`).getAttribute('aria-invalid'), 'true');
    assert.equal(
      await page.getByRole('radio', { name: /^In place/ }).isChecked(),
      true,
      'the choice is kept',
    );
    await page.getByText('No restore yet.').waitFor();
  });

  const codeField = () => page.getByLabel('Code from your authenticator app');
  await step(
    'into production with a second factor older than 5 minutes, the form asks for a code',
    async () => {
      testRoost.clock.advance(6 * 60_000);
      await page.goto(`${base}/backups/${slug}`);
      assert.equal(await codeField().count(), 0, 'a staging instance does not ask up front');
      await page.getByRole('radio', { name: /^Into a new instance/ }).check();
      await page.getByLabel('New instance slug').fill(into);
      await page.getByLabel('Its environment').selectOption('production');
      await submit(page, 'Start restore');
      await page
        .getByText(
          'Restoring into a production instance needs a second-factor code entered in the last 5 minutes',
        )
        .waitFor();
      await codeField().waitFor();
      assert.equal(await codeField().getAttribute('aria-invalid'), 'true');
      assert.equal(await page.getByRole('radio', { name: /^Into a new instance/ }).isChecked(), true);
      assert.equal(await page.getByLabel('New instance slug').inputValue(), into, 'the choices are kept');
      assert.equal(await page.getByLabel('Its environment').inputValue(), 'production');
      await page.getByText('No restore yet.').waitFor();
      await screenshot(page, 'backups-restore-step-up');
    },
  );

  await step('an expired code (the one of the log-in) is refused and queues nothing', async () => {
    await codeField().fill(loginCode);
    await submit(page, 'Start restore');
    await page.getByText('That code was not accepted: it is wrong, expired or already used.').waitFor();
    await codeField().waitFor();
    assert.equal(await page.getByLabel('New instance slug').inputValue(), into);
    await page.getByText('No restore yet.').waitFor();
    await screenshot(page, 'backups-restore-step-up-refused');
  });

  await step(
    'the current code queues the restore in the same submission; its page follows it to success',
    async () => {
      await codeField().fill(await code());
      await submit(page, 'Start restore');
      await page.waitForURL(new RegExp(`/backups/${slug}/restores/rst_\\w+\\?notice=queued$`));
      await page.getByText('The restore is queued').waitFor();
      await screenshot(page, 'backups-restore-running');
      await page.locator('h1 [data-restore-state="succeeded"]').waitFor({ timeout: 300_000 });
      await page.getByText('The restore succeeded').waitFor();
      assert.match(
        (await page.locator('#restore-outcome').textContent()) ?? '',
        new RegExp(`was restored into ${into}: the row counts match`),
      );
      assert.match(
        (await page.locator('dt:text-is("Into") + dd').textContent()) ?? '',
        new RegExp(`new instance ${into} \\(production, local\\)`),
      );
      const orders = page.getByRole('row', { name: /public\.orders/ });
      assert.match((await orders.textContent()) ?? '', /250\s*250/);
      await screenshot(page, 'backups-restore-succeeded');
      assert.equal(await instancePsql(testRoost, into, 'select count(*) from orders'), '250');
      const verified = await testRoost.roost.audit.list({ action: 'second-factor.verify' });
      assert.deepEqual(
        verified.slice(0, 2).map((event) => event.result),
        ['ok', 'failed'],
        'the expired code, then the current one, as log-in codes are',
      );
    },
  );

  await step("the instance's Backups page lists the restore", async () => {
    await page.getByRole('link', { name: `← Backups of ${slug}` }).click();
    const row = page.getByRole('row', { name: new RegExp(into) });
    await row.locator('[data-restore-state="succeeded"]').waitFor();
    assert.match((await row.textContent()) ?? '', new RegExp(admin.email));
    await screenshot(page, 'backups-instance-page');
  });
});
