// The weekly report job fires Monday 08:00 Paris on a test clock, across the week DST starts
// (2026-W13: Monday 23 March to Sunday 29 March, 167 hours), and mails a real SMTP server the week's
// uptime, incidents, p50/p95, slowest checks, the trend against W12 and an inline SVG chart.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { localActor } from '../src/auth/index.ts';
import { sessionCookie } from '../src/http/middleware/actor.ts';
import { createIncident } from '../src/incidents/index.ts';
import { apiDepsOf, createAdminAppFor, type RunningRoles, serveRoostRoles } from '../src/main.ts';
import { createMonitor } from '../src/monitoring/index.ts';
import { sendWeeklyReports, weeklyReportQueue } from '../src/monitoring/reports/index.ts';
import { writeChecks } from '../src/monitoring/results.ts';
import { addNode } from '../src/nodes/index.ts';
import { insertInstanceRow } from '../src/status/instance-row.ts';
import { waitFor } from './fixtures/jobs.ts';
import { enrolledSession, startTestRoost, type TestRoost, tokenFor, userWithRole } from './fixtures/roost.ts';
import { startSmtp, type TestSmtp } from './fixtures/smtp.ts';

const hour = 3_600_000;
// W13 in Paris: Monday 2026-03-23 00:00 CET (23:00 UTC the day before) to Monday 2026-03-30 00:00 CEST.
const w13 = { from: Date.parse('2026-03-22T23:00:00Z'), to: Date.parse('2026-03-29T22:00:00Z') };
const w12 = { from: Date.parse('2026-03-15T23:00:00Z'), to: w13.from };

describe('weekly report', () => {
  let test: TestRoost;
  let smtp: TestSmtp;
  let running: RunningRoles;
  const slug = `acme-${Math.random().toString(36).slice(2, 8)}`;

  before(async () => {
    smtp = await startSmtp();
    test = await startTestRoost({
      ROOST_SMTP_HOST: smtp.host,
      ROOST_SMTP_PORT: String(smtp.port),
      ROOST_SMTP_IGNORE_TLS: 'true',
      ROOST_TIME_ZONE: 'Europe/Paris',
      ROOST_MONITORING_REPORT_RECIPIENTS: 'ops@example.com',
    });
    const { roost, clock } = test;
    clock.set('2026-03-15T12:00:00Z');
    const instanceId = await insertInstanceRow(roost.store, clock, slug, 'Acme SA');
    const manager = await userWithRole(roost, 'account-manager', `am-${slug}@example.com`);
    assert.ok(manager);
    const local = localActor(clock);
    const api = await createMonitor(roost, local, {
      name: `${slug} API`,
      kind: 'http',
      settings: { url: 'http://127.0.0.1:9/status' },
      instanceId,
    });
    const status = await createMonitor(roost, local, {
      name: `${slug} app status`,
      kind: 'app_status',
      settings: { url: 'http://127.0.0.1:9/status' },
      instanceId,
    });
    // W12: every hour answers in 50 ms. W13: 100 ms, two failures, one slow hour on the app status.
    const checks = [];
    for (let at = w12.from + hour / 2; at < w12.to; at += hour)
      checks.push({ monitorId: api.monitor.id, at, ok: true, latencyMs: 50, message: 'ok' });
    let index = 0;
    for (let at = w13.from + hour / 2; at < w13.to; at += hour, index++)
      checks.push({ monitorId: api.monitor.id, at, ok: index % 100 !== 7, latencyMs: 100, message: 'ok' });
    checks.push({
      monitorId: status.monitor.id,
      at: Date.parse('2026-03-25T10:10:00Z'),
      ok: true,
      latencyMs: 1_800,
      message: 'ok',
    });
    await writeChecks(roost.store.db, checks, []);
    clock.set('2026-03-25T09:00:00Z');
    await createIncident(apiDepsOf(roost), local, {
      title: 'Database failover',
      severity: 'major',
      instances: [slug],
    });
    clock.set('2026-03-29T12:00:00Z'); // Sunday, DST started at 02:00 this morning
    running = await serveRoostRoles(roost, ['worker']);
  });
  after(async () => {
    await running?.stop();
    await test?.close();
    await smtp?.close();
  });

  it('fires Monday 08:00 Paris (06:00 UTC in summer time) and mails the week', async () => {
    const { roost, clock } = test;
    clock.set('2026-03-30T05:59:59Z');
    await roost.jobs.tick();
    assert.deepEqual(await roost.jobs.list({ queue: weeklyReportQueue }), [], 'not before 08:00 Paris');
    clock.set('2026-03-30T06:00:00Z');
    await roost.jobs.tick();
    const [job] = await roost.jobs.list({ queue: weeklyReportQueue });
    assert.equal(job?.runAt.toISOString(), '2026-03-30T06:00:00.000Z');
    const mail = await smtp.waitFor((m) => m.subject.includes(slug));
    const text = mail.text.replace(/\r\n/g, '\n');
    assert.equal(mail.subject, `Weekly report 2026-W13: ${slug} (Acme SA)`);
    assert.deepEqual(mail.to.sort(), [`am-${slug}@example.com`, 'ops@example.com']);
    // 167 hourly checks of the API (2 failed) and one of the app status.
    assert.match(text, /Uptime +98\.810 % \(168 checks, 2 failed\); -1\.190 points against 2026-W12/);
    // All of W13's API answers sit in the (90, 105] ms bin: p50 = 97.5, p95 = 104.25; W12's p95 54.6.
    assert.match(text, /p50 98 ms, p95 104 ms; p95 \+49 ms \(slower\) against 2026-W12/);
    assert.match(text, /Incidents +1\n +- \[major\] Database failover \(Wed 25 Mar 10:00\)/);
    assert.match(
      text,
      new RegExp(`Slowest checks\\n  - ${slug} app status: 1800 ms \\(hour of Wed 25 Mar 11:00\\)`),
    );
    assert.match(mail.html, /<svg[^>]*role="img"/);
    assert.equal((mail.html.match(/<rect /g) ?? []).length, 7, 'a bar per day');
    await waitFor(
      () => roost.jobs.get(job?.id ?? ''),
      (record) => record?.state === 'succeeded',
      { what: 'the report job to finish' },
    );
    // Once per instance and week: the same run again mails nothing.
    const mails = smtp.mails.length;
    const again = await sendWeeklyReports(
      {
        store: roost.store,
        clock: roost.clock,
        audit: roost.audit,
        mailer: roost.mailer,
        timeZone: 'Europe/Paris',
        recipients: ['ops@example.com'],
      },
      Date.parse('2026-03-30T06:00:00Z'),
    );
    assert.equal(again.week, '2026-W13');
    assert.equal(again.sent, 0);
    const sent = await roost.store.db.selectFrom('monitoring_reports').selectAll().execute();
    assert.equal(sent.filter((row) => row.week === '2026-W13').length, 1);
    assert.equal(smtp.mails.length, mails);
    // The schedule stays on 08:00 Paris: next Monday is also 06:00 UTC.
    const schedule = await roost.store.db
      .selectFrom('job_schedules')
      .select('next_run_at')
      .where('name', '=', 'monitoring:weekly-report')
      .executeTakeFirstOrThrow();
    assert.equal(new Date(Number(schedule.next_run_at)).toISOString(), '2026-04-06T06:00:00.000Z');
  });

  it('serves the same report through the API, for any week', async () => {
    const { roost } = test;
    const app = createAdminAppFor(roost);
    const token = await tokenFor(roost, await userWithRole(roost, 'operator'));
    const get = (query: string) =>
      app.request(`/api/v1/instances/${slug}/reports/weekly${query}`, {
        headers: { authorization: `Bearer ${token}` },
      });
    const response = await get('?week=2026-W13');
    assert.equal(response.status, 200);
    const body = (await response.json()) as {
      report: { current: { p50Ms: number; p95Ms: number; checks: number }; from: number; to: number };
    };
    assert.deepEqual(
      { ...body.report.current, from: body.report.from, to: body.report.to },
      { checks: 168, failures: 2, uptime: 166 / 168, p50Ms: 98, p95Ms: 104, ...w13 },
    );
    const previous = (await (await get('?week=2026-W12')).json()) as { report: { current: unknown } };
    assert.deepEqual(previous.report.current, { checks: 168, failures: 0, uptime: 1, p50Ms: 51, p95Ms: 55 });
    // The UI page of the same week, with its chart.
    const cookie = `${sessionCookie}=${await enrolledSession(test.roost, 'operator')}`;
    const page = await app.request(`/monitoring/reports/${slug}?week=2026-W13`, { headers: { cookie } });
    assert.equal(page.status, 200);
    const pageHtml = await page.text();
    assert.match(pageHtml, /98\.810 %/);
    assert.match(pageHtml, /<svg[^>]*role="img"/);
    assert.match(pageHtml, /Database failover/);
    // The nodes page lists nodes with their template monitors.
    await addNode(roost, localActor(roost.clock), { name: `n-${slug}`, address: '127.0.0.1', roles: ['db'] });
    const nodes = await app.request('/monitoring/nodes', { headers: { cookie } });
    assert.equal(nodes.status, 200);
    assert.match(
      await nodes.text(),
      new RegExp(`n-${slug}</th><td>127\\.0\\.0\\.1</td><td>db</td>.*unresponsive`),
    );
    const bad = await get('?week=2026-W60');
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /week: expected an ISO week/);
  });
});
