import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeEachDialect } from '../../test/fixtures/store.ts';
import type { Actor } from '../auth/actor.ts';
import { rolePermissions } from '../auth/index.ts';
import { isRoostError } from '../core/errors.ts';
import { noHealth, noUptime, readPublicStatus } from '../status/index.ts';
import { openStatusDeps } from '../status/test-fixture.ts';
import {
  appendTimelineEntry,
  createIncident,
  getIncident,
  listIncidents,
  publishPostmortem,
  updateIncident,
} from './index.ts';

const viewer: Actor = {
  kind: 'user',
  id: 'usr_viewer',
  label: 'viewer@example.com',
  role: 'viewer',
  permissions: new Set(rolePermissions.viewer),
  secondFactorAt: null,
  ip: null,
};

describeEachDialect('incident logbook', (use) => {
  it('keeps the five fields, a timeline, and drafts a post-mortem when resolved', async (t) => {
    const deps = await openStatusDeps(await use(t));
    if (!deps) return;
    await deps.addInstance('acme-prod', 'Acme');
    const incident = await createIncident(deps, deps.local, {
      title: 'API answers 502',
      severity: 'critical',
      instances: ['acme-prod'],
      whatIsGoingOn: 'The **API** of acme-prod answers 502.',
      message: 'We are investigating errors on the API.',
    });
    assert.match(incident.id, /^inc_/);
    assert.equal(incident.status, 'investigating');
    deps.clock.advance(1_000);

    await appendTimelineEntry(deps, deps.local, {
      incidentId: incident.id,
      kind: 'alert',
      source: 'monitoring',
      body: 'api-health down for 3 checks',
    });
    deps.clock.advance(20 * 60_000);
    await updateIncident(deps, deps.local, {
      id: incident.id,
      howWeUnderstood: 'The database ran out of connections.',
      whatWeDid: 'Raised the pool limit and restarted the API.',
      impacts: 'Requests failed for 35 minutes.',
      howToAvoid: 'Alert on pool saturation.',
    });
    await appendTimelineEntry(deps, deps.local, {
      incidentId: incident.id,
      body: 'Fix deployed, watching.',
      public: true,
      status: 'monitoring',
    });
    deps.clock.advance(15 * 60_000);
    await appendTimelineEntry(deps, deps.local, {
      incidentId: incident.id,
      body: 'Resolved.',
      public: true,
      status: 'resolved',
    });

    // Every employee reads the logbook.
    const details = await getIncident(deps, viewer, { id: incident.id });
    assert.equal(details.incident.status, 'resolved');
    assert.ok(details.incident.resolvedAt);
    assert.deepEqual(
      details.instances.map((instance) => instance.slug),
      ['acme-prod'],
    );
    assert.deepEqual(
      details.timeline.map((entry) => [entry.kind, entry.public, entry.status]),
      [
        ['update', true, 'investigating'],
        ['alert', false, null],
        ['update', true, 'monitoring'],
        ['update', true, 'resolved'],
      ],
    );
    const draft = details.incident.postmortem ?? '';
    assert.match(draft, /# Post-mortem: API answers 502/);
    assert.match(draft, /after 35 min/);
    assert.match(draft, /## How we understood it\n\nThe database ran out of connections\./);
    assert.match(draft, /## How to avoid it next time\n\nAlert on pool saturation\./);
    assert.match(draft, /\[alert\] monitoring: api-health down for 3 checks/);
    assert.match(draft, /Instances: acme-prod/);

    // Reviewed, then published: the incident moves to postmortem and the status page shows the text.
    await updateIncident(deps, deps.local, {
      id: incident.id,
      postmortem: `${draft}\n\nReviewed by the team.`,
    });
    const published = await publishPostmortem(deps, deps.local, { id: incident.id });
    assert.equal(published.status, 'postmortem');
    assert.ok(published.postmortemPublishedAt);
    const snapshot = await readPublicStatus({ ...deps, health: noHealth, uptime: noUptime }, 'acme-prod');
    assert.match(snapshot?.incidents[0]?.postmortem ?? '', /Reviewed by the team\./);

    // The audit trail names every change.
    const actions = (await deps.audit.list({ target: incident.id })).map((event) => event.action);
    assert.deepEqual(actions.sort(), [
      'incident.create',
      'incident.postmortem.publish',
      'incident.timeline',
      'incident.timeline',
      'incident.timeline',
      'incident.update',
      'incident.update',
    ]);
  });

  it('searches titles, fields and timelines, and filters open ones and by instance', async (t) => {
    const deps = await openStatusDeps(await use(t));
    if (!deps) return;
    await deps.addInstance('shop-one');
    await deps.addInstance('shop-two');
    const disk = await createIncident(deps, deps.local, {
      title: 'Disk full on db node',
      instances: ['shop-one'],
      impacts: 'Uploads refused at 100% usage',
    });
    deps.clock.advance(1_000);
    const tls = await createIncident(deps, deps.local, {
      title: 'Certificate expired',
      instances: ['shop-two'],
    });
    await appendTimelineEntry(deps, deps.local, {
      incidentId: tls.id,
      body: 'renewed with certbot',
      status: 'resolved',
    });

    const ids = async (input: Parameters<typeof listIncidents>[2]) =>
      (await listIncidents(deps, viewer, input)).map((incident) => incident.id);
    assert.deepEqual(await ids({}), [tls.id, disk.id]);
    assert.deepEqual(await ids({ query: 'DISK' }), [disk.id]);
    assert.deepEqual(await ids({ query: '100%' }), [disk.id]);
    assert.deepEqual(await ids({ query: '10_%' }), []);
    assert.deepEqual(await ids({ query: 'certbot' }), [tls.id]);
    assert.deepEqual(await ids({ query: 'disk certbot' }), []);
    assert.deepEqual(await ids({ open: true }), [disk.id]);
    assert.deepEqual(await ids({ instance: 'shop-two' }), [tls.id]);
  });

  it('keeps the order entries were written in, all in the same millisecond', async (t) => {
    const deps = await openStatusDeps(await use(t));
    if (!deps) return;
    await deps.addInstance('acme-prod', 'Acme');
    // The clock never moves: every entry has the same time, only the order of writing tells them apart.
    const incident = await createIncident(deps, deps.local, {
      title: 'Queue stuck',
      instances: ['acme-prod'],
      message: 'Update 0',
    });
    const written = ['Update 0'];
    for (let n = 1; n < 40; n++) {
      const body = n % 3 === 0 ? `Update ${n}` : `Note ${n}`;
      await appendTimelineEntry(deps, deps.local, { incidentId: incident.id, body, public: n % 3 === 0 });
      written.push(body);
    }
    await appendTimelineEntry(deps, deps.local, {
      incidentId: incident.id,
      body: 'Done.',
      status: 'resolved',
    });
    written.push('Done.');

    const { incident: resolved, timeline } = await getIncident(deps, deps.local, { id: incident.id });
    assert.deepEqual(
      timeline.map((entry) => entry.body),
      written,
    );
    const drafted = [...(resolved.postmortem ?? '').matchAll(/\] local: (.+)$/gm)].map((match) => match[1]);
    assert.deepEqual(drafted, written, 'the post-mortem draft lists them in the same order');
    // The status page shows its updates newest first: the reverse of the order they were written in.
    const page = await readPublicStatus({ ...deps, health: noHealth, uptime: noUptime }, 'acme-prod');
    assert.deepEqual(
      page?.incidents[0]?.updates.map((update) => update.body),
      written.filter((body) => body.startsWith('Update')).reverse(),
    );
  });

  it('numbers the entries of concurrent writers one after the other', async (t) => {
    const deps = await openStatusDeps(await use(t));
    if (!deps) return;
    const incident = await createIncident(deps, deps.local, { title: 'Queue stuck' });
    await Promise.all(
      Array.from({ length: 12 }, (_, n) =>
        appendTimelineEntry(deps, deps.local, { incidentId: incident.id, body: `Writer ${n}` }),
      ),
    );
    const numbers = await deps.store.db
      .selectFrom('incident_timeline')
      .select('seq')
      .where('incident_id', '=', incident.id)
      .orderBy('seq')
      .execute();
    assert.deepEqual(
      numbers.map((row) => Number(row.seq)),
      Array.from({ length: 13 }, (_, n) => n + 1),
    );
    const { timeline } = await getIncident(deps, deps.local, { id: incident.id });
    assert.equal(new Set(timeline.map((entry) => entry.body)).size, 13);
  });

  it('refuses viewers writing, unknown instances and unknown incidents', async (t) => {
    const deps = await openStatusDeps(await use(t));
    if (!deps) return;
    await assert.rejects(createIncident(deps, viewer, { title: 'x' }), (error) =>
      isRoostError(error, 'forbidden'),
    );
    await assert.rejects(
      createIncident(deps, deps.local, { title: 'x', instances: ['nope-nope'] }),
      (error) => isRoostError(error, 'not_found'),
    );
    await assert.rejects(
      appendTimelineEntry(deps, deps.local, { incidentId: `inc_${'0'.repeat(26)}`, body: 'x' }),
      (error) => isRoostError(error, 'not_found'),
    );
    await assert.rejects(createIncident(deps, deps.local, { title: '' }), (error) =>
      isRoostError(error, 'invalid_input'),
    );
  });
});
