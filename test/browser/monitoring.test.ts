// The monitoring pages in a real browser: an admin creates monitors through the form against a real
// loopback target, sees it up, takes the target down, acknowledges the alert, and pushes a heartbeat.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Browser } from 'playwright-core';
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
import { startHttpTarget, type Target } from '../fixtures/targets.ts';

const admin = { email: 'mona@example.com', name: 'Mona Admin', password: 'lantern-quarry-violet-73' };

test('monitoring in Chromium', async (t) => {
  const browser: Browser | undefined = await launchChromium(t);
  if (!browser) return;
  let roost: TestRoost | undefined;
  let running: RunningRoost | undefined;
  let target: Target | undefined;
  t.after(async () => {
    await browser.close();
    await running?.stop();
    await roost?.close();
    await target?.close();
  });
  target = await startHttpTarget();
  roost = await startTestRoost();
  running = await serveTestRoost(roost);
  const base = running.admin.url;
  const { clock } = roost;
  const { code } = await enrolledAdmin(roost, admin);

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const step = sequentialSteps(t);
  /** Moves the test clock on and reloads until the page shows what we wait for: the scheduler runs on real timers. */
  async function until(selector: string, advanceMs: number) {
    const deadline = Date.now() + 30_000;
    for (;;) {
      clock.advance(advanceMs);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await page.reload();
      if ((await page.locator(selector).count()) > 0) return;
      if (Date.now() > deadline) assert.fail(`timed out waiting for ${selector}`);
    }
  }

  await step('the admin logs in and opens Monitoring', async () => {
    await logIn(page, base, '/monitoring', admin, code);
    await page.getByRole('heading', { level: 1, name: 'Monitoring' }).waitFor();
    await page.getByText('There are no monitors yet.').waitFor();
  });

  await step('a bad URL is refused, naming the field', async () => {
    await page.getByLabel('Name').fill('shop API');
    await page.getByLabel('Target').fill('shop.example/health');
    await submit(page, 'Create monitor');
    await page.getByText(/settings\.url: an absolute http/).waitFor();
  });

  await step('a monitor created through the form checks a real target and shows it up', async () => {
    await page.getByLabel('Name').fill('shop API');
    await page.getByLabel('Target').fill(`${target?.url}/health`);
    await page.getByLabel('Every (seconds)').fill('30');
    await submit(page, 'Create monitor');
    await page.getByRole('heading', { level: 1, name: 'shop API' }).waitFor();
    // The scheduler re-reads monitor definitions every 10 s; the clock then makes the check due.
    await until('.panel .badge[data-state="up"]', 31_000);
    await screenshot(page, 'monitoring-monitor');
  });

  await step('the target goes down: an alert fires and is acknowledged from the page', async () => {
    await target?.down();
    const overview = `${running?.admin.url}/monitoring`;
    await page.goto(overview);
    await until('tbody .badge[data-state="firing"]', 31_000);
    await screenshot(page, 'monitoring-overview');
    await page.getByRole('button', { name: 'Acknowledge' }).first().click();
    await page.getByText(/acknowledged by mona@example\.com/).waitFor();
  });

  await step('a heartbeat monitor shows its push URL once, and a push is accepted', async () => {
    await page.goto(`${running?.admin.url}/monitoring`);
    await page.getByLabel('Name').fill('nightly backup');
    await page.getByLabel('Kind').selectOption('heartbeat');
    await submit(page, 'Create monitor');
    const url = await page.locator('.alert code').textContent();
    assert.match(url ?? '', /^\/heartbeat\/\S{20,}$/);
    const pushed = await fetch(`${running?.admin.url}${url}`);
    assert.equal(pushed.status, 200);
    assert.equal(await pushed.text(), 'ok\n');
    assert.equal((await fetch(`${running?.admin.url}/heartbeat/not-a-real-token-at-all`)).status, 404);
  });
});
