// Acceptance on loopback: real HTTP and TCP targets go down and up, alerts fire after their `for`, mail
// reaches a real SMTP server and JSON a real webhook receiver, resolved notifications follow; a silence
// and a maintenance window each suppress. Time is a manual clock; every check is a real connection.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  AlertEngine,
  actOnAlertLink,
  createMonitor,
  createSilence,
  listAlerts,
  Scheduler,
  staticMaintenances,
} from '../src/monitoring/index.ts';
import { type MonitoringTest, openMonitoring } from '../src/monitoring/test-fixture.ts';
import {
  createSchedule,
  createSmtpMailer,
  createWebhookChannel,
  listDeliveries,
  Notifier,
  setEscalationPolicy,
} from '../src/notify/index.ts';
import { startSmtp, type TestSmtp } from './fixtures/smtp.ts';
import { openTestStore, type TestStore } from './fixtures/store.ts';
import { startHttpTarget, type Target } from './fixtures/targets.ts';

const second = 1000;

/** The mail's text, quoted-printable decoded. */
function bodyOf(raw: string): string {
  return raw
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

describe('alerts end to end on loopback', () => {
  let opened: TestStore;
  let m: MonitoringTest;
  let smtp: TestSmtp;
  let web: Target;
  let hooks: Array<Record<string, unknown>>;
  let api: Target;
  let tcp: net.Server;
  let tcpPort: number;
  let scheduler: Scheduler;
  let notifier: Notifier;
  const linkKey = randomBytes(32);
  const maintenanceStart = Date.parse('2026-03-03T09:00:00Z');

  async function step(seconds: number) {
    m.clock.advance(seconds * second);
    await scheduler.runDue();
    await notifier.run();
  }

  before(async () => {
    opened = (await openTestStore('sqlite')) as TestStore;
    m = (await openMonitoring(opened, '2026-03-03T09:00:00Z')) as MonitoringTest; // Tuesday 10:00 Paris
    smtp = await startSmtp();
    hooks = [];
    web = await startHttpTarget((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      request.on('end', () => {
        hooks.push(JSON.parse(body) as Record<string, unknown>);
        response.writeHead(204).end();
      });
    });
    api = await startHttpTarget();
    tcp = net.createServer((socket) => socket.end());
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', () => resolve()));
    tcpPort = (tcp.address() as AddressInfo).port;

    const schedule = await createSchedule(m.deps, m.local, {
      name: 'primary',
      layers: [{ name: 'weekly', users: ['night@example.org'], every: 'week', handoff: '2026-03-02T09:00' }],
    });
    await setEscalationPolicy(m.deps, m.local, {
      support: ['support@example.org'],
      levels: [{ scheduleId: schedule.id, timeoutMinutes: 15 }],
    });
    await createWebhookChannel(m.deps, m.local, { name: 'receiver', url: `${web.url}/hook` });

    await createMonitor(m.deps, m.local, {
      name: 'acme API',
      kind: 'http',
      instanceId: 'ins_acme',
      settings: { url: `${api.url}/health` },
      intervalSeconds: 30,
      retries: 0,
      forSeconds: 60,
    });
    await createMonitor(m.deps, m.local, {
      name: 'acme ssh',
      kind: 'tcp',
      instanceId: 'ins_quiet',
      settings: { host: '127.0.0.1', port: tcpPort },
      intervalSeconds: 30,
      retries: 1,
    });
    await createMonitor(m.deps, m.local, {
      name: 'beta API',
      kind: 'http',
      instanceId: 'ins_beta',
      settings: { url: `${api.url}/beta` },
      intervalSeconds: 30,
      retries: 0,
    });

    const deps = {
      ...m.deps,
      maintenance: staticMaintenances([
        {
          id: 'mnt_1',
          title: 'beta upgrade',
          instanceId: 'ins_beta',
          from: maintenanceStart,
          until: maintenanceStart + 3_600_000,
        },
      ]),
    };
    const engine = new AlertEngine(deps);
    scheduler = new Scheduler(deps, {
      afterFlush: (outcomes, states, now) => engine.afterFlush(outcomes, states, now),
    });
    await scheduler.refresh();
    const mailer = createSmtpMailer({
      host: smtp.host,
      port: smtp.port,
      ignoreTls: true,
      from: 'roost@example.org',
    });
    notifier = new Notifier(
      { ...m.deps, mailer, linkKey, publicUrl: 'http://roost.test' },
      { groupWaitMs: 10 * second, groupIntervalMs: 60 * second },
    );
  });

  after(async () => {
    await web?.close();
    await api?.close();
    await new Promise<void>((resolve) => (tcp ? tcp.close(() => resolve()) : resolve()));
    await smtp?.close();
    await opened?.close();
  });

  it('fires after `for`, mails support and the webhook, then sends the resolution', async () => {
    await step(30);
    assert.equal((await listAlerts(m.deps, m.local, { state: 'open' })).length, 0);
    await api.down();
    await step(30);
    let open = await listAlerts(m.deps, m.local, { state: 'open' });
    // beta has no `for`: it fires at once, during its maintenance window.
    assert.deepEqual(
      open.map((alert) => [alert.instanceId, alert.state]).sort(),
      [
        ['ins_acme', 'pending'],
        ['ins_beta', 'firing'],
      ].sort(),
    );
    await step(30); // 30 s down: still pending for acme (for = 60 s)
    open = await listAlerts(m.deps, m.local, { state: 'open' });
    const acme = open.find((alert) => alert.instanceId === 'ins_acme');
    assert.equal(acme?.state, 'pending');
    const beta = open.find((alert) => alert.instanceId === 'ins_beta');
    assert.equal(beta?.state, 'firing');
    assert.equal(beta?.suppressedBy, 'maintenance:mnt_1', 'the maintenance window suppresses');
    await step(30);
    const firing = (await listAlerts(m.deps, m.local, { state: 'firing' })).find(
      (alert) => alert.instanceId === 'ins_acme',
    );
    assert.ok(firing, 'fires once down for 60 s');
    assert.equal(firing.route, 'support', 'Tuesday 10:00 Paris goes to support');
    assert.match(firing.summary, /acme API is down: .*ECONNREFUSED/);

    assert.equal(smtp.mails.length, 0, 'the group waits 10 s for companions');
    await step(10);
    const mail = await smtp.waitFor((message) => message.subject.startsWith('[FIRING:1]'));
    assert.deepEqual(mail.to, ['support@example.org']);
    assert.match(mail.subject, /acme API is down/);
    assert.match(bodyOf(mail.raw), /acknowledge: http:\/\/roost\.test\/alert-links\/acknowledge\?token=/);
    const hook = hooks.find((body) => body.status === 'firing');
    assert.ok(hook, 'the webhook got the firing alert');
    assert.equal((hook.alerts as Array<{ labels: Record<string, string> }>)[0]?.labels.instance, 'ins_acme');

    await api.up();
    await step(30);
    await step(30); // the group interval (60 s) paces the second message
    await smtp.waitFor((message) => message.subject.startsWith('[RESOLVED]'));
    assert.ok(hooks.some((body) => body.status === 'resolved'));
    const resolved = await listAlerts(m.deps, m.local, { state: 'resolved' });
    assert.ok(resolved.some((alert) => alert.id === firing.id));
    assert.equal(
      smtp.mails.filter((message) => /beta API/.test(message.subject)).length,
      0,
      'nothing was sent for the instance in maintenance',
    );
    const actions = (await m.deps.audit.list({ action: 'alert.' })).map((event) => event.action);
    for (const action of ['alert.pending', 'alert.firing', 'alert.resolved', 'alert.notify'])
      assert.ok(actions.includes(action), action);
  });

  it('a silence suppresses a TCP port that stops listening', async () => {
    await createSilence(m.deps, m.local, {
      matchers: [{ label: 'instance', value: 'ins_quiet' }],
      comment: 'planned ssh restart',
      durationMinutes: 60,
    });
    await new Promise<void>((resolve) => tcp.close(() => resolve()));
    await step(30);
    await step(30); // retries: 1 → down on the second failure
    await step(30);
    const alert = (await listAlerts(m.deps, m.local, { state: 'firing' })).find(
      (entry) => entry.instanceId === 'ins_quiet',
    );
    assert.ok(alert);
    assert.match(alert.suppressedBy ?? '', /^sil_/);
    const deliveries = await listDeliveries(m.deps, m.local, { alertId: alert.id });
    assert.equal(deliveries.length, 0);
  });

  it('acknowledges and resolves from the link in the mail', async () => {
    await api.down();
    await createMonitor(m.deps, m.local, {
      name: 'gamma API',
      kind: 'http',
      instanceId: 'ins_gamma',
      settings: { url: `${api.url}/gamma` },
      intervalSeconds: 30,
      retries: 0,
    });
    await scheduler.refresh();
    await step(30);
    await step(30);
    await step(30);
    const mail = await smtp.waitFor((message) => /gamma API/.test(message.subject));
    const token = decodeURIComponent(/resolve\?token=(\S+)/.exec(bodyOf(mail.raw))?.[1] ?? '');
    const acknowledged = await actOnAlertLink({ ...m.deps, linkKey }, { token, action: 'acknowledge' });
    assert.equal(acknowledged.acknowledgedBy, 'notification link');
    const done = await actOnAlertLink({ ...m.deps, linkKey }, { token, action: 'resolve' });
    assert.equal(done.state, 'resolved');
    await assert.rejects(
      actOnAlertLink({ ...m.deps, linkKey }, { token: `${token.slice(0, -2)}xx`, action: 'resolve' }),
      /not valid/,
    );
    await api.up();
  });
});
