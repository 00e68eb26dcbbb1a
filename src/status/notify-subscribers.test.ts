// What a status page's subscribers receive for an incident's public updates: a real SMTP server, both dialects.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { type ReceivedMail, startSmtp, type TestSmtp } from '../../test/fixtures/smtp.ts';
import { describeEachDialect } from '../../test/fixtures/store.ts';
import { appendTimelineEntry, createIncident, getIncident, publishPostmortem } from '../incidents/index.ts';
import { createSmtpMailer } from '../notify/index.ts';
import { type Mailer, notifySubscribers } from './index.ts';
import { openStatusDeps } from './test-fixture.ts';

let smtp: TestSmtp;
let mailer: Mailer;
before(async () => {
  smtp = await startSmtp();
  mailer = createSmtpMailer({
    host: smtp.host,
    port: smtp.port,
    ignoreTls: true,
    from: 'status@example.test',
  });
});
after(async () => {
  mailer.close?.();
  await smtp.close();
});

describeEachDialect('subscriber mails', (use, dialect) => {
  it('link the post-mortem from the update announcing it, and only from that one', async (t) => {
    const deps = await openStatusDeps(await use(t));
    if (!deps) return;
    const tag = `${dialect}-${process.pid}`;
    const slug = `initech-${tag}`;
    const address = `reader-${tag}@example.com`;
    const instanceId = await deps.addInstance(slug, 'Initech');
    await deps.store.db
      .insertInto('status_subscribers')
      .values({
        id: `sub_${tag.replace(/\W/g, '')}`,
        instance_id: instanceId,
        email: address,
        components: '[]',
        confirmed_at: deps.clock.now().getTime(),
        created_at: deps.clock.now().getTime(),
      })
      .execute();
    const pageUrl = `https://${slug}.status.example.test`;
    const subscription = { ...deps, mailer, pageUrl: () => pageUrl };
    /** Mails the update and returns what the subscriber got. */
    const mailed = async (entryId: string): Promise<ReceivedMail> => {
      const before = smtp.mails.length;
      assert.equal(await notifySubscribers(subscription, entryId), 1);
      return smtp.waitFor((mail) => smtp.mails.indexOf(mail) >= before && mail.to.includes(address));
    };

    const incident = await createIncident(deps, deps.local, { title: 'Reports are late', instances: [slug] });
    deps.clock.advance(60_000);
    const resolved = await appendTimelineEntry(deps, deps.local, {
      incidentId: incident.id,
      body: 'Reports are on time again.',
      public: true,
      status: 'resolved',
    });
    deps.clock.advance(60_000);
    await publishPostmortem(deps, deps.local, { id: incident.id });
    const { timeline } = await getIncident(deps, deps.local, { id: incident.id });
    const announcement = timeline.find((entry) => entry.status === 'postmortem');
    assert.ok(announcement);

    const postmortemUrl = `${pageUrl}/incidents/${incident.id}/postmortem`;
    const update = await mailed(resolved.id);
    assert.ok(!update.text.includes(postmortemUrl), update.text);
    assert.ok(update.text.includes(`Status page: ${pageUrl}`));

    const published = await mailed(announcement.id);
    assert.match(published.subject, /Reports are late: postmortem$/);
    assert.ok(published.text.includes(`Post-mortem: ${postmortemUrl}`), published.text);
    assert.ok(published.text.includes(`Status page: ${pageUrl}`), published.text);
    assert.ok(
      published.html.includes(`<a href="${postmortemUrl}">Read the post-mortem</a> · <a href="${pageUrl}">`),
      published.html,
    );
  });
});
