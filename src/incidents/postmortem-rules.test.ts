// When a post-mortem is public, on both dialects: it is published once, by publishing only.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeEachDialect } from '../../test/fixtures/store.ts';
import { isRoostError } from '../core/errors.ts';
import { createJobs, type Jobs } from '../jobs/index.ts';
import { openStatusDeps, type StatusTestDeps } from '../status/test-fixture.ts';
import {
  appendTimelineEntry,
  createIncident,
  getIncident,
  listIncidents,
  postmortemMailQueue,
  publishPostmortem,
} from './index.ts';

/** The incident operations with a job queue nothing works on: the test reads what they enqueue. */
function withJobs(deps: StatusTestDeps): StatusTestDeps & { jobs: Jobs } {
  return {
    ...deps,
    jobs: createJobs({ store: deps.store, clock: deps.clock }, { timeZone: 'UTC', leaseSeconds: 30 }),
  };
}

/** An incident on `slug` with a public update, resolved: its post-mortem draft is written. */
async function resolvedIncident(deps: StatusTestDeps & { jobs: Jobs }, slug: string) {
  const incident = await createIncident(deps, deps.local, {
    title: 'Search is down',
    instances: [slug],
    message: 'Searches fail; we are on it.',
  });
  deps.clock.advance(20 * 60_000);
  await appendTimelineEntry(deps, deps.local, {
    incidentId: incident.id,
    body: 'Search works again.',
    public: true,
    status: 'resolved',
  });
  deps.clock.advance(60 * 60_000);
  return incident;
}

describeEachDialect('post-mortem publication', (use) => {
  it('publishes once: publishing again is a conflict that announces, mails and moves nothing', async (t) => {
    const opened = await openStatusDeps(await use(t));
    if (!opened) return;
    const deps = withJobs(opened);
    await deps.addInstance('acme-prod', 'Acme');
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
    const opened = await openStatusDeps(await use(t));
    if (!opened) return;
    const deps = withJobs(opened);
    await deps.addInstance('acme-prod', 'Acme');
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

  it('takes `postmortem` from publishing only: refused by hand on an incident or an update', async (t) => {
    const opened = await openStatusDeps(await use(t));
    if (!opened) return;
    const deps = withJobs(opened);
    await deps.addInstance('acme-prod', 'Acme');
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
    const opened = await openStatusDeps(await use(t));
    if (!opened) return;
    const deps = withJobs(opened);
    await deps.addInstance('acme-prod', 'Acme');
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
});
