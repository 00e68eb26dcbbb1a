// Escalation with a test clock and a real SMTP server: who is paged, when, by business hours, holidays and DST.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it, type TestContext } from 'node:test';
import { AlertEngine, type AlertTransition, listAlerts, type Signal } from '../src/monitoring/index.ts';
import { openMonitoring } from '../src/monitoring/test-fixture.ts';
import {
  createSchedule,
  createSmtpMailer,
  listDeliveries,
  Notifier,
  scheduleCalendar,
  setEscalationPolicy,
  whoIsOnCall,
} from '../src/notify/index.ts';
import { startSmtp, type TestSmtp } from './fixtures/smtp.ts';
import { openTestStore } from './fixtures/store.ts';

const minute = 60_000;

describe('on-call escalation by business hours', () => {
  let smtp: TestSmtp;
  before(async () => {
    smtp = await startSmtp();
  });
  after(() => smtp.close());

  /** A fresh store with three one-person levels (level 2 rotates daily at 09:00 Paris), and an alert firing at `start`. */
  async function fireAt(t: TestContext, start: string) {
    const opened = await openTestStore('sqlite', t);
    if (!opened) throw new Error('no store');
    t.after(() => opened.close());
    const m = (await openMonitoring(opened, start)) as NonNullable<
      Awaited<ReturnType<typeof openMonitoring>>
    >;
    const tag = randomBytes(3).toString('hex');
    const level = async (name: string, users: string[]) =>
      createSchedule(m.deps, m.local, {
        name,
        layers: [{ name: 'main', users, every: 'day', handoff: '2026-01-05T09:00' }],
      });
    const one = await level('level 1', [`one-${tag}@example.org`]);
    const two = await level('level 2', [`two-a-${tag}@example.org`, `two-b-${tag}@example.org`]);
    const three = await level('level 3', [`three-${tag}@example.org`]);
    await setEscalationPolicy(m.deps, m.local, {
      support: [`support-${tag}@example.org`],
      levels: [
        { scheduleId: one.id, timeoutMinutes: 15 },
        { scheduleId: two.id, timeoutMinutes: 30 },
        { scheduleId: three.id, timeoutMinutes: 60 },
      ],
    });
    const mailer = createSmtpMailer({
      host: smtp.host,
      port: smtp.port,
      ignoreTls: true,
      from: 'roost@example.org',
    });
    const heard: AlertTransition[] = [];
    const notifier = new Notifier(
      {
        ...m.deps,
        mailer,
        linkKey: randomBytes(32),
        publicUrl: 'http://roost.test',
        listeners: [{ name: 'recorder', alertChanged: (transition) => void heard.push(transition) }],
      },
      { groupWaitMs: 0 },
    );
    const engine = new AlertEngine(m.deps);
    const signal: Signal = {
      fingerprint: `f-${tag}`,
      monitorId: null,
      instanceId: 'ins_acme',
      severity: 'critical',
      labels: { alertname: 'down', instance: 'ins_acme' },
      summary: `acme API is down (${tag})`,
      active: true,
      since: m.clock.now().getTime(),
      forSeconds: 0,
    };
    await engine.evaluate([signal], m.clock.now().getTime());
    await notifier.run();
    /** Recipients of this test's mails so far, in order. */
    const paged = () =>
      smtp.mails
        .filter((mail) => mail.subject.includes(tag))
        .flatMap((mail) => mail.to.map((to) => to.replace(`-${tag}`, '')));
    const advance = async (minutes: number) => {
      m.clock.advance(minutes * minute);
      await notifier.run();
    };
    return { m, paged, advance, tag, heard };
  }

  it('Saturday 03:00 → level 1, level 2 after its timeout, then level 3', async (t) => {
    const { m, paged, advance, heard } = await fireAt(t, '2026-03-14T02:00:00Z');
    assert.equal((await listAlerts(m.deps, m.local, { state: 'firing' }))[0]?.route, 'oncall');
    assert.deepEqual(paged(), ['one@example.org']);
    await advance(14);
    assert.deepEqual(paged(), ['one@example.org'], 'nobody else before the timeout');
    await advance(1);
    assert.equal(paged().length, 2);
    assert.match(paged()[1] ?? '', /^two-[ab]@example\.org$/);
    await advance(29);
    assert.equal(paged().length, 2);
    await advance(1);
    assert.deepEqual(paged().slice(2), ['three@example.org']);
    await advance(600);
    // Level 3 is the last: later mails are the 4-hourly reminders to the people already paged.
    assert.ok(smtp.mails.filter((mail) => /escalated to level [^23]/.test(mail.subject)).length === 0);
    assert.ok(
      paged().length > 3 &&
        paged()
          .slice(3)
          .every((person) => /^(one|two-[ab]|three)@/.test(person)),
    );
    const escalations = (await m.deps.audit.list({ action: 'alert.escalate' }))
      .map((event) => Number(event.details.to))
      .sort();
    assert.deepEqual(escalations, [2, 3]);
    // Escalations reach the alert listeners (incident timelines) like every other transition.
    assert.deepEqual(
      heard.map((transition) => [transition.kind, transition.alert.level]),
      [
        ['escalated', 2],
        ['escalated', 3],
      ],
    );
  });

  it('Tuesday 10:00 → support, and support is not escalated', async (t) => {
    const { paged, advance } = await fireAt(t, '2026-03-10T09:00:00Z');
    assert.deepEqual(paged(), ['support@example.org']);
    await advance(120);
    assert.deepEqual(paged(), ['support@example.org']);
  });

  it('a refused mail is retried and the delivery log says so', async (t) => {
    smtp.failNext(1);
    const { m, paged, advance } = await fireAt(t, '2026-03-10T09:00:00Z');
    assert.deepEqual(paged(), [], 'the first attempt was refused (451)');
    let [delivery] = await listDeliveries(m.deps, m.local);
    assert.equal(delivery?.state, 'pending');
    assert.equal(delivery?.attempts, 1);
    assert.match(delivery?.lastError ?? '', /451/);
    await advance(5 / 60); // the retry waits 10 s: not after 5 s
    assert.equal(paged().length, 0);
    await advance(5 / 60);
    assert.deepEqual(paged(), ['support@example.org']);
    [delivery] = await listDeliveries(m.deps, m.local);
    assert.equal(delivery?.state, 'sent');
    assert.equal(delivery?.attempts, 2);
  });

  it('14 July 10:00 (a French public holiday) → on-call', async (t) => {
    const { paged } = await fireAt(t, '2026-07-14T08:00:00Z');
    assert.deepEqual(paged(), ['one@example.org']);
  });

  it('the night of the DST change: timeouts in real minutes, hand-offs at 09:00 local', async (t) => {
    // 00:50Z = 01:50 CET; at 01:00Z clocks jump from 02:00 to 03:00 (CEST).
    const { m, paged, advance } = await fireAt(t, '2026-03-29T00:50:00Z');
    assert.deepEqual(paged(), ['one@example.org']);
    await advance(14); // 01:04Z = 03:04 CEST: 14 real minutes, though the wall clock moved 74
    assert.equal(paged().length, 1);
    await advance(1);
    assert.equal(paged().length, 2, 'level 2 after 15 real minutes');
    // Level 2 rotates daily at 09:00 local: Saturday's person until 07:00Z on Sunday (09:00 CEST), then the other.
    const [before] = (await whoIsOnCall(m.deps, m.local)).filter(
      (entry) => entry.schedule.name === 'level 2',
    );
    const after = (await whoIsOnCall(m.deps, m.local, { at: Date.parse('2026-03-29T07:00:00Z') })).find(
      (entry) => entry.schedule.name === 'level 2',
    );
    assert.notEqual(before?.shift?.user, after?.shift?.user);
    assert.equal(before?.shift?.end, Date.parse('2026-03-29T07:00:00Z'));
    const calendar = await scheduleCalendar(m.deps, m.local, { id: before?.schedule.id ?? '', days: 3 });
    assert.match(calendar, /DTSTART:20260329T070000Z/);
    assert.match(calendar, /DTSTART:20260330T070000Z/);
  });
});
