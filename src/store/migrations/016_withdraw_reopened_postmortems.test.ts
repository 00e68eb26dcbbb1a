// The data this migration fixes, written as the Roost before it left them, on both dialects.
import assert from 'node:assert/strict';
import path from 'node:path';
import { it } from 'node:test';
import { sql } from 'kysely';
import { describeEachDialect, insertRow } from '../../../test/fixtures/store.ts';
import { ManualClock } from '../../core/clock.ts';
import { noHealth, noUptime, readPublicStatus } from '../../status/index.ts';
import { insertInstanceRow } from '../../status/instance-row.ts';
import { loadMigrations, migrate } from '../migrate.ts';
import type { Store } from '../store.ts';

const migrationNumber = Number(path.basename(import.meta.filename).slice(0, 3));
const minute = 60_000;
const start = Date.UTC(2026, 9, 5, 8, 0);
const upgradedAt = Date.UTC(2026, 10, 20, 10, 0);

/** An incident as the logbook stored it, with its public updates (`[minutes after start, status]`). */
async function incident(
  store: Store,
  instanceId: string,
  id: string,
  row: { status: string; postmortem: string | null; publishedAt: number | null; resolvedAt: number | null },
  updates: Array<[number, string]>,
): Promise<void> {
  await insertRow(store.db, 'incidents', {
    id,
    title: `Incident ${id}`,
    severity: 'major',
    status: row.status,
    what_is_going_on: '',
    how_we_understood: '',
    what_we_did: '',
    impacts: '',
    how_to_avoid: '',
    postmortem: row.postmortem,
    postmortem_published_at: row.publishedAt,
    created_by: 'local',
    started_at: start,
    resolved_at: row.resolvedAt,
    created_at: start,
    updated_at: start,
  });
  await insertRow(store.db, 'incident_instances', { incident_id: id, instance_id: instanceId });
  for (const [index, [minutes, status]] of updates.entries())
    await insertRow(store.db, 'incident_timeline', {
      id: `tle_${id.slice(4, 20)}${String(index).padStart(10, '0')}`,
      incident_id: id,
      at: start + minutes * minute,
      kind: 'update',
      source: 'local',
      body: `${status} update`,
      status,
      public: 1,
      created_at: start + minutes * minute,
    });
  if (row.publishedAt !== null)
    await insertRow(store.db, 'postmortem_pdfs', {
      incident_id: id,
      source_sha256: 'a'.repeat(64),
      sha256: 'b'.repeat(64),
      size: 5,
      content: Buffer.from('%PDF-'),
      created_at: row.publishedAt,
    });
}

describeEachDialect('migration: withdraw the post-mortems of reopened incidents', (use) => {
  it('withdraws a published post-mortem of an open incident, as reopening does, and leaves the others', async (t) => {
    const opened = await use(t, { migrationsBefore: migrationNumber });
    if (!opened) return;
    const { store } = opened;
    const clock = new ManualClock(new Date(start));
    const instanceId = await insertInstanceRow(store, clock, 'acme-prod', 'Acme');
    await insertRow(store.db, 'status_pages', {
      instance_id: instanceId,
      name: 'Acme',
      logo_url: null,
      sla_target: 99,
      revision: 7,
      created_at: start,
      updated_at: start,
    });
    const publishedAt = start + 90 * minute;
    // Resolved, published, then reopened by a timeline entry of the Roost before reopening withdrew it.
    const reopened = 'inc_01reopened0000000000000000';
    await incident(
      store,
      instanceId,
      reopened,
      { status: 'investigating', postmortem: '# Post-mortem', publishedAt, resolvedAt: null },
      [
        [0, 'investigating'],
        [30, 'resolved'],
        [90, 'postmortem'],
        [120, 'investigating'],
      ],
    );
    const closed = 'inc_01published000000000000000';
    const closedAt = start + 60 * minute;
    await incident(
      store,
      instanceId,
      closed,
      {
        status: 'postmortem',
        postmortem: '# Post-mortem',
        publishedAt: closedAt,
        resolvedAt: start + 30 * minute,
      },
      [
        [0, 'investigating'],
        [30, 'resolved'],
        [60, 'postmortem'],
      ],
    );
    const draft = 'inc_01draft0000000000000000000';
    await incident(
      store,
      instanceId,
      draft,
      { status: 'monitoring', postmortem: '# Draft', publishedAt: null, resolvedAt: null },
      [[0, 'monitoring']],
    );

    await migrate(store.db, store.dialect, await loadMigrations(), () => upgradedAt);

    const incidents = await store.db
      .selectFrom('incidents')
      .select(['id', 'status', 'postmortem', 'postmortem_published_at', 'updated_at'])
      .orderBy('id')
      .execute();
    assert.deepEqual(
      incidents.map((row) => ({
        ...row,
        postmortem_published_at:
          row.postmortem_published_at === null ? null : Number(row.postmortem_published_at),
        updated_at: Number(row.updated_at),
      })),
      [
        {
          id: draft,
          status: 'monitoring',
          postmortem: '# Draft',
          postmortem_published_at: null,
          updated_at: start,
        },
        {
          id: closed,
          status: 'postmortem',
          postmortem: '# Post-mortem',
          postmortem_published_at: closedAt,
          updated_at: start,
        },
        // A draft again: the text is kept for the next review.
        {
          id: reopened,
          status: 'investigating',
          postmortem: '# Post-mortem',
          postmortem_published_at: null,
          updated_at: upgradedAt,
        },
      ],
    );
    assert.deepEqual(
      (await store.db.selectFrom('postmortem_pdfs').select('incident_id').execute()).map(
        (row) => row.incident_id,
      ),
      [closed],
      'the stored PDF of the withdrawn post-mortem is dropped',
    );
    const timeline = await store.db
      .selectFrom('incident_timeline')
      .select(['at', 'kind', 'source', 'status', 'public'])
      .where('incident_id', '=', reopened)
      .orderBy('at')
      .execute();
    assert.deepEqual(
      timeline.map((entry) => [
        Number(entry.at),
        entry.kind,
        entry.source,
        entry.status,
        Number(entry.public),
      ]),
      [
        [start, 'update', 'local', 'investigating', 1],
        [start + 30 * minute, 'update', 'local', 'resolved', 1],
        [publishedAt, 'update', 'local', 'postmortem', 0],
        [start + 120 * minute, 'update', 'local', 'investigating', 1],
        [upgradedAt, 'status', 'upgrade', null, 0],
      ],
      'the announcement is internal, and an internal entry says why',
    );
    const untouched = await sql<{ public: number }>`
      SELECT public FROM incident_timeline WHERE incident_id = ${closed} AND status = 'postmortem'`.execute(
      store.db,
    );
    assert.deepEqual(
      untouched.rows.map((row) => Number(row.public)),
      [1],
    );
    const page = await store.db.selectFrom('status_pages').select('revision').executeTakeFirstOrThrow();
    assert.equal(Number(page.revision), 8, 'the page changed: caches render it again');

    // What the status page shows: the open incident without its announcement, the other with its post-mortem.
    clock.set(new Date(upgradedAt));
    const shown = await readPublicStatus({ store, clock, health: noHealth, uptime: noUptime }, 'acme-prod');
    const open = shown?.incidents.find((entry) => entry.id === reopened);
    assert.deepEqual(
      open?.updates.map((update) => update.status),
      ['investigating', 'resolved', 'investigating'],
    );
    assert.equal(open?.postmortem, null);
    assert.equal(shown?.incidents.find((entry) => entry.id === closed)?.postmortem, '# Post-mortem');
  });
});
