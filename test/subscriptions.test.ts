// Status page subscriptions end to end on a served Roost, a real SMTP server and HTTP: double opt-in with
// signed links, nothing before confirmation, forged and expired links refused, the same answer for every
// address, updates mailed with List-Unsubscribe, and unsubscription from the header and from the link.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createUser, localActor } from '../src/auth/index.ts';
import { appendTimelineEntry, createIncident } from '../src/incidents/index.ts';
import { decommissionInstance, getCertificate } from '../src/instances/index.ts';
import { apiDepsOf, type RunningRoost, subscriptionDepsOf } from '../src/main.ts';
import {
  addComponent,
  announceMaintenances,
  announceQueue,
  insertInstanceRow,
  notifyQueue,
  scheduleMaintenance,
} from '../src/status/index.ts';
import { operationSettled } from './fixtures/instances.ts';
import { accessDepsOf, serveTestRoost, startTestRoost, type TestRoost } from './fixtures/roost.ts';
import { type ReceivedMail, startSmtp, type TestSmtp } from './fixtures/smtp.ts';

const slug = `news-${Math.random().toString(36).slice(2, 8)}`;
const domain = 'example.test';

interface Answer {
  status: number;
  body: string;
}

/** Sends a request for a page's public address to the local status server, keeping the Host. */
function send(
  server: RunningRoost,
  url: string,
  options: { method?: string; form?: Record<string, string>; raw?: string } = {},
): Promise<Answer> {
  const target = new URL(url);
  const body = options.raw ?? (options.form ? new URLSearchParams(options.form).toString() : undefined);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port: server.status.address.port,
        path: `${target.pathname}${target.search}`,
        method: options.method ?? 'GET',
        headers: {
          host: target.host,
          ...(body !== undefined
            ? {
                'content-type': 'application/x-www-form-urlencoded',
                'content-length': Buffer.byteLength(body),
              }
            : {}),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
        );
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

const linkIn = (mail: ReceivedMail, path: string) => {
  const match = new RegExp(`https://[^\\s"<>]+${path}\\?token=[\\w.-]+`).exec(mail.text);
  assert.ok(match, `no ${path} link in: ${mail.text}`);
  return match[0];
};

describe('status page subscriptions', () => {
  let smtp: TestSmtp;
  let test: TestRoost;
  let server: RunningRoost;
  const page = `https://${slug}.status.${domain}`;
  let incidentId: string;

  before(async () => {
    smtp = await startSmtp();
    test = await startTestRoost({
      ROOST_STATUS_DOMAIN: domain,
      ROOST_SMTP_HOST: smtp.host,
      ROOST_SMTP_PORT: String(smtp.port),
      ROOST_SMTP_IGNORE_TLS: 'true',
      ROOST_SMTP_FROM: 'status@example.test',
    });
    const _now = test.clock.now().getTime();
    // The instance as a row: subscriptions need it to exist, not to run.
    await insertInstanceRow(test.roost.store, test.clock, slug, 'Newsroom');
    // An account manager, told at once when an incident touches the instance.
    await createUser(accessDepsOf(test.roost), localActor(test.clock), {
      email: 'manager@example.com',
      name: 'Manager',
      role: 'account-manager',
      password: 'ochre-window-planet-19',
    });
    server = await serveTestRoost(test);
  });
  after(async () => {
    await server?.stop();
    await test?.close();
    await smtp?.close();
  });

  /** Posts a public update and waits until its mail job has run. */
  async function publicUpdate(body: string) {
    const deps = apiDepsOf(test.roost);
    const actor = (await import('../src/auth/index.ts')).localActor(test.clock);
    const entry = incidentId
      ? await appendTimelineEntry(deps, actor, { incidentId, body, public: true })
      : undefined;
    if (!incidentId) {
      const incident = await createIncident(deps, actor, {
        title: 'Slow pages',
        instances: [slug],
        message: body,
      });
      incidentId = incident.id;
    }
    const deadline = Date.now() + 20_000;
    for (;;) {
      const jobs = await test.roost.jobs.list({ queue: notifyQueue });
      const pending = jobs.filter((job) => job.state === 'queued' || job.state === 'running');
      const dead = jobs.filter((job) => job.state === 'dead');
      assert.deepEqual(
        dead.map((job) => job.lastError),
        [],
      );
      if (jobs.length > 0 && pending.length === 0) return entry;
      if (Date.now() > deadline) assert.fail('the mail job did not run');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('sends nothing before opt-in, refuses forged links, and confirms with a signed link', async () => {
    await addComponent(apiDepsOf(test.roost), (await import('../src/auth/index.ts')).localActor(test.clock), {
      slug,
      name: 'Website',
    });
    const asked = await send(server, `${page}/subscribe`, {
      method: 'POST',
      form: { email: 'Alice@Example.com' },
    });
    assert.equal(asked.status, 200);
    assert.match(asked.body, /Check your inbox/);
    const confirmation = await smtp.waitFor((mail) => mail.to.includes('alice@example.com'));
    assert.match(confirmation.subject, /Confirm your subscription to Newsroom status/);
    assert.equal(confirmation.headers.get('list-unsubscribe'), undefined); // nobody is subscribed yet

    // An update before confirmation reaches nobody.
    await publicUpdate('We are looking into slow pages.');
    assert.equal(smtp.mails.filter((mail) => mail.to.includes('alice@example.com')).length, 1);

    // The account manager has the drafted customer message.
    const notice = await smtp.waitFor((mail) => mail.to.includes('manager@example.com'));
    assert.match(notice.subject, /Newsroom: Incident on your service: Slow pages/);
    assert.match(notice.text, /Hello Newsroom,/);
    assert.match(notice.text, /Estimated resolution:/);
    assert.match(notice.text, new RegExp(`https://${slug}\\.status\\.example\\.test`));

    const link = linkIn(confirmation, '/subscribe/confirm');
    const token = new URL(link).searchParams.get('token') as string;
    const forged = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    const refused = await send(server, `${page}/subscribe/confirm`, {
      method: 'POST',
      form: { token: forged },
    });
    assert.equal(refused.status, 400);
    const wrongPurpose = token.replace('.confirm.', '.unsubscribe.');
    assert.equal(
      (await send(server, `${page}/unsubscribe`, { method: 'POST', form: { token: wrongPurpose } })).status,
      400,
    );

    // Opening the link shows a button; only the post confirms (mail scanners follow links).
    const opened = await send(server, link);
    assert.equal(opened.status, 200);
    assert.match(opened.body, /<button type="submit">Confirm<\/button>/);
    const confirmed = await send(server, `${page}/subscribe/confirm`, { method: 'POST', form: { token } });
    assert.equal(confirmed.status, 200);
    assert.match(confirmed.body, /You are subscribed/);
  });

  it('answers the same for a subscribed address as for a new one', async () => {
    const known = await send(server, `${page}/subscribe`, {
      method: 'POST',
      form: { email: 'alice@example.com' },
    });
    const fresh = await send(server, `${page}/subscribe`, {
      method: 'POST',
      form: { email: 'bob@example.com' },
    });
    assert.equal(known.status, fresh.status);
    assert.equal(known.body, fresh.body);
    const reminder = await smtp.waitFor(
      (mail) => mail.to.includes('alice@example.com') && /already/.test(mail.subject),
    );
    assert.match(reminder.headers.get('list-unsubscribe') ?? '', /^<https:\/\/.+\/unsubscribe\?token=/);
  });

  it('refuses an expired confirmation link', async () => {
    const mail = await smtp.waitFor((candidate) => candidate.to.includes('bob@example.com'));
    test.clock.advance(49 * 3_600_000);
    const token = new URL(linkIn(mail, '/subscribe/confirm')).searchParams.get('token') as string;
    const expired = await send(server, `${page}/subscribe/confirm`, { method: 'POST', form: { token } });
    assert.equal(expired.status, 400);
    assert.match(expired.body, /not valid/);
  });

  it('mails public updates with List-Unsubscribe, neutralised, and stops after one-click unsubscribe', async () => {
    const before = smtp.mails.length;
    await publicUpdate('Fixed the **cache**. <script>alert(1)</script><img src=x onerror=alert(2)>');
    const update = await smtp.waitFor(
      (mail, index = smtp.mails.indexOf(mail)) => index >= before && mail.to.includes('alice@example.com'),
    );
    assert.equal(
      smtp.mails.filter((mail) => mail.to.includes('bob@example.com') && /Slow pages/.test(mail.subject))
        .length,
      0,
    );
    assert.match(update.subject, /^\[Newsroom status\] Slow pages: investigating$/);
    assert.match(update.html, /Fixed the <strong>cache<\/strong>/);
    assert.doesNotMatch(update.html, /<script|<img|onerror/i);
    assert.equal(update.headers.get('list-unsubscribe-post'), 'List-Unsubscribe=One-Click');
    const header = /^<(.+)>$/.exec(update.headers.get('list-unsubscribe') ?? '')?.[1];
    assert.ok(header);
    assert.match(update.text, /Unsubscribe: https:\/\//);

    // RFC 8058 one-click: a POST to the header's address with this body.
    const done = await send(server, header, { method: 'POST', raw: 'List-Unsubscribe=One-Click' });
    assert.equal(done.status, 200);
    assert.match(done.body, /You are unsubscribed/);
    assert.equal(
      (await send(server, header, { method: 'POST', raw: 'List-Unsubscribe=One-Click' })).status,
      200,
    );

    const count = smtp.mails.length;
    await publicUpdate('Still fine.');
    assert.equal(smtp.mails.length, count);
  });

  it('unsubscribes from the link in the mail', async () => {
    await send(server, `${page}/subscribe`, { method: 'POST', form: { email: 'carol@example.com' } });
    const confirmation = await smtp.waitFor((mail) => mail.to.includes('carol@example.com'));
    const token = new URL(linkIn(confirmation, '/subscribe/confirm')).searchParams.get('token') as string;
    assert.equal(
      (await send(server, `${page}/subscribe/confirm`, { method: 'POST', form: { token } })).status,
      200,
    );
    const before = smtp.mails.length;
    await publicUpdate('Monitoring.');
    const update = await smtp.waitFor(
      (mail) => smtp.mails.indexOf(mail) >= before && mail.to.includes('carol@example.com'),
    );
    const link = linkIn(update, '/unsubscribe');
    const opened = await send(server, link);
    assert.match(opened.body, /<button type="submit">Unsubscribe<\/button>/);
    const unsubscribeToken = new URL(link).searchParams.get('token') as string;
    const done = await send(server, `${page}/unsubscribe`, {
      method: 'POST',
      form: { token: unsubscribeToken },
    });
    assert.match(done.body, /You are unsubscribed/);
    const rows = await test.roost.store.db.selectFrom('status_subscribers').select('email').execute();
    assert.deepEqual(rows.map((row) => row.email).sort(), ['bob@example.com']);
  });

  it('announces maintenance 72 hours and 1 hour before, once each, with List-Unsubscribe', async () => {
    await send(server, `${page}/subscribe`, { method: 'POST', form: { email: 'dave@example.com' } });
    const confirmation = await smtp.waitFor((mail) => mail.to.includes('dave@example.com'));
    const token = new URL(linkIn(confirmation, '/subscribe/confirm')).searchParams.get('token') as string;
    assert.equal(
      (await send(server, `${page}/subscribe/confirm`, { method: 'POST', form: { token } })).status,
      200,
    );
    const start = new Date(test.clock.now().getTime() + 48 * 3_600_000);
    await scheduleMaintenance(apiDepsOf(test.roost), localActor(test.clock), {
      slug,
      title: 'Database upgrade',
      body: 'About **ten minutes** of read-only mode.',
      startsAt: start,
      endsAt: new Date(start.getTime() + 3_600_000),
      confirmBusinessHours: true,
    });
    const idle = async () => {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const jobs = await test.roost.jobs.list({ queue: announceQueue });
        if (jobs.length > 0 && jobs.every((job) => job.state === 'succeeded')) return;
        if (Date.now() > deadline) assert.fail('the announcement job did not run');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const announcements = () =>
      smtp.mails.filter(
        (mail) => mail.to.includes('dave@example.com') && /Scheduled maintenance/.test(mail.subject),
      );
    // The minute job runs as the clock moves: within 72 hours of the start, the first announcement.
    test.clock.advance(61_000);
    const first = await smtp
      .waitFor(() => announcements().length === 1, 20_000)
      .then(() => announcements()[0]);
    assert.match(first?.subject ?? '', /^\[Newsroom status\] Scheduled maintenance: Database upgrade$/);
    assert.match(first?.html ?? '', /<strong>ten minutes<\/strong>/);
    assert.match(first?.headers.get('list-unsubscribe') ?? '', /unsubscribe\?token=/);
    await idle();
    const deps = subscriptionDepsOf(test.roost);
    assert.ok(deps);
    assert.equal(await announceMaintenances(deps), 0, 'sent once');
    // One hour before: the second.
    test.clock.advance(47 * 3_600_000 + 30_000);
    await smtp.waitFor(() => announcements().length === 2, 20_000);
  });

  it("erases the page's subscribers when the instance is decommissioned, and lists them on the certificate", async () => {
    const { db } = test.roost.store;
    const deps = apiDepsOf(test.roost);
    const local = localActor(test.clock);
    // Another page's subscriber stays.
    const otherSlug = `${slug}-b`;
    const otherId = await insertInstanceRow(test.roost.store, test.clock, otherSlug, 'Other');
    await send(server, `https://${otherSlug}.status.${domain}/subscribe`, {
      method: 'POST',
      form: { email: 'erin@example.com' },
    });
    const instance = await db
      .selectFrom('instances')
      .select('id')
      .where('slug', '=', slug)
      .executeTakeFirstOrThrow();
    const subscribers = await db
      .selectFrom('status_subscribers')
      .select(['id', 'confirmed_at'])
      .where('instance_id', '=', instance.id)
      .execute();
    const pending = subscribers.filter((row) => row.confirmed_at === null).length;
    const deliveries = await db
      .selectFrom('status_deliveries')
      .select('entry_id')
      .where(
        'subscriber_id',
        'in',
        subscribers.map((row) => row.id),
      )
      .execute();
    // Bob never confirmed; Dave did and got the maintenance announcements.
    assert.ok(pending > 0 && subscribers.length > pending && deliveries.length > 0);

    const { operation } = await decommissionInstance(deps, local, { slug });
    await operationSettled(deps, local, slug, operation.id);
    const left = await db.selectFrom('status_subscribers').select(['instance_id', 'email']).execute();
    assert.deepEqual(
      left.map((row) => `${row.instance_id} ${row.email}`),
      [`${otherId} erin@example.com`],
    );
    assert.equal(
      (await db.selectFrom('status_deliveries').select('entry_id').execute()).length,
      0,
      'no delivery record names an erased subscriber',
    );
    const certificate = await getCertificate(deps, local, { slug });
    assert.deepEqual(certificate.erased.find((entry) => entry.what === 'status-subscribers')?.items, [
      `${subscribers.length - pending} confirmed status page subscriber(s)`,
      `${pending} subscription request(s) awaiting confirmation`,
      `${deliveries.length} subscriber delivery record(s)`,
    ]);
    // The page is gone, and with it the form.
    const asked = await send(server, `${page}/subscribe`, {
      method: 'POST',
      form: { email: 'frank@example.com' },
    });
    assert.equal(asked.status, 404);
  });
});
