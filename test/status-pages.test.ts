// Public status pages on both dialects, served in-process by the status app: routing, the cached documents
// and their encodings, the Statuspage v2 JSON against the documented shapes, feeds, published post-mortems
// in both (drafts nowhere), and hostile Markdown.
import assert from 'node:assert/strict';
import { get as httpGet } from 'node:http';
import { it } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { listen } from '../src/http/server.ts';
import { createStatusServer } from '../src/http/status/app.ts';
import { createStatusCache, localChecker } from '../src/http/status/cache.ts';
import {
  appendTimelineEntry,
  createIncident,
  getIncident,
  publishPostmortem,
  updateIncident,
} from '../src/incidents/index.ts';
import { createLogger, createMetrics } from '../src/observability/index.ts';
import {
  addComponent,
  type ComponentHealthSource,
  configureStatusPage,
  setComponentStatus,
  type UptimeBucket,
  type UptimeSource,
} from '../src/status/index.ts';
import type { StatusTestDeps } from '../src/status/test-fixture.ts';
import { openStatusDeps } from '../src/status/test-fixture.ts';
import type { ComponentStatus } from '../src/store/index.ts';
import { resolvedIncident } from './fixtures/incidents.ts';
import { shapeDifferences, statuspageEnums, statuspageV2 } from './fixtures/statuspage/v2.ts';
import { describeEachDialect } from './fixtures/store.ts';

const hostile =
  '<script>alert("x")</script><img src=x onerror=alert(1)> **bold** [link](javascript:alert(2))';

/** What monitoring will say, written by the test: states now, and day buckets for the bars. */
function monitoringData() {
  const states = new Map<string, ComponentStatus>();
  const buckets = new Map<string, UptimeBucket[]>();
  const health: ComponentHealthSource = {
    current: async (components) =>
      new Map(
        components.flatMap((component) => {
          const state = component.monitorIds.map((id) => states.get(id)).find(Boolean);
          return state ? [[component.componentId, state] as const] : [];
        }),
      ),
  };
  const uptime: UptimeSource = {
    buckets: async (monitorIds, from, to) =>
      monitorIds
        .flatMap((id) => buckets.get(id) ?? [])
        .filter((bucket) => bucket.start >= from && bucket.start <= to),
  };
  return { states, buckets, health, uptime };
}

function statusServer(
  deps: StatusTestDeps,
  monitoring: ReturnType<typeof monitoringData>,
  options: { revalidateMs: number; metrics?: ReturnType<typeof createMetrics> },
) {
  return createStatusServer({
    logger: createLogger({ level: 'silent' }),
    metrics: options.metrics ?? createMetrics(),
    readiness: async () => ({ ready: true, checks: [] }) as never,
    pages: {
      store: deps.store,
      clock: deps.clock,
      health: monitoring.health,
      uptime: monitoring.uptime,
      domain: 'example.test',
      revalidateMs: options.revalidateMs,
    },
  });
}

const statusApp = (deps: StatusTestDeps, monitoring: ReturnType<typeof monitoringData>) =>
  statusServer(deps, monitoring, { revalidateMs: 0 }).app;

describeEachDialect('status pages', (use) => {
  it('route by Host and /s/, show components, incidents and bars, and give a plain 404 otherwise', async (t) => {
    const deps = await openStatusDeps(await use(t), '2026-11-20T10:00:00Z');
    if (!deps) return;
    await deps.addInstance('acme-prod', 'Acme');
    await configureStatusPage(deps, deps.local, {
      slug: 'acme-prod',
      name: 'Acme Corp',
      logoUrl: 'https://acme.example/logo.png',
    });
    const api = await addComponent(deps, deps.local, {
      slug: 'acme-prod',
      name: 'API',
      monitors: ['mon_api'],
    });
    const login = await addComponent(deps, deps.local, { slug: 'acme-prod', name: 'Login' });
    const monitoring = monitoringData();
    // Three days of roll-ups for the API: a good day, a partial outage, a major hour.
    const day = (offset: number) => new Date(Date.UTC(2026, 10, 20 - offset));
    monitoring.buckets.set('mon_api', [
      { start: day(2), end: day(1), operational: 86_400, degraded: 0, partial: 0, major: 0 },
      { start: day(1), end: day(0), operational: 86_400 - 7_200, degraded: 0, partial: 7_200, major: 0 },
      {
        start: day(0),
        end: deps.clock.now(),
        operational: 36_000 - 3_600,
        degraded: 0,
        partial: 0,
        major: 3_600,
      },
    ]);
    const app = statusApp(deps, monitoring);

    const byHost = await app.request('/', { headers: { host: 'acme-prod.status.example.test:7080' } });
    assert.equal(byHost.status, 200);
    const page = await byHost.text();
    assert.match(page, /<h1>.*Acme Corp.*status<\/h1>/s);
    assert.match(page, /All Systems Operational/);
    assert.match(page, /<img src="https:\/\/acme.example\/logo.png"/);
    assert.doesNotMatch(page, /<script/i);
    assert.match(byHost.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    // 90 days per component, a run of days that read the same as one bar; the API's last three days carry data.
    const barDays = [...page.matchAll(/<div class="bars"[^>]*>(.*?)<\/div>/g)].map(([, bars]) =>
      [...(bars ?? '').matchAll(/<i class="?[ogpmun](?: w(\d+)")? title=/g)].reduce(
        (sum, [, width]) => sum + Number(width ?? 1),
        0,
      ),
    );
    assert.deepEqual(barDays, [90, 90]);
    assert.match(page, /class="n w87" title="2026-08-23 – 2026-11-17: no data"/);
    assert.match(page, /class=o title="2026-11-18: 100% up"/);
    assert.match(page, /class=p title="2026-11-19: 97\.5% up, 36 min down"/);
    assert.match(page, /class=m title="2026-11-20: 90% up, 60 min down"/);

    const byPath = await app.request('/s/acme-prod/');
    assert.equal(byPath.status, 200);
    assert.match(await byPath.text(), /href="\/s\/acme-prod\/history"/);

    for (const path of [
      '/s/nobody-here/',
      '/s/nobody-here/api/v2/summary.json',
      '/',
      '/s/acme-prod/nope',
      '/s/ACME/',
    ]) {
      const missing = await app.request(path);
      assert.equal(missing.status, 404, path);
      assert.match(await missing.text(), /No status page here/);
    }
    const unknownHost = await app.request('/', { headers: { host: 'ghost.status.example.test' } });
    assert.equal(unknownHost.status, 404);

    // Monitors and people change the state; the next request shows it.
    monitoring.states.set('mon_api', 'major_outage');
    await setComponentStatus(deps, deps.local, { id: login.id, status: 'degraded_performance' });
    const summary = (await (await app.request('/s/acme-prod/api/v2/summary.json')).json()) as {
      status: { indicator: string };
      components: Array<{ id: string; status: string }>;
    };
    assert.equal(summary.status.indicator, 'critical');
    assert.deepEqual(
      summary.components.map((component) => [component.id, component.status]),
      [
        [api.id, 'major_outage'],
        [login.id, 'degraded_performance'],
      ],
    );
  });

  it('serve the Statuspage v2 documents in its shapes, feeds, and neutralise hostile Markdown everywhere', async (t) => {
    const deps = await openStatusDeps(await use(t), '2026-11-20T10:00:00Z');
    if (!deps) return;
    await deps.addInstance('shop-prod', 'Shop');
    const api = await addComponent(deps, deps.local, {
      slug: 'shop-prod',
      name: 'API',
      monitors: ['mon_api'],
    });
    const monitoring = monitoringData();
    const app = statusApp(deps, monitoring);
    const internal = await createIncident(deps, deps.local, {
      title: 'Internal only',
      instances: ['shop-prod'],
    });
    const incident = await createIncident(deps, deps.local, {
      title: 'API errors <b>now</b>',
      severity: 'critical',
      instances: ['shop-prod'],
      components: [api.id],
      message: `We are looking. ${hostile}`,
    });
    deps.clock.advance(60_000);
    await appendTimelineEntry(deps, deps.local, {
      incidentId: incident.id,
      body: 'Cause found.',
      public: true,
      status: 'identified',
    });
    deps.clock.advance(60_000);
    await appendTimelineEntry(deps, deps.local, {
      incidentId: incident.id,
      body: 'private note',
      status: 'monitoring',
    });

    const get = async (path: string) => {
      const response = await app.request(`/s/shop-prod${path}`);
      assert.equal(response.status, 200, path);
      return response;
    };
    for (const [path, documented] of Object.entries(statuspageV2)) {
      const response = await get(`/api/v2/${path}`);
      assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
      const body = (await response.json()) as Record<string, unknown>;
      assert.deepEqual(shapeDifferences(body, documented), [], path);
    }
    const summary = (await (await get('/api/v2/summary.json')).json()) as {
      page: { id: string; name: string; url: string };
      incidents: Array<{
        id: string;
        impact: string;
        status: string;
        incident_updates: Array<{ status: string; body: string }>;
        components: Array<{ id: string }>;
      }>;
      components: Array<{ status: string }>;
      status: { indicator: string; description: string };
    };
    assert.equal(summary.page.url, 'https://shop-prod.status.example.test');
    assert.equal(summary.page.name, 'Shop');
    assert.deepEqual(
      summary.incidents.map((entry) => entry.id),
      [incident.id],
    ); // the internal one stays internal
    const [published] = summary.incidents;
    assert.ok(published);
    assert.ok(statuspageEnums['incident.impact']?.includes(published.impact));
    assert.ok(statuspageEnums['incident.status']?.includes(published.status));
    assert.equal(published.status, 'monitoring');
    assert.deepEqual(
      published.incident_updates.map((update) => update.status),
      ['identified', 'investigating'],
    );
    assert.deepEqual(
      published.components.map((component) => component.id),
      [api.id],
    );
    for (const component of summary.components)
      assert.ok(statuspageEnums['component.status']?.includes(component.status));
    assert.ok(statuspageEnums.indicator?.includes(summary.status.indicator));
    assert.ok(!JSON.stringify(summary).includes(internal.id));
    assert.ok(!JSON.stringify(summary).includes('private note'));

    for (const path of ['/', '/history', '/history.rss', '/history.atom']) {
      const text = await (await get(path)).text();
      assert.doesNotMatch(text, /<script|<img src=x|onerror=|javascript:/i, path);
      assert.match(text, /Cause found\./, path);
      assert.doesNotMatch(text, /private note/, path);
    }
    const page = await (await get('/')).text();
    assert.match(page, /API errors &lt;b&gt;now&lt;\/b&gt;/);
    assert.match(page, /&lt;script&gt;/);
    assert.match(page, /Active incidents/);
    const rss = await (await get('/history.rss')).text();
    assert.match(rss, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<rss version="2.0">/);
    assert.match(rss, /<title>API errors &lt;b&gt;now&lt;\/b&gt;<\/title>/);
    const atom = await (await get('/history.atom')).text();
    assert.match(atom, /<feed xmlns="http:\/\/www.w3.org\/2005\/Atom">/);

    // Resolved incidents leave the page for the history.
    await appendTimelineEntry(deps, deps.local, {
      incidentId: incident.id,
      body: 'All good.',
      public: true,
      status: 'resolved',
    });
    assert.doesNotMatch(await (await get('/')).text(), /Active incidents/);
    assert.match(await (await get('/history')).text(), /All good\./);
    const unresolved = (await (await get('/api/v2/incidents/unresolved.json')).json()) as {
      incidents: unknown[];
    };
    assert.deepEqual(unresolved.incidents, []);
  });

  it('announce and link published post-mortems in the Statuspage JSON and the feeds, never drafts', async (t) => {
    const deps = await openStatusDeps(await use(t), '2026-11-20T10:00:00Z');
    if (!deps) return;
    await deps.addInstance('wayne-prod', 'Wayne');
    const api = await addComponent(deps, deps.local, { slug: 'wayne-prod', name: 'API' });
    const app = statusApp(deps, monitoringData());
    const url = 'https://wayne-prod.status.example.test';
    const resolved = (title: string) =>
      resolvedIncident(deps, deps.local, {
        title,
        severity: 'critical',
        instances: ['wayne-prod'],
        components: [api.id],
      });
    const published = await resolved('Search is <b>down</b>');
    const { incident: draft } = await getIncident(deps, deps.local, { id: published.id });
    await updateIncident(deps, deps.local, {
      id: published.id,
      postmortem: `${draft.postmortem}\n\nThe index ran out of **disk space**. ${hostile}`,
    });
    deps.clock.advance(60 * 60_000);
    const publishedAt = deps.clock.now();
    await publishPostmortem(deps, deps.local, { id: published.id });
    // A reviewed draft not published yet, and one moved to `postmortem` by hand without publishing, as the
    // timeline allowed before only publishing could (the incident and its resolving update).
    const unpublished = await resolved('Slow exports');
    await updateIncident(deps, deps.local, {
      id: unpublished.id,
      postmortem: 'Draft secret: not for customers.',
    });
    const byHand = await resolved('Slow logins');
    await updateIncident(deps, deps.local, { id: byHand.id, postmortem: 'Draft secret: still a draft.' });
    await deps.store.db
      .updateTable('incidents')
      .set({ status: 'postmortem' })
      .where('id', '=', byHand.id)
      .execute();
    await deps.store.db
      .updateTable('incident_timeline')
      .set({ status: 'postmortem' })
      .where('incident_id', '=', byHand.id)
      .where('status', '=', 'resolved')
      .execute();

    const get = async (path: string) => {
      const response = await app.request(`/s/wayne-prod${path}`);
      assert.equal(response.status, 200, path);
      return response;
    };
    type Incidents = {
      incidents: Array<{
        id: string;
        status: string;
        incident_updates: Array<{ status: string; body: string; created_at: string; display_at: string }>;
      }>;
    };
    const incidents = (await (await get('/api/v2/incidents.json')).json()) as Incidents;
    assert.deepEqual(shapeDifferences(incidents, statuspageV2['incidents.json']), []);
    const byId = new Map(incidents.incidents.map((incident) => [incident.id, incident]));
    const announced = byId.get(published.id);
    assert.ok(announced);
    assert.equal(announced.status, 'postmortem');
    assert.deepEqual(
      announced.incident_updates.map((update) => update.status),
      ['postmortem', 'resolved', 'investigating'],
    );
    const [update] = announced.incident_updates;
    assert.ok(update);
    assert.match(update.body, /post-mortem of this incident is published/);
    assert.ok(update.body.endsWith(`\n\n${url}/incidents/${published.id}/postmortem`), update.body);
    assert.equal(update.created_at, publishedAt.toISOString());
    assert.equal(update.display_at, publishedAt.toISOString());
    for (const id of [unpublished.id, byHand.id]) {
      const closed = byId.get(id);
      assert.ok(closed, id);
      assert.equal(closed.status, 'resolved', id);
      assert.deepEqual(
        closed.incident_updates.map((entry) => entry.status),
        ['resolved', 'investigating'],
        id,
      );
    }
    for (const incident of incidents.incidents) {
      assert.ok(statuspageEnums['incident.status']?.includes(incident.status));
      for (const entry of incident.incident_updates)
        assert.ok(statuspageEnums['incident.status']?.includes(entry.status));
    }
    // A post-mortem incident is resolved: in no list of unresolved ones.
    for (const path of ['/api/v2/incidents/unresolved.json', '/api/v2/summary.json'])
      assert.deepEqual(((await (await get(path)).json()) as Incidents).incidents, [], path);

    const rss = await (await get('/history.rss')).text();
    assert.ok(
      rss.includes(
        `<item><title>Post-mortem: Search is &lt;b&gt;down&lt;/b&gt;</title><link>${url}/incidents/${published.id}/postmortem</link><guid isPermaLink="false">${published.id}/postmortem</guid><pubDate>${publishedAt.toUTCString()}</pubDate><description>`,
      ),
      rss,
    );
    assert.equal(rss.match(/<item>/g)?.length, 4);
    const atom = await (await get('/history.atom')).text();
    assert.ok(
      atom.includes(
        `<entry><id>tag:roost,2026:${published.id}/postmortem</id><title>Post-mortem: Search is &lt;b&gt;down&lt;/b&gt;</title><updated>${publishedAt.toISOString()}</updated><published>${publishedAt.toISOString()}</published><link rel="alternate" type="text/html" href="${url}/incidents/${published.id}/postmortem"/>`,
      ),
      atom,
    );
    assert.equal(atom.match(/<entry>/g)?.length, 4);
    for (const feed of [rss, atom]) {
      // The post-mortem's text, sanitised then escaped once more for XML.
      assert.match(feed, /The index ran out of &lt;strong&gt;disk space&lt;\/strong&gt;/);
      assert.doesNotMatch(feed, /<script|<img|&lt;img src|onerror=|javascript:/i);
    }
    for (const path of ['/', '/history', '/history.rss', '/history.atom', '/api/v2/incidents.json']) {
      const text = await (await get(path)).text();
      assert.doesNotMatch(text, /Draft secret/, path);
      for (const id of [unpublished.id, byHand.id])
        assert.ok(!text.includes(`/incidents/${id}/postmortem`), `${path}: ${id}`);
    }
  });

  it('take a post-mortem off every document when its incident is reopened, and back when published again', async (t) => {
    const deps = await openStatusDeps(await use(t), '2026-11-20T10:00:00Z');
    if (!deps) return;
    await deps.addInstance('wayne-prod', 'Wayne');
    // Renders again only when the fingerprint moves: what the pages show below is what the cache noticed.
    const app = statusApp(deps, monitoringData());
    const url = 'https://wayne-prod.status.example.test';
    const incident = await createIncident(deps, deps.local, {
      title: 'Search is down',
      instances: ['wayne-prod'],
      message: 'Searches fail; we are on it.',
    });
    deps.clock.advance(20 * 60_000);
    const resolve = () =>
      appendTimelineEntry(deps, deps.local, {
        incidentId: incident.id,
        body: 'Search works again.',
        public: true,
        status: 'resolved',
      });
    await resolve();
    deps.clock.advance(60 * 60_000);
    await publishPostmortem(deps, deps.local, { id: incident.id });
    const postmortemPath = `/incidents/${incident.id}/postmortem`;
    const documents = ['/', '/history', '/history.rss', '/history.atom', '/api/v2/incidents.json'];
    const read = async (path: string) => {
      const response = await app.request(`/s/wayne-prod${path}`);
      return { status: response.status, text: await response.text() };
    };
    assert.equal((await read(postmortemPath)).status, 200);
    assert.match((await read('/history')).text, /Read the post-mortem/);
    type Incidents = { incidents: Array<{ status: string; incident_updates: Array<{ status: string }> }> };
    const statuses = async () => {
      const [entry] = (JSON.parse((await read('/api/v2/incidents.json')).text) as Incidents).incidents;
      return [entry?.status, entry?.incident_updates.map((update) => update.status)];
    };
    assert.deepEqual(await statuses(), ['postmortem', ['postmortem', 'resolved', 'investigating']]);

    deps.clock.advance(60 * 60_000);
    await appendTimelineEntry(deps, deps.local, {
      incidentId: incident.id,
      body: 'Searches fail again.',
      public: true,
      status: 'identified',
    });
    const gone = await read(postmortemPath);
    assert.equal(gone.status, 404);
    assert.match(gone.text, /No status page here/);
    assert.equal((await read(`${postmortemPath}.pdf`)).status, 404);
    for (const path of documents) {
      const { text } = await read(path);
      assert.ok(!text.includes(postmortemPath), path);
      assert.doesNotMatch(
        text,
        /Read the post-mortem|Post-mortem: Search is down|post-mortem of this incident is published/,
        path,
      );
    }
    assert.match((await read('/')).text, /Active incidents/);
    assert.deepEqual(await statuses(), ['identified', ['identified', 'resolved', 'investigating']]);
    const unresolved = JSON.parse((await read('/api/v2/incidents/unresolved.json')).text) as Incidents;
    assert.equal(unresolved.incidents.length, 1);

    deps.clock.advance(60 * 60_000);
    await resolve();
    deps.clock.advance(60 * 60_000);
    await publishPostmortem(deps, deps.local, { id: incident.id });
    assert.equal((await read(postmortemPath)).status, 200);
    assert.ok((await read('/history.rss')).text.includes(`<link>${url}${postmortemPath}</link>`));
    assert.deepEqual(await statuses(), [
      'postmortem',
      ['postmortem', 'resolved', 'identified', 'resolved', 'investigating'],
    ]);
  });

  it('show no post-mortem on an incident reopened before reopening withdrew it', async (t) => {
    const deps = await openStatusDeps(await use(t), '2026-11-20T10:00:00Z');
    if (!deps) return;
    await deps.addInstance('wayne-prod', 'Wayne');
    const app = statusApp(deps, monitoringData());
    const incident = await createIncident(deps, deps.local, {
      title: 'Search is down',
      instances: ['wayne-prod'],
      message: 'Searches fail; we are on it.',
    });
    await appendTimelineEntry(deps, deps.local, {
      incidentId: incident.id,
      body: 'Search works again.',
      public: true,
      status: 'resolved',
    });
    await publishPostmortem(deps, deps.local, { id: incident.id });
    // Reopened as the timeline did before: open again, the publication left as it was.
    await deps.store.db
      .updateTable('incidents')
      .set({ status: 'investigating', resolved_at: null })
      .where('id', '=', incident.id)
      .execute();
    assert.equal((await app.request(`/s/wayne-prod/incidents/${incident.id}/postmortem`)).status, 404);
    const history = await (await app.request('/s/wayne-prod/history')).text();
    assert.doesNotMatch(history, /Read the post-mortem/);
    assert.match(await (await app.request('/s/wayne-prod/')).text(), /Active incidents/);
  });

  it('serve prepared gzip and brotli copies with ETags, and 304 for a known copy', async (t) => {
    const deps = await openStatusDeps(await use(t));
    if (!deps) return;
    await deps.addInstance('etag-test');
    await addComponent(deps, deps.local, { slug: 'etag-test', name: 'API' });
    const app = statusApp(deps, monitoringData());
    const plain = await app.request('/s/etag-test/');
    const text = await plain.text();
    const etag = plain.headers.get('etag');
    assert.match(etag ?? '', /^"[\w-]+"$/);
    assert.equal(plain.headers.get('vary'), 'Accept-Encoding');
    assert.equal(plain.headers.get('content-encoding'), null);

    const gzip = await app.request('/s/etag-test/', { headers: { 'accept-encoding': 'gzip, deflate' } });
    assert.equal(gzip.headers.get('content-encoding'), 'gzip');
    assert.equal(gunzipSync(Buffer.from(await gzip.arrayBuffer())).toString(), text);
    const br = await app.request('/s/etag-test/', { headers: { 'accept-encoding': 'gzip, deflate, br' } });
    assert.equal(br.headers.get('content-encoding'), 'br');
    const brBody = Buffer.from(await br.arrayBuffer());
    assert.equal(brotliDecompressSync(brBody).toString(), text);
    assert.equal(br.headers.get('content-length'), String(brBody.length));
    const refused = await app.request('/s/etag-test/', { headers: { 'accept-encoding': 'br;q=0, gzip' } });
    assert.equal(refused.headers.get('content-encoding'), 'gzip');

    const again = await app.request('/s/etag-test/', { headers: { 'if-none-match': etag as string } });
    assert.equal(again.status, 304);
    // A change gives a new ETag.
    await addComponent(deps, deps.local, { slug: 'etag-test', name: 'Database' });
    const changed = await app.request('/s/etag-test/', { headers: { 'if-none-match': etag as string } });
    assert.equal(changed.status, 200);
    assert.notEqual(changed.headers.get('etag'), etag);
  });
});

describeEachDialect('status pages over HTTP', (use) => {
  it('answer fresh cached pages on the fast path with the same bytes and headers as the app', async (t) => {
    const deps = await openStatusDeps(await use(t), '2026-11-20T10:00:00Z');
    if (!deps) return;
    await deps.addInstance('acme-prod', 'Acme');
    await configureStatusPage(deps, deps.local, { slug: 'acme-prod', name: 'Acme Corp' });
    await addComponent(deps, deps.local, { slug: 'acme-prod', name: 'API', monitors: ['mon_api'] });
    const monitoring = monitoringData();
    const metrics = createMetrics();
    const server = statusServer(deps, monitoring, { revalidateMs: 60_000, metrics });
    const fastPath = server.fastPath;
    assert.ok(fastPath);
    let fast = 0;
    const running = await listen(
      server.app,
      { host: '127.0.0.1', port: 0 },
      {
        fastPath: (request) => {
          const answer = fastPath(request);
          if (answer) fast++;
          return answer;
        },
      },
    );
    t.after(() => running.close());
    const get = (path: string, headers: Record<string, string> = {}) =>
      fetch(`${running.url}${path}`, { headers: { 'accept-encoding': 'identity', ...headers } });
    const headersOf = (response: Response) =>
      Object.fromEntries(
        [...response.headers].filter(([name]) => !['date', 'connection', 'keep-alive'].includes(name)),
      );

    // The first read builds the cache through the app; the second comes from the fast path.
    const first = await get('/s/acme-prod/api/v2/summary.json');
    const firstBody = await first.text();
    assert.equal(fast, 0);
    const second = await get('/s/acme-prod/api/v2/summary.json');
    assert.equal(fast, 1);
    assert.equal(await second.text(), firstBody);
    assert.deepEqual(headersOf(second), headersOf(first));
    // Host routing, encodings and conditional requests behave the same on the fast path.
    // fetch cannot set Host; node:http can.
    const byHost = () =>
      new Promise<{ status: number; encoding: string | undefined }>((resolve, reject) => {
        const request = httpGet(
          `${running.url}/`,
          { headers: { host: 'acme-prod.status.example.test', 'accept-encoding': 'br' } },
          (response) => {
            response.resume();
            response.on('end', () =>
              resolve({ status: response.statusCode ?? 0, encoding: response.headers['content-encoding'] }),
            );
          },
        );
        request.on('error', reject);
      });
    assert.deepEqual(await byHost(), { status: 200, encoding: 'br' }); // cached apart from its /s/ copy
    assert.deepEqual(await byHost(), { status: 200, encoding: 'br' });
    assert.equal(fast, 2);
    const tag = second.headers.get('etag') ?? '';
    const notModified = await get('/s/acme-prod/api/v2/summary.json', { 'if-none-match': tag });
    assert.equal(notModified.status, 304);
    assert.equal(notModified.headers.get('content-length'), null);
    assert.equal(fast, 3);
    const head = await fetch(`${running.url}/s/acme-prod/api/v2/summary.json`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(fast, 4);
    // Escaped paths, unknown pages, subscriptions and POSTs take the app's way.
    assert.equal((await get('/s/acme-prod/%61pi/v2/summary.json')).status, 200);
    assert.equal((await get('/s/nobody-here/')).status, 404);
    assert.equal((await get('/s/acme-prod/nothing-here')).status, 404);
    assert.equal((await fetch(`${running.url}/s/acme-prod/`, { method: 'POST' })).status, 404);
    assert.equal(fast, 4);
    // Both ways are counted in the same series.
    const exposition = await metrics.registry.metrics();
    assert.match(exposition, /\{server="status",method="GET",route="\/\*",status="200"\} 5\n/);
    assert.match(exposition, /\{server="status",method="GET",route="\/\*",status="304"\} 1\n/);
    assert.match(exposition, /\{server="status",method="HEAD",route="\/\*",status="200"\} 1\n/);
  });
});

describeEachDialect('the status page cache', (use) => {
  it('makes every reader of a page not built yet wait for it, however the build interleaves', async (t) => {
    const deps = await openStatusDeps(await use(t), '2026-11-20T10:00:00Z');
    if (!deps) return;
    await deps.addInstance('acme-prod', 'Acme');
    await configureStatusPage(deps, deps.local, { slug: 'acme-prod', name: 'Acme Corp' });
    const monitoring = monitoringData();
    const cache = createStatusCache(
      localChecker({
        store: deps.store,
        clock: deps.clock,
        health: monitoring.health,
        uptime: monitoring.uptime,
      }),
      { revalidateMs: 60_000, maxPages: 10, urlOf: (slug) => `https://${slug}.status.example.test` },
    );
    const first = cache.documents('acme-prod', '');
    let settled = false;
    void first.then(() => {
      settled = true;
    });
    // A reader on every turn of the event loop while the first build runs (rendering, then compression).
    const readers: Array<ReturnType<typeof cache.documents>> = [];
    while (!settled) {
      readers.push(cache.documents('acme-prod', ''));
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.ok(readers.length > 1, 'readers arrived while the page was being built');
    for (const documents of await Promise.all([first, ...readers])) assert.ok(documents?.get('/'));
  });

  it('answers a cached page at once while it is checked, and the new copy once it is rebuilt', async (t) => {
    const deps = await openStatusDeps(await use(t), '2026-11-20T10:00:00Z');
    if (!deps) return;
    await deps.addInstance('acme-prod', 'Acme');
    await configureStatusPage(deps, deps.local, { slug: 'acme-prod', name: 'Acme Corp' });
    const monitoring = monitoringData();
    let now = 0;
    const cache = createStatusCache(
      localChecker({
        store: deps.store,
        clock: deps.clock,
        health: monitoring.health,
        uptime: monitoring.uptime,
      }),
      {
        revalidateMs: 1_000,
        maxPages: 10,
        urlOf: (slug) => `https://${slug}.status.example.test`,
        now: () => now,
      },
    );
    // Not built yet: nothing at once; the asynchronous way builds it.
    assert.equal(cache.ready('acme-prod', ''), undefined);
    const built = await cache.documents('acme-prod', '');
    assert.equal(cache.ready('acme-prod', ''), built);
    await addComponent(deps, deps.local, { slug: 'acme-prod', name: 'Database' });
    // Checked within the second: the same copy, no check.
    now = 999;
    assert.equal(cache.ready('acme-prod', ''), built);
    // Older: the same copy at once, and the check starts; once it has rebuilt, readers get the new copy.
    now = 1_000;
    assert.equal(cache.ready('acme-prod', ''), built);
    for (let turn = 0; turn < 500 && cache.ready('acme-prod', '') === built; turn++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    const rebuilt = cache.ready('acme-prod', '');
    assert.notEqual(rebuilt, built);
    assert.match(String(rebuilt?.get('/api/v2/components.json')?.copies.identity.body), /Database/);
  });
});
