// Published post-mortems on the public status pages, both dialects, real Chromium: publishing queues one
// print, the stored PDF is served by the status app (ETag, 304) and linked from the history and the
// post-mortem's own page; drafts, other instances' incidents and unknown ids get the plain 404; an edit after
// publishing drops the stored PDF at once and prints the new text.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, it } from 'node:test';
import { createChromiumPrinter, type DocumentPrinter, defaultChromiumPath } from '../src/documents/index.ts';
import { createStatusServer } from '../src/http/status/app.ts';
import {
  getIncident,
  postmortemDocument,
  publishPostmortem,
  registerPostmortemPdfJobs,
  updateIncident,
} from '../src/incidents/index.ts';
import { createJobs } from '../src/jobs/index.ts';
import { createLogger, createMetrics } from '../src/observability/index.ts';
import { noHealth, noUptime } from '../src/status/index.ts';
import { openStatusDeps } from '../src/status/test-fixture.ts';
import { resolvedIncident } from './fixtures/incidents.ts';
import { hasPdftotext, pdfText } from './fixtures/pdf.ts';
import { serviceUnavailable } from './fixtures/services.ts';
import { describeEachDialect } from './fixtures/store.ts';
import { until } from './fixtures/wait.ts';

let chromium: DocumentPrinter;
before(() => {
  chromium = createChromiumPrinter();
});
after(async () => {
  await chromium.close?.();
});

describeEachDialect('post-mortems on the status pages', (use) => {
  it('link the stored PDF, printed once at publishing, and never show a draft', async (t) => {
    if (!existsSync(defaultChromiumPath))
      return serviceUnavailable(t, 'Chromium', `${defaultChromiumPath} is missing`);
    if (!(await hasPdftotext()))
      return serviceUnavailable(t, 'pdftotext', 'poppler-utils is not installed (scripts/setup-system)');
    const deps = await openStatusDeps(await use(t), '2026-11-20T10:00:00Z');
    if (!deps) return;
    let prints = 0;
    const printer: DocumentPrinter = {
      print: (html) => {
        prints++;
        return chromium.print(html);
      },
    };
    const jobs = createJobs(
      { store: deps.store, clock: deps.clock },
      { timeZone: 'Europe/Paris', leaseSeconds: 30 },
    );
    registerPostmortemPdfJobs({ ...deps, printer, jobs });
    jobs.start();
    t.after(() => jobs.stop());
    const incidents = { ...deps, jobs };
    await deps.addInstance('wayne-prod', 'Wayne');
    await deps.addInstance('wayne-staging', 'Wayne');

    const resolved = (title: string) =>
      resolvedIncident(incidents, deps.local, { title, instances: ['wayne-prod'] });
    const published = await resolved('Search is <b>down</b>');
    // The draft written at resolution (its heading holds the title), with the cause added.
    const { incident: withDraft } = await getIncident(incidents, deps.local, { id: published.id });
    await updateIncident(incidents, deps.local, {
      id: published.id,
      postmortem: `${withDraft.postmortem}\n\nThe index ran out of **disk space**. <script>alert(1)</script><img src=x onerror=alert(2)>`,
    });
    await publishPostmortem(incidents, deps.local, { id: published.id });
    const draft = await resolved('Slow exports');
    await updateIncident(incidents, deps.local, {
      id: draft.id,
      postmortem: 'Draft secret: not for customers.',
    });

    const app = createStatusServer({
      logger: createLogger({ level: 'silent' }),
      metrics: createMetrics(),
      readiness: async () => ({ ready: true, checks: [] }) as never,
      pages: {
        store: deps.store,
        clock: deps.clock,
        health: noHealth,
        uptime: noUptime,
        domain: 'example.test',
        revalidateMs: 0,
      },
    }).app;
    const base = '/s/wayne-prod';
    const pagePath = `${base}/incidents/${published.id}/postmortem`;
    const pdfPath = `${pagePath}.pdf`;
    const get = (path: string, headers: Record<string, string> = {}) => app.request(path, { headers });

    // The job prints it; the page then links the PDF.
    const history = await until('the PDF link on the history page', async () => {
      const text = await (await get(`${base}/history`)).text();
      return text.includes(`href="${pdfPath}"`) ? text : undefined;
    });
    assert.match(history, new RegExp(`<a href="${pagePath}">Read the post-mortem</a>`));
    assert.doesNotMatch(history, new RegExp(`/incidents/${draft.id}/postmortem|Draft secret`));

    const page = await get(pagePath);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    const pageText = await page.text();
    assert.match(pageText, /<title>Post-mortem: Search is &lt;b&gt;down&lt;\/b&gt; · Wayne status<\/title>/);
    assert.match(pageText, /The index ran out of <strong>disk space<\/strong>/);
    assert.doesNotMatch(pageText, /<script|<img|onerror/i);
    assert.match(pageText, new RegExp(`<a href="${pdfPath}" type="application/pdf">Download as PDF</a>`));

    const pdf = await get(pdfPath);
    assert.equal(pdf.status, 200);
    assert.equal(pdf.headers.get('content-type'), 'application/pdf');
    assert.match(
      pdf.headers.get('content-disposition') ?? '',
      /^inline; filename="postmortem-inc_\w+\.pdf"$/,
    );
    const etag = pdf.headers.get('etag') ?? '';
    assert.match(etag, /^"[0-9a-f]{64}"$/);
    const bytes = Buffer.from(await pdf.arrayBuffer());
    assert.equal(pdf.headers.get('content-length'), String(bytes.length));
    assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-');
    const text = await pdfText(bytes);
    assert.match(text, /Post-mortem: Search is <b>down<\/b>/, 'the title as text');
    assert.match(text, /The index ran out of disk space\./);
    assert.doesNotMatch(text, /onerror/);
    const again = await get(pdfPath, { 'if-none-match': etag });
    assert.equal(again.status, 304);
    assert.equal(again.headers.get('etag'), etag);
    const head = await app.request(pdfPath, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(bytes.length));

    // Served from the database: the admin download and more requests print nothing more.
    assert.ok((await get(pdfPath)).status === 200);
    const download = await postmortemDocument({ ...deps, printer }, deps.local, {
      id: published.id,
      format: 'pdf',
    });
    assert.ok(download.content.equals(bytes));
    assert.equal(prints, 1);

    // Drafts, incidents of another instance and unknown ids: the plain 404, whatever the path.
    for (const path of [
      `${base}/incidents/${draft.id}/postmortem`,
      `${base}/incidents/${draft.id}/postmortem.pdf`,
      `/s/wayne-staging/incidents/${published.id}/postmortem`,
      `/s/wayne-staging/incidents/${published.id}/postmortem.pdf`,
      `${base}/incidents/inc_${'0'.repeat(26)}/postmortem.pdf`,
      `${base}/incidents/nope/postmortem.pdf`,
      `/s/nobody-here/incidents/${published.id}/postmortem.pdf`,
    ]) {
      const missing = await get(path);
      assert.equal(missing.status, 404, path);
      assert.match(await missing.text(), /No status page here/, path);
    }
    const stored = await deps.store.db.selectFrom('postmortem_pdfs').select('incident_id').execute();
    assert.deepEqual(
      stored.map((row) => row.incident_id),
      [published.id],
    );

    // Edited after publishing: the old PDF is gone at once, the new text is printed and served.
    await updateIncident(incidents, deps.local, {
      id: published.id,
      postmortem: `${withDraft.postmortem}\n\nRevised: the index ran out of inodes.`,
    });
    const meanwhile = await get(pdfPath);
    if (meanwhile.status === 200) assert.notEqual(meanwhile.headers.get('etag'), etag);
    const revised = await until('the revised PDF', async () => {
      const answer = await get(pdfPath);
      return answer.status === 200 ? answer : undefined;
    });
    assert.notEqual(revised.headers.get('etag'), etag);
    assert.match(
      await pdfText(Buffer.from(await revised.arrayBuffer())),
      /Revised: the index ran out of inodes\./,
    );
    assert.equal(prints, 2);
  });
});
