// What the customer and their account managers receive (R24, R26): a real SMTP server, both dialects.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { type ReceivedMail, startSmtp, type TestSmtp } from '../../test/fixtures/smtp.ts';
import { describeEachDialect } from '../../test/fixtures/store.ts';
import { until } from '../../test/fixtures/wait.ts';
import { addContact, assignAccountManager } from '../contacts/index.ts';
import { insertUserRow } from '../contacts/test-users.ts';
import { isRoostError } from '../core/errors.ts';
import { createChromiumPrinter } from '../documents/index.ts';
import { createSmtpMailer } from '../notify/index.ts';
import { announceMaintenances, type Mailer, scheduleMaintenance } from '../status/index.ts';
import { openStatusDeps } from '../status/test-fixture.ts';
import {
  appendTimelineEntry,
  createIncident,
  getIncident,
  mailPostmortem,
  notifyAccountManagers,
  publishPostmortem,
  sendCustomerNotice,
} from './index.ts';

let smtp: TestSmtp;
let mailer: Mailer;
before(async () => {
  smtp = await startSmtp();
  mailer = createSmtpMailer({
    host: smtp.host,
    port: smtp.port,
    ignoreTls: true,
    from: 'roost@example.test',
  });
});
after(async () => {
  mailer.close?.();
  await smtp.close();
});

const pageUrl = (slug: string) => `https://${slug}.status.example.test`;
/** Mails to `address` whose subject matches, in arrival order. */
const mailsTo = (address: string, subject: RegExp): ReceivedMail[] =>
  smtp.mails.filter((mail) => mail.to.includes(address) && subject.test(mail.subject));

describeEachDialect('customer communication', (use, dialect) => {
  it('tells the assigned account managers (or all, saying so) and sends the customer notice in one action', async (t) => {
    const deps = await openStatusDeps(await use(t));
    if (!deps) return;
    const tag = `${dialect}-${process.pid}`;
    const assigned = `assigned-${tag}@roost.test`;
    const other = `other-${tag}@roost.test`;
    const customer = `it-${tag}@initech.example`;
    await deps.addInstance(`initech-${tag}`, 'Initech');
    await deps.addInstance(`umbrella-${tag}`, 'Umbrella');
    await insertUserRow(deps.store, deps.clock, assigned, 'account-manager');
    await insertUserRow(deps.store, deps.clock, other, 'account-manager');
    await assignAccountManager(deps, deps.local, { slug: `initech-${tag}`, user: assigned });
    await addContact(deps, deps.local, {
      slug: `initech-${tag}`,
      name: 'Initech IT',
      email: customer,
      receives: ['incidents'],
    });
    await addContact(deps, deps.local, {
      slug: `initech-${tag}`,
      name: 'Initech CFO',
      email: `cfo-${tag}@initech.example`,
      receives: ['postmortems'],
    });

    const incident = await createIncident(deps, deps.local, {
      title: 'Checkout <b>fails</b>',
      severity: 'critical',
      instances: [`initech-${tag}`, `umbrella-${tag}`],
      whatIsGoingOn: 'Payments time out. <script>alert("x")</script>',
      impacts: 'No order can be paid.',
    });
    assert.equal(await notifyAccountManagers({ ...deps, mailer, pageUrl }, incident.id), 3);
    // Initech has its manager; Umbrella has none, so both managers hear about it, told why.
    const initech = /Initech: Incident on your service/;
    assert.equal(mailsTo(assigned, initech).length, 1);
    assert.equal(mailsTo(other, initech).length, 0, 'a manager not assigned to Initech is not told');
    const umbrella = mailsTo(other, /Umbrella/);
    assert.equal(umbrella.length, 1);
    assert.match(umbrella[0]?.text ?? '', /No account manager is assigned to umbrella-/);
    assert.equal(mailsTo(assigned, /Umbrella/).length, 1);
    assert.doesNotMatch(mailsTo(assigned, initech)[0]?.html ?? '', /<script>/);

    // The notice needs to know which customer when the incident touches two.
    await assert.rejects(
      sendCustomerNotice({ ...deps, mailer, pageUrl }, deps.local, { id: incident.id }),
      (error) => isRoostError(error, 'invalid_input') && /slug/.test(error.message),
    );
    // Umbrella has no contact: said so, nothing sent.
    await assert.rejects(
      sendCustomerNotice({ ...deps, mailer, pageUrl }, deps.local, {
        id: incident.id,
        slug: `umbrella-${tag}`,
      }),
      (error) => isRoostError(error, 'conflict') && /no customer contact/.test(error.message),
    );
    deps.clock.advance(60_000);
    const sent = await sendCustomerNotice({ ...deps, mailer, pageUrl }, deps.local, {
      id: incident.id,
      slug: `initech-${tag}`,
      estimatedResolution: 'within 2 hours (by 13:00 UTC)',
    });
    assert.deepEqual(sent.to, [customer], 'only contacts receiving incidents');
    const notice = await smtp.waitFor((mail) => mail.to.includes(customer));
    assert.match(notice.subject, /^Incident on your service: Checkout fails$/);
    assert.match(notice.text, /The issue: Payments time out\./);
    assert.match(notice.text, /The impacts: No order can be paid\./);
    assert.match(notice.text, /Estimated resolution: within 2 hours \(by 13:00 UTC\)/);
    assert.match(notice.text, new RegExp(`https://initech-${tag}\\.status\\.example\\.test`));
    assert.doesNotMatch(notice.html, /<script>|<b>/, 'the HTML part carries the text escaped');

    // Edited text goes out as written; hostile markup stays text.
    await sendCustomerNotice({ ...deps, mailer, pageUrl }, deps.local, {
      id: incident.id,
      slug: `initech-${tag}`,
      subject: 'Update on checkout',
      body: 'Fixed soon. <img src=x onerror=alert(1)>',
    });
    const edited = await smtp.waitFor(
      (mail) => mail.to.includes(customer) && mail.subject === 'Update on checkout',
    );
    assert.match(edited.text, /Fixed soon\. <img src=x onerror=alert\(1\)>/);
    assert.doesNotMatch(edited.html, /<img/);
    assert.match(edited.html, /&lt;img/);

    const { timeline } = await getIncident(deps, deps.local, { id: incident.id });
    const notes = timeline.filter((entry) => /^Customer notice sent to Initech/.test(entry.body));
    assert.equal(notes.length, 2);
    assert.equal(notes[0]?.public, false, 'the timeline records it internally');
    const audited = await deps.store.db
      .selectFrom('audit_events')
      .select(['action', 'target'])
      .where('action', '=', 'incident.customer-notice')
      .execute();
    assert.equal(audited.length, 2);
    assert.equal(audited[0]?.target, incident.id);
  });

  it('announces maintenance to the customer contacts who receive it, once per lead', async (t) => {
    const deps = await openStatusDeps(await use(t), '2026-11-23T09:00:00Z');
    if (!deps) return;
    const tag = `${dialect}-${process.pid}`;
    const slug = `hooli-${tag}`;
    await deps.addInstance(slug, 'Hooli');
    await addContact(deps, deps.local, { slug, name: 'Hooli Ops', email: `ops-${tag}@hooli.example` });
    await addContact(deps, deps.local, {
      slug,
      name: 'Hooli CFO',
      email: `cfo-${tag}@hooli.example`,
      receives: ['postmortems'],
    });
    await scheduleMaintenance(deps, deps.local, {
      slug,
      title: 'Database upgrade',
      body: 'Read-only for **ten minutes**. <script>alert(1)</script>',
      startsAt: '2026-11-24T21:00:00Z',
      endsAt: '2026-11-24T22:00:00Z',
    });
    const subscriptionDeps = { ...deps, mailer, pageUrl };
    assert.equal(await announceMaintenances(subscriptionDeps), 1);
    const mail = await smtp.waitFor((entry) => entry.to.includes(`ops-${tag}@hooli.example`));
    assert.match(mail.subject, /Scheduled maintenance: Database upgrade/);
    assert.match(mail.html, /<strong>ten minutes<\/strong>/);
    assert.doesNotMatch(mail.html, /<script>/);
    assert.equal(mail.headers.get('list-unsubscribe'), undefined, 'contacts are managed, not subscribed');
    assert.equal(await announceMaintenances(subscriptionDeps), 0, 'once per lead');
    // One hour before: the second announcement.
    deps.clock.set('2026-11-24T20:01:00Z');
    assert.equal(await announceMaintenances(subscriptionDeps), 1);
    assert.equal(mailsTo(`ops-${tag}@hooli.example`, /Scheduled maintenance/).length, 2);
    assert.equal(mailsTo(`cfo-${tag}@hooli.example`, /./).length, 0, 'the CFO gets post-mortems only');
  });

  it('mails the post-mortem as HTML when Chromium cannot start', async (t) => {
    const deps = await openStatusDeps(await use(t));
    if (!deps) return;
    const tag = `${dialect}-${process.pid}`;
    const slug = `acme-${tag}`;
    await deps.addInstance(slug, 'Acme');
    await addContact(deps, deps.local, { slug, name: 'Wile', email: `wile-${tag}@acme.example` });
    const incident = await createIncident(deps, deps.local, { title: 'Anvil fell', instances: [slug] });
    await appendTimelineEntry(deps, deps.local, {
      incidentId: incident.id,
      body: 'Cleared.',
      public: true,
      status: 'resolved',
    });
    await publishPostmortem(deps, deps.local, { id: incident.id });
    const printer = createChromiumPrinter({ executablePath: '/nonexistent/chromium' });
    assert.equal(await mailPostmortem({ ...deps, mailer, printer, pageUrl }, incident.id), 1);
    const mail = await smtp.waitFor((entry) => entry.to.includes(`wile-${tag}@acme.example`));
    assert.equal(mail.attachments[0]?.filename, `postmortem-${incident.id}.html`);
    assert.match(mail.attachments[0]?.content.toString() ?? '', /<h1>Post-mortem: Anvil fell<\/h1>/);
    // Its page on the status page, not only the page.
    const postmortemUrl = `${pageUrl(slug)}/incidents/${incident.id}/postmortem`;
    assert.ok(mail.text.includes(`published on your status page: ${postmortemUrl}`), mail.text);
    assert.ok(mail.html.includes(`<a href="${postmortemUrl}">your status page</a>`), mail.html);
  });

  it('mails a post-mortem once per publication: again when published again after a reopening', async (t) => {
    const deps = await openStatusDeps(await use(t));
    if (!deps) return;
    const tag = `${dialect}-${process.pid}`;
    const slug = `globex-${tag}`;
    const address = `cfo-${tag}@globex.example`;
    await deps.addInstance(slug, 'Globex');
    await addContact(deps, deps.local, {
      slug,
      name: 'Globex CFO',
      email: address,
      receives: ['postmortems'],
    });
    const printer = createChromiumPrinter({ executablePath: '/nonexistent/chromium' });
    const mail = (publishedAt: Date | null) =>
      mailPostmortem({ ...deps, mailer, printer, pageUrl }, incident.id, publishedAt?.getTime());
    const moveTo = async (status: 'resolved' | 'investigating') => {
      deps.clock.advance(60_000);
      await appendTimelineEntry(deps, deps.local, { incidentId: incident.id, body: status, status });
    };
    const incident = await createIncident(deps, deps.local, { title: 'Reports are late', instances: [slug] });
    await moveTo('resolved');
    const first = await publishPostmortem(deps, deps.local, { id: incident.id });
    assert.equal(await mail(first.postmortemPublishedAt), 1);
    assert.equal(await mail(first.postmortemPublishedAt), 0, 'a retried job mails nobody twice');

    await moveTo('investigating');
    assert.equal(await mail(first.postmortemPublishedAt), 0, 'withdrawn: nothing to mail');
    await moveTo('resolved');
    const second = await publishPostmortem(deps, deps.local, { id: incident.id });
    assert.equal(await mail(first.postmortemPublishedAt), 0, 'the job of the withdrawn publication');
    assert.equal(await mail(second.postmortemPublishedAt), 1);
    assert.equal(await mail(second.postmortemPublishedAt), 0);
    const received = await until('both publications mailed', async () => {
      const mails = mailsTo(address, /^Post-mortem: Reports are late$/);
      return mails.length >= 2 ? mails : undefined;
    });
    assert.equal(received.length, 2);
  });
});
