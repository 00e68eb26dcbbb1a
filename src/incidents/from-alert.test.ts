import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeEachDialect } from '../../test/fixtures/store.ts';
import { isRoostError } from '../core/errors.ts';
import { conditionReporter } from '../monitoring/index.ts';
import { addComponent } from '../status/index.ts';
import { openStatusDeps } from '../status/test-fixture.ts';
import { alertTimeline, appendTimelineEntry, createIncidentFromAlert, getIncident } from './index.ts';

describeEachDialect('incident from an alert', (use) => {
  it('opens one incident per open alert, with its instance and components, and follows the alert', async (t) => {
    const deps = await openStatusDeps(await use(t));
    if (!deps) return;
    const instanceId = await deps.addInstance('wayne-prod', 'Wayne');
    const api = await addComponent(deps, deps.local, {
      slug: 'wayne-prod',
      name: 'API',
      monitors: ['mon_api'],
    });
    await addComponent(deps, deps.local, { slug: 'wayne-prod', name: 'Login', monitors: ['mon_login'] });
    // A real alert through the alerting port, with the incident timelines listening.
    const conditions = conditionReporter({ ...deps, listeners: [alertTimeline(deps)] });
    const condition = {
      source: 'backups',
      key: `${instanceId}:backup-failed`,
      instanceId,
      severity: 'critical' as const,
      summary: 'Backups of wayne-prod failed 3 times',
    };
    await conditions.report({ ...condition, active: true });
    const alert = await deps.store.db.selectFrom('alerts').selectAll().executeTakeFirstOrThrow();
    // Give the alert a monitor shown by the API component, as a probe's alert would have.
    await deps.store.db
      .updateTable('alerts')
      .set({ monitor_id: 'mon_api' })
      .where('id', '=', alert.id)
      .execute();

    deps.clock.advance(60_000);
    const first = await createIncidentFromAlert(deps, deps.local, { alertId: alert.id });
    assert.equal(first.created, true);
    assert.equal(first.incident.title, 'Backups of wayne-prod failed 3 times');
    assert.equal(first.incident.severity, 'critical');
    const details = await getIncident(deps, deps.local, { id: first.incident.id });
    assert.deepEqual(
      details.instances.map((instance) => instance.slug),
      ['wayne-prod'],
    );
    assert.deepEqual(
      details.components.map((component) => component.id),
      [api.id],
    );
    assert.ok(details.timeline.some((entry) => entry.kind === 'alert' && entry.body.includes(alert.id)));

    const again = await createIncidentFromAlert(deps, deps.local, { alertId: alert.id });
    assert.equal(again.created, false);
    assert.equal(again.incident.id, first.incident.id, 'the open incident, not a second one');
    assert.equal((await deps.store.db.selectFrom('incidents').select('id').execute()).length, 1);

    // The alert resolving reaches this incident's timeline.
    deps.clock.advance(60_000);
    await conditions.report({ ...condition, active: false });
    const followed = await getIncident(deps, deps.local, { id: first.incident.id });
    assert.ok(
      followed.timeline.some(
        (entry) => entry.kind === 'alert' && /^Alert resolved: Backups of wayne-prod/.test(entry.body),
      ),
      followed.timeline.map((entry) => entry.body).join('\n'),
    );

    // Once that incident is resolved, the same alert opens a new one.
    await appendTimelineEntry(deps, deps.local, {
      incidentId: first.incident.id,
      body: 'Fixed.',
      public: true,
      status: 'resolved',
    });
    const next = await createIncidentFromAlert(deps, deps.local, { alertId: alert.id });
    assert.equal(next.created, true);
    assert.notEqual(next.incident.id, first.incident.id);

    await assert.rejects(
      createIncidentFromAlert(deps, deps.local, { alertId: 'alr_00000000000000000000000000' }),
      (error) => isRoostError(error, 'not_found'),
    );
    await assert.rejects(
      createIncidentFromAlert(deps, deps.local, { alertId: 'nope' }),
      (error) => isRoostError(error, 'invalid_input') && /alertId/.test(JSON.stringify(error.details)),
    );
  });

  it('follows an alert without an instance on the incident opened from it', async (t) => {
    const deps = await openStatusDeps(await use(t));
    if (!deps) return;
    const conditions = conditionReporter({ ...deps, listeners: [alertTimeline(deps)] });
    const condition = {
      source: 'drills',
      key: 'host:disk',
      instanceId: null,
      severity: 'warning' as const,
      summary: 'Disk 91% full on node-2',
    };
    await conditions.report({ ...condition, active: true });
    const alert = await deps.store.db.selectFrom('alerts').selectAll().executeTakeFirstOrThrow();
    const { incident } = await createIncidentFromAlert(deps, deps.local, { alertId: alert.id });
    assert.equal(incident.severity, 'major');
    deps.clock.advance(60_000);
    await conditions.report({ ...condition, active: false });
    const { timeline, instances } = await getIncident(deps, deps.local, { id: incident.id });
    assert.equal(instances.length, 0);
    assert.ok(timeline.some((entry) => /^Alert resolved: Disk 91% full/.test(entry.body)));
  });
});
