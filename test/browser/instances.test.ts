// The instances pages in a real browser, on one real local stack: an admin logs in (password, then a TOTP
// code), creates an instance through the form, watches it come up, scales it and decommissions it.
import assert from 'node:assert/strict';
import { chmodSync, existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { RunningRoost } from '../../src/main.ts';
import {
  enrolledAdmin,
  launchChromium,
  logIn,
  screenshot,
  sequentialSteps,
  submit,
} from '../fixtures/browser.ts';
import { serveTestRoost, startTestRoost, type TestRoost } from '../fixtures/roost.ts';

const admin = { email: 'ines@example.com', name: 'Ines Admin', password: 'copper-kettle-window-58' };
const slug = `shop-${Math.random().toString(36).slice(2, 8)}`;
const stackTimeout = 180_000;

/** The state badge of the summary, once the page (which reloads itself while busy) shows `state`. */
async function waitForState(page: Page, state: string): Promise<void> {
  await page.locator(`.facts dd .badge[data-state="${state}"]`).waitFor({ timeout: stackTimeout });
}

test('instances in Chromium on the local runtime', async (t) => {
  for (const binary of ['/usr/lib/postgresql/15/bin/initdb', '/usr/bin/redis-server']) {
    assert.ok(existsSync(binary), `${binary} is missing (run scripts/setup-system)`);
  }
  const browser: Browser | undefined = await launchChromium(t);
  if (!browser) return;
  let roost: TestRoost | undefined;
  let running: RunningRoost | undefined;
  t.after(async () => {
    await browser.close();
    await running?.stop();
    await roost?.roost.runtime.remove(slug).catch(() => {});
    await roost?.close();
  });

  roost = await startTestRoost();
  chmodSync(roost.directory, 0o711); // the postgres and redis users traverse it to reach their own directories
  running = await serveTestRoost(roost);
  const base = running.admin.url;
  const { clock } = roost;
  const { code } = await enrolledAdmin(roost, admin);

  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const instancePath = `${base}/instances/${slug}`;
  const started = Date.now();
  const step = sequentialSteps(t);

  await step('the admin logs in with password and code and opens Instances', async () => {
    await logIn(page, base, '/instances', admin, code);
    await page.getByRole('heading', { level: 1, name: 'Instances' }).waitFor();
    await page.getByText('There are no instances yet.').waitFor();
  });

  await step('bad input is refused on its field and creates nothing', async () => {
    await page.getByLabel('Slug').fill('Bad_Slug');
    await page.getByLabel('Customer').fill('Acme Shop');
    await submit(page, 'Create instance');
    await page.locator('#field-slug-error').waitFor();
    assert.equal(await page.getByLabel('Slug').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.getByLabel('Customer').inputValue(), 'Acme Shop', 'the other fields are kept');
    await page.getByText('There are no instances yet.').waitFor();
  });

  await step('an instance is created through the form and comes up running and healthy', async () => {
    await page.getByLabel('Slug').fill(slug);
    await page.getByLabel('Environment').selectOption('preprod');
    await page.getByLabel('API replicas').fill('1');
    await submit(page, 'Create instance');
    await page.waitForURL(`${instancePath}?notice=provisioning`);
    await page.getByText('Provisioning runs in the background').waitFor();
    await waitForState(page, 'running');
    await page.locator('.facts dd .badge[data-state="healthy"]').waitFor();
    t.diagnostic(`create → running in the browser in ${Date.now() - started} ms`);
    await page.getByText('Nothing is isolated.').waitFor();
    await page.getByRole('rowheader', { name: 'create' }).waitFor();
    assert.equal(await page.locator('tbody .badge[data-state="succeeded"]').count(), 1);
    await screenshot(page, 'instances-page');

    await page.goto(`${base}/instances`);
    const row = page.getByRole('row', { name: new RegExp(slug) });
    await row.locator('.badge[data-state="running"]').waitFor();
    await row.locator('.badge[data-state="healthy"]').waitFor();
    await row.getByText('no isolation').waitFor();
    assert.match((await row.textContent()) ?? '', /1 \/ 1/);
    await screenshot(page, 'instances-list');
  });

  await step('scaling to 2 through the form runs 2 API replicas', async () => {
    await page.getByRole('link', { name: slug }).click();
    await page.waitForURL(instancePath);
    clock.advance(60_000); // distinct times in the operations table
    await page.getByLabel('API replicas').fill('2');
    await submit(page, 'Scale');
    await page.waitForURL(`${instancePath}?notice=scaling`);
    // Usually caught while the job runs: the page then says so and reloads itself.
    await screenshot(page, 'instances-operation');
    await page.locator('tbody .badge[data-state="succeeded"]').nth(1).waitFor({ timeout: stackTimeout });
    await waitForState(page, 'running');
    const api = page.getByRole('row', { name: /^api\b/ });
    assert.match((await api.textContent()) ?? '', /2 \/ 2/);
    assert.equal(await page.locator('main ul li code').count(), 2, 'two API endpoints');
  });

  await step('decommissioning asks for the slug, then leaves a tombstone', async () => {
    clock.advance(60_000);
    await page.getByRole('link', { name: `Decommission ${slug}…` }).click();
    await page.waitForURL(`${instancePath}/decommission`);
    await page.getByRole('heading', { level: 1, name: `Decommission ${slug}?` }).waitFor();
    await screenshot(page, 'instances-decommission-confirm');
    await page.getByLabel(`Type ${slug} to confirm`).fill('not-the-slug');
    await submit(page, `Decommission ${slug}`);
    await page.getByText('nothing was changed').waitFor();
    await page.getByLabel(`Type ${slug} to confirm`).fill(slug);
    await submit(page, `Decommission ${slug}`);
    await page.waitForURL(`${instancePath}?notice=decommissioning`);
    await waitForState(page, 'decommissioned');
    await page.getByText('Nothing runs: the instance is decommissioned.').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Scale' }).count(), 0, 'no actions on a tombstone');
    assert.equal(existsSync(path.join(roost?.directory ?? '', 'runtime', slug)), false);
    await screenshot(page, 'instances-tombstone');
    await page.goto(`${base}/instances`);
    await page
      .getByRole('row', { name: new RegExp(slug) })
      .locator('.badge[data-state="decommissioned"]')
      .waitFor();
    t.diagnostic(`whole walk-through in ${Date.now() - started} ms`);
  });
});
