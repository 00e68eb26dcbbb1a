// When a post-mortem is public, on both dialects: it is published once, by publishing only.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { resolvedIncident as openedAndResolved } from '../../test/fixtures/incidents.ts';
import { describeEachDialect, type TestStore } from '../../test/fixtures/store.ts';
import { isRoostError } from '../core/errors.ts';
import { createJobs, type Jobs } from '../jobs/index.ts';
import { noHealth, noUptime, readPublicStatus, statusFingerprint } from '../status/index.ts';
import { openStatusDeps, type StatusTestDeps } from '../status/test-fixture.ts';
import {
  appendTimelineEntry,
  createIncident,
  getIncident,
  listIncidents,
  postmortemMailQueue,
  publishPostmortem,
} from './index.ts';

type Deps = StatusTestDeps & { jobs: Jobs };

/**
 * The incident operations on a fresh store with the instance `acme-prod`, and a job queue nothing works on:
 * the tests read what they enqueue. Undefined when the dialect's service is missing.
 */
async function openDeps(opened: TestStore | undefined): Promise<Deps | undefined> {
  const deps = await openStatusDeps(opened);
  if (!deps) return undefined;
  await deps.addInstance('acme-prod', 'Acme');
  return {
    ...deps,
    jobs: createJobs({ store: deps.store, clock: deps.clock }, { timeZone: 'UTC', leaseSeconds: 30 }),
  };
}

/** An incident on `slug` with a public update, resolved: its post-mortem draft is written. */
async function resolvedIncident(deps: Deps, slug: string) {
  const incident = await openedAndResolved(deps, deps.local, { title: 'Search is down', instances: [slug] });
  deps.clock.advance(60 * 60_000);
  return incident;
}

describeEachDialect('post-mortem publication', (use) => {
  it('publishes once: publishing again is a conflict that announces, mails and moves nothing', async (t) => {
    const deps = await openDeps(await use(t));
    if (!deps) return;
    const incident = await resolvedIncident(deps, 'acme-prod');
    const published = await publishPostmortem(deps, deps.local, { id: incident.id });
    const jobsBefore = (await deps.jobs.list()).map((job) => job.id).sort();

    deps.clock.advance(5 * 60_000);
    await assert.rejects(publishPostmortem(deps, deps.local, { id: incident.id }), (error) => {
      assert.ok(isRoostError(error, 'conflict'), String(error));
      assert.match(error.message, /already published \(.+\): edit it/);
      return true;
    });
    const { incident: after, timeline } = await getIncident(deps, deps.local, { id: incident.id });
    assert.equal(after.status, 'postmortem');
    assert.deepEqual(after.postmortemPublishedAt, published.postmortemPublishedAt);
    assert.equal(timeline.filter((entry) => entry.status === 'postmortem').length, 1, 'one announcement');
    assert.deepEqual((await deps.jobs.list()).map((job) => job.id).sort(), jobsBefore, 'no mail queued');
    assert.equal((await deps.jobs.list({ queue: postmortemMailQueue })).length, 1);
    const actions = (await deps.audit.list({ target: incident.id })).map((event) => event.action);
    assert.equal(actions.filter((action) => action === 'incident.postmortem.publish').length, 1);
  });

  it('publishes once when two publish at the same time', async (t) => {
    const deps = await openDeps(await use(t));
    if (!deps) return;
    const incident = await resolvedIncident(deps, 'acme-prod');
    const results = await Promise.allSettled([
      publishPostmortem(deps, deps.local, { id: incident.id }),
      publishPostmortem(deps, deps.local, { id: incident.id }),
    ]);
    assert.deepEqual(results.map((result) => result.status).sort(), ['fulfilled', 'rejected']);
    const refused = results.find((result) => result.status === 'rejected');
    assert.ok(isRoostError(refused?.reason, 'conflict'), String(refused?.reason));
    const { timeline } = await getIncident(deps, deps.local, { id: incident.id });
    assert.equal(timeline.filter((entry) => entry.status === 'postmortem').length, 1);
  });

  it('resolves an incident opened as resolved as a later status change would: its post-mortem can be published', async (t) => {
    const deps = await openDeps(await use(t));
    if (!deps) return;
    const page = { ...deps, health: noHealth, uptime: noUptime };
    // Written up afterwards: it started four months ago and is over.
    const startedAt = new Date(deps.clock.now().getTime() - 120 * 86_400_000);
    const incident = await createIncident(deps, deps.local, {
      title: 'Backups ran late',
      instances: ['acme-prod'],
      status: 'resolved',
      startedAt,
      message: 'Backups of one night ran late; all were taken.',
    });
    assert.equal(incident.status, 'resolved');
    assert.deepEqual(incident.resolvedAt, deps.clock.now());
    const draft = incident.postmortem ?? '';
    assert.match(draft, /^# Post-mortem: Backups ran late/);
    assert.match(draft, /\[update\] local: Backups of one night ran late; all were taken\./);
    assert.deepEqual((await getIncident(deps, deps.local, { id: incident.id })).incident, incident);
    // Resolved, it is history: out of the 90 days the status page shows, not an incident going on.
    assert.deepEqual((await readPublicStatus(page, 'acme-prod'))?.incidents, []);

    deps.clock.advance(60_000);
    const published = await publishPostmortem(deps, deps.local, { id: incident.id });
    assert.equal(published.status, 'postmortem');
    assert.equal(published.postmortem, draft);

    // Opened at an open status: nothing resolved, nothing drafted.
    const open = await createIncident(deps, deps.local, { title: 'Slow API', status: 'monitoring' });
    assert.equal(open.resolvedAt, null);
    assert.equal(open.postmortem, null);
  });

  it('takes `postmortem` from publishing only: refused by hand on an incident or an update', async (t) => {
    const deps = await openDeps(await use(t));
    if (!deps) return;
    const byHand = (error: unknown) => {
      assert.ok(isRoostError(error, 'invalid_input'), String(error));
      assert.equal(
        error.message,
        'status: postmortem comes only from publishing the post-mortem: resolve the incident, then publish it',
      );
      return true;
    };
    await assert.rejects(
      createIncident(deps, deps.local, {
        title: 'x',
        instances: ['acme-prod'],
        status: 'postmortem' as never,
      }),
      byHand,
    );
    const incident = await resolvedIncident(deps, 'acme-prod');
    const before = await getIncident(deps, deps.local, { id: incident.id });
    await assert.rejects(
      appendTimelineEntry(deps, deps.local, {
        incidentId: incident.id,
        body: 'Post-mortem is out.',
        public: true,
        status: 'postmortem' as never,
      }),
      byHand,
    );
    assert.deepEqual(await getIncident(deps, deps.local, { id: incident.id }), before, 'nothing written');
    assert.equal((await listIncidents(deps, deps.local, {})).length, 1);
  });

  it('keeps `postmortem` for the publication: later updates read `resolved` and `resolved` changes nothing', async (t) => {
    const deps = await openDeps(await use(t));
    if (!deps) return;
    const incident = await resolvedIncident(deps, 'acme-prod');
    const published = await publishPostmortem(deps, deps.local, { id: incident.id });
    deps.clock.advance(60_000);
    const followUp = await appendTimelineEntry(deps, deps.local, {
      incidentId: incident.id,
      body: 'The index now has an alert on disk space.',
      public: true,
    });
    assert.equal(followUp.status, 'resolved');
    const resolvedAgain = await appendTimelineEntry(deps, deps.local, {
      incidentId: incident.id,
      body: 'Still resolved.',
      public: true,
      status: 'resolved',
    });
    assert.equal(resolvedAgain.status, 'resolved');
    const { incident: after, timeline } = await getIncident(deps, deps.local, { id: incident.id });
    assert.equal(after.status, 'postmortem');
    assert.deepEqual(after.postmortemPublishedAt, published.postmortemPublishedAt);
    assert.deepEqual(after.resolvedAt, published.resolvedAt);
    assert.deepEqual(
      timeline.filter((entry) => entry.public).map((entry) => entry.status),
      ['investigating', 'resolved', 'postmortem', 'resolved', 'resolved'],
    );
  });

  it('withdraws a published post-mortem when the incident is reopened, until it is published again', async (t) => {
    const deps = await openDeps(await use(t));
    if (!deps) return;
    const page = { ...deps, health: noHealth, uptime: noUptime };
    const incident = await resolvedIncident(deps, 'acme-prod');
    const first = await publishPostmortem(deps, deps.local, { id: incident.id });
    // As the print job would have stored it (no printer runs here).
    await deps.store.db
      .insertInto('postmortem_pdfs')
      .values({
        incident_id: incident.id,
        source_sha256: 'a'.repeat(64),
        sha256: 'b'.repeat(64),
        size: 5,
        content: Buffer.from('%PDF-'),
        created_at: deps.clock.now().getTime(),
      })
      .execute();
    const shown = (await readPublicStatus(page, 'acme-prod'))?.incidents[0];
    assert.equal(shown?.status, 'postmortem');
    assert.equal(shown?.postmortemPdf, 'b'.repeat(64));
    const fingerprint = await statusFingerprint(page, 'acme-prod');

    deps.clock.advance(30 * 60_000);
    await appendTimelineEntry(deps, deps.local, {
      incidentId: incident.id,
      body: 'Searches fail again.',
      public: true,
      status: 'investigating',
    });
    const { incident: reopened, timeline } = await getIncident(deps, deps.local, { id: incident.id });
    assert.equal(reopened.status, 'investigating');
    assert.equal(reopened.resolvedAt, null);
    assert.equal(reopened.postmortemPublishedAt, null, 'a draft again');
    assert.equal(reopened.postmortem, first.postmortem, 'the text is kept');
    const announcement = timeline.find((entry) => entry.status === 'postmortem');
    assert.equal(announcement?.public, false, 'the announcement leaves the pages');
    // Written at the same instant as the reopening entry, and after it.
    assert.deepEqual(
      timeline.slice(-2).map((entry) => [entry.kind, entry.public, entry.body.split(':')[0]]),
      [
        ['update', true, 'Searches fail again.'],
        ['status', false, 'Post-mortem withdrawn from the status pages'],
      ],
    );
    assert.equal(timeline.filter((entry) => entry.body.startsWith('Post-mortem withdrawn')).length, 1);
    assert.deepEqual(await deps.store.db.selectFrom('postmortem_pdfs').select('incident_id').execute(), []);
    const withdrawn = (await deps.audit.list({ target: incident.id })).filter(
      (event) => event.action === 'incident.postmortem.withdraw',
    );
    assert.equal(withdrawn.length, 1);
    assert.deepEqual(withdrawn[0]?.details, {
      reason: 'reopened',
      publishedAt: first.postmortemPublishedAt?.toISOString(),
      hiddenUpdates: [announcement?.id],
    });
    // The pages change with it: their caches see a new fingerprint and render no post-mortem.
    assert.notEqual(await statusFingerprint(page, 'acme-prod'), fingerprint);
    const open = (await readPublicStatus(page, 'acme-prod'))?.incidents[0];
    assert.equal(open?.status, 'investigating');
    assert.equal(open?.postmortem, null);
    assert.equal(open?.postmortemPublishedAt, null);
    assert.equal(open?.postmortemPdf, null);
    assert.deepEqual(
      open?.updates.map((update) => update.status),
      ['investigating', 'resolved', 'investigating'],
    );
    await assert.rejects(
      publishPostmortem(deps, deps.local, { id: incident.id }),
      (error) => isRoostError(error, 'conflict') && /resolve the incident/.test(error.message),
    );

    // Resolved and published again: announced again, and mailed again (a job of its own).
    deps.clock.advance(30 * 60_000);
    await appendTimelineEntry(deps, deps.local, {
      incidentId: incident.id,
      body: 'Search works again.',
      public: true,
      status: 'resolved',
    });
    const second = await publishPostmortem(deps, deps.local, { id: incident.id });
    assert.ok(second.postmortemPublishedAt && first.postmortemPublishedAt);
    assert.ok(second.postmortemPublishedAt > first.postmortemPublishedAt);
    const republished = (await readPublicStatus(page, 'acme-prod'))?.incidents[0];
    assert.equal(republished?.status, 'postmortem');
    assert.deepEqual(republished?.postmortemPublishedAt, second.postmortemPublishedAt);
    assert.equal(republished?.updates.filter((update) => update.status === 'postmortem').length, 1);
    const mails = await deps.jobs.list({ queue: postmortemMailQueue });
    assert.deepEqual(
      mails.map((job) => job.payload).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
      [first, second].map((entry) => ({
        incidentId: incident.id,
        publishedAt: entry.postmortemPublishedAt?.getTime(),
      })),
    );
  });

  it('withdraws nothing when an incident without a published post-mortem is reopened', async (t) => {
    const deps = await openDeps(await use(t));
    if (!deps) return;
    const incident = await resolvedIncident(deps, 'acme-prod');
    await appendTimelineEntry(deps, deps.local, {
      incidentId: incident.id,
      body: 'Not over yet.',
      status: 'monitoring',
    });
    const { incident: reopened, timeline } = await getIncident(deps, deps.local, { id: incident.id });
    assert.equal(reopened.status, 'monitoring');
    assert.equal(reopened.resolvedAt, null);
    assert.ok(reopened.postmortem, 'the draft is kept');
    assert.ok(timeline.every((entry) => !entry.body.startsWith('Post-mortem withdrawn')));
    const actions = (await deps.audit.list({ target: incident.id })).map((event) => event.action);
    assert.ok(!actions.includes('incident.postmortem.withdraw'));
  });
});
