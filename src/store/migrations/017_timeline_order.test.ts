// Timelines written before entries were numbered keep the order they were shown in, on both dialects.
import assert from 'node:assert/strict';
import path from 'node:path';
import { it } from 'node:test';
import { describeEachDialect, insertRow } from '../../../test/fixtures/store.ts';
import { appendTimelineEntry, getIncident } from '../../incidents/index.ts';
import { openStatusDeps } from '../../status/test-fixture.ts';
import { loadMigrations, migrate } from '../migrate.ts';

const migrationNumber = Number(path.basename(import.meta.filename).slice(0, 3));
const at = Date.UTC(2026, 10, 2, 9, 0);

describeEachDialect('migration: timeline order', (use) => {
  it('numbers existing entries by time, then id, and new entries after them', async (t) => {
    const opened = await use(t, { migrationsBefore: migrationNumber });
    const deps = await openStatusDeps(opened, new Date(at + 60_000).toISOString());
    if (!opened || !deps) return;
    const { store } = opened;
    for (const id of ['inc_01withentries0000000000000', 'inc_01withoutentries0000000000'])
      await insertRow(store.db, 'incidents', {
        id,
        title: 'Queue stuck',
        severity: 'major',
        status: 'investigating',
        what_is_going_on: '',
        how_we_understood: '',
        what_we_did: '',
        impacts: '',
        how_to_avoid: '',
        postmortem: null,
        postmortem_published_at: null,
        created_by: 'local',
        started_at: at,
        resolved_at: null,
        created_at: at,
        updated_at: at,
      });
    const incidentId = 'inc_01withentries0000000000000';
    // Written in this order; shown by time, then id: c, a, b.
    for (const [id, when] of [
      ['tle_01b00000000000000000000000', at + 60_000],
      ['tle_01c00000000000000000000000', at],
      ['tle_01a00000000000000000000000', at + 60_000],
    ] as const)
      await insertRow(store.db, 'incident_timeline', {
        id,
        incident_id: incidentId,
        at: when,
        kind: 'note',
        source: 'local',
        body: id.slice(6, 7),
        status: null,
        public: 0,
        created_at: when,
      });

    await migrate(store.db, store.dialect, await loadMigrations());

    const numbered = await store.db
      .selectFrom('incident_timeline')
      .select(['body', 'seq'])
      .orderBy('seq')
      .execute();
    assert.deepEqual(
      numbered.map((row) => [row.body, Number(row.seq)]),
      [
        ['c', 1],
        ['a', 2],
        ['b', 3],
      ],
    );
    const counters = await store.db
      .selectFrom('incidents')
      .select(['id', 'timeline_seq'])
      .orderBy('id')
      .execute();
    assert.deepEqual(
      counters.map((row) => Number(row.timeline_seq)),
      [3, 0],
    );
    // A new entry in the same millisecond as the last ones comes after them.
    await appendTimelineEntry(deps, deps.local, { incidentId, body: 'd', at: new Date(at + 60_000) });
    const { timeline } = await getIncident(deps, deps.local, { id: incidentId });
    assert.deepEqual(
      timeline.map((entry) => entry.body),
      ['c', 'a', 'b', 'd'],
    );
  });
});
