// Post-mortems and SLA reports as PDF (Chromium through playwright-core) and by mail: real Chromium, real
// SMTP, both dialects; pdftotext (poppler-utils) reads the PDFs back.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, it } from 'node:test';
import { hasPdftotext, pdfText } from '../../test/fixtures/pdf.ts';
import { serviceUnavailable } from '../../test/fixtures/services.ts';
import { startSmtp, type TestSmtp } from '../../test/fixtures/smtp.ts';
import { describeEachDialect } from '../../test/fixtures/store.ts';
import { addContact } from '../contacts/index.ts';
import {
  appendTimelineEntry,
  createIncident,
  getIncident,
  mailPostmortem,
  postmortemDocument,
  publishPostmortem,
  slaDocument,
  updateIncident,
} from '../incidents/index.ts';
import { createSmtpMailer } from '../notify/index.ts';
import { noUptime } from '../status/index.ts';
import { openStatusDeps } from '../status/test-fixture.ts';
import { createChromiumPrinter, type DocumentPrinter, defaultChromiumPath } from './index.ts';

let printer: DocumentPrinter;
let smtp: TestSmtp;
before(async () => {
  printer = createChromiumPrinter();
  smtp = await startSmtp();
});
after(async () => {
  await printer.close?.();
  await smtp.close();
});

const hostile =
  'Root cause: <script>alert("pm")</script> a full disk. <img src=x onerror="alert(2)"> [click](javascript:alert(3))';

describeEachDialect('post-mortem and SLA documents', (use, dialect) => {
  it('renders the published post-mortem as Markdown, HTML and PDF, neutralises hostile Markdown, and mails the PDF to the contacts', async (t) => {
    if (!existsSync(defaultChromiumPath))
      return serviceUnavailable(t, 'Chromium', `${defaultChromiumPath} is missing`);
    if (!(await hasPdftotext()))
      return serviceUnavailable(t, 'pdftotext', 'poppler-utils is not installed (scripts/setup-system)');
    const deps = await openStatusDeps(await use(t));
    if (!deps) return;
    const tag = `${dialect}-${process.pid}`;
    const slug = `stark-${tag}`;
    await deps.addInstance(slug, 'Stark');
    await addContact(deps, deps.local, { slug, name: 'Pepper', email: `pepper-${tag}@stark.example` });
    await addContact(deps, deps.local, {
      slug,
      name: 'Happy',
      email: `happy-${tag}@stark.example`,
      receives: ['incidents'],
    });
    const incident = await createIncident(deps, deps.local, {
      title: 'Uploads <em>fail</em>',
      instances: [slug],
      whatIsGoingOn: 'Uploads fail with **507 Insufficient Storage**.',
      howWeUnderstood: hostile,
      impacts: 'No file could be uploaded for 40 minutes.',
    });
    deps.clock.advance(40 * 60_000);
    await appendTimelineEntry(deps, deps.local, {
      incidentId: incident.id,
      body: 'Disk grown, uploads work again.',
      public: true,
      status: 'resolved',
    });
    await updateIncident(deps, deps.local, {
      id: incident.id,
      postmortem: `${(await getIncident(deps, deps.local, { id: incident.id })).incident.postmortem}\n\nTrailing <iframe src="https://evil.example"></iframe> note.`,
    });
    const draft = await postmortemDocument({ ...deps, printer }, deps.local, {
      id: incident.id,
      format: 'html',
    });
    assert.match(draft.content.toString(), /Draft: not published yet/);
    await publishPostmortem(deps, deps.local, { id: incident.id });

    const markdown = await postmortemDocument({ ...deps, printer }, deps.local, {
      id: incident.id,
      format: 'markdown',
    });
    assert.equal(markdown.filename, `postmortem-${incident.id}.md`);
    assert.match(markdown.content.toString(), /^# Post-mortem: Uploads &lt;em&gt;fail&lt;\/em&gt;/);

    const html = (
      await postmortemDocument({ ...deps, printer }, deps.local, { id: incident.id, format: 'html' })
    ).content.toString();
    assert.match(html, /<strong>507 Insufficient Storage<\/strong>/);
    assert.doesNotMatch(html, /<script>|<img|<iframe|javascript:|onerror/i);
    assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
    assert.doesNotMatch(html, /Draft: not published/);

    const pdf = await postmortemDocument({ ...deps, printer }, deps.local, {
      id: incident.id,
      format: 'pdf',
    });
    assert.equal(pdf.contentType, 'application/pdf');
    assert.equal(pdf.content.subarray(0, 5).toString('latin1'), '%PDF-');
    const text = await pdfText(pdf.content);
    assert.match(text, /Post-mortem: Uploads <em>fail<\/em>/, 'the title as text');
    assert.match(text, /507 Insufficient Storage/);
    assert.match(text, /How we understood it/);
    assert.match(text, /Disk grown, uploads work again\./);
    // Hostile markup comes out as harmless text or not at all: no attribute, no frame, no link target.
    assert.match(text, /Root cause: <script>alert\("pm"\)<\/script> a full disk\./);
    assert.doesNotMatch(text, /onerror|evil\.example|javascript:/);

    // Publishing queued the mail; here the job's work runs directly: the PDF goes to Pepper, not to Happy.
    const mailer = createSmtpMailer({
      host: smtp.host,
      port: smtp.port,
      ignoreTls: true,
      from: 'roost@example.test',
    });
    t.after(() => mailer.close?.());
    const mailDeps = {
      ...deps,
      mailer,
      printer,
      pageUrl: (name: string) => `https://${name}.status.example.test`,
    };
    assert.equal(await mailPostmortem(mailDeps, incident.id), 1);
    assert.equal(await mailPostmortem(mailDeps, incident.id), 0, 'a retried job mails nobody twice');
    const mail = await smtp.waitFor((entry) => entry.to.includes(`pepper-${tag}@stark.example`));
    assert.match(mail.subject, /^Post-mortem: Uploads <em>fail<\/em>$/);
    assert.match(mail.text, new RegExp(`https://${slug}\\.status\\.example\\.test`));
    assert.doesNotMatch(mail.html, /<script>|<em>fail|onerror/);
    const [attachment] = mail.attachments;
    assert.equal(attachment?.filename, `postmortem-${incident.id}.pdf`);
    assert.equal(attachment?.contentType, 'application/pdf');
    assert.equal(attachment?.content.subarray(0, 5).toString('latin1'), '%PDF-');
    assert.ok(
      attachment?.content.equals(pdf.content),
      'the PDF stored at the first print, not printed again',
    );
    assert.match(await pdfText(attachment?.content ?? Buffer.alloc(0)), /507 Insufficient Storage/);
    assert.equal(smtp.mails.filter((entry) => entry.to.includes(`happy-${tag}@stark.example`)).length, 0);
    const { timeline } = await getIncident(deps, deps.local, { id: incident.id });
    assert.ok(
      timeline.some((entry) => entry.body.startsWith(`Post-mortem mailed to pepper-${tag}@stark.example`)),
    );

    // The SLA report as PDF.
    const sla = await slaDocument(
      { ...deps, uptime: noUptime, timeZone: 'Europe/Paris', printer },
      deps.local,
      { slug, month: '2026-10', format: 'pdf' },
    );
    assert.equal(sla.filename, `sla-${slug}-2026-10.pdf`);
    assert.equal(sla.content.subarray(0, 5).toString('latin1'), '%PDF-');
    const slaText = await pdfText(sla.content);
    assert.match(slaText, new RegExp(`SLA report: ${slug}, 2026-10`));
    assert.match(slaText, /Target\s+99%/);
  });
});
