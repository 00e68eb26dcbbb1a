import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeEachDialect } from '../../test/fixtures/store.ts';
import { localActor } from '../auth/actor.ts';
import { ManualClock } from '../core/clock.ts';
import { createJobs } from '../jobs/index.ts';
import type { Store } from '../store/index.ts';
import type { BackupDeps } from './deps.ts';
import { getDrill, listDrills } from './drills.ts';
import { isDrillInstance } from './lifecycle.ts';
import {
  backupScheduleName,
  dailyBackupCron,
  drillCron,
  drillScheduleName,
  reconcileSchedules,
  removeSchedules,
} from './schedule.ts';

async function addInstance(
  store: Store,
  id: string,
  slug: string,
  now: number,
  state: 'running' | 'decommissioned' = 'running',
): Promise<void> {
  await store.db
    .insertInto('instances')
    .values({
      id,
      slug,
      customer: 'Acme',
      environment: 'staging',
      runtime: 'local',
      release: '{}',
      replicas: 1,
      running: 1,
      db_rotations: 0,
      state,
      last_error: null,
      created_at: now,
      updated_at: now,
      decommissioned_at: null,
    })
    .execute();
}

async function addDrill(store: Store, id: string, instanceId: string, scratch: string, at: number) {
  await store.db
    .insertInto('restore_drills')
    .values({
      id,
      instance_id: instanceId,
      backup_id: 'bkp_1',
      scratch_slug: scratch,
      trigger: 'schedule',
      state: 'failed',
      job_id: null,
      progress: 'failed',
      steps: JSON.stringify([{ step: 'verifying checksums', ms: 12 }]),
      error: 'row counts differ',
      created_at: at,
      started_at: at,
      finished_at: at + 5_000,
    })
    .execute();
}

describeEachDialect('restore drill records', (use) => {
  it('lists drills newest first, per instance or all, and knows throw-away instances', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const { store } = opened;
    const clock = new ManualClock(new Date('2026-03-01T10:00:00Z'));
    const actor = localActor(clock);
    const now = clock.now().getTime();
    await addInstance(store, 'ins_a', 'alpha', now);
    await addInstance(store, 'ins_b', 'bravo', now);
    await addDrill(store, 'drl_1', 'ins_a', 'drill-aaaa', now);
    await addDrill(store, 'drl_2', 'ins_a', 'drill-bbbb', now + 60_000);
    await addDrill(store, 'drl_3', 'ins_b', 'drill-cccc', now + 30_000);
    assert.deepEqual(
      (await listDrills({ store }, actor, { slug: 'alpha' })).map((drill) => drill.id),
      ['drl_2', 'drl_1'],
    );
    assert.deepEqual(
      (await listDrills({ store }, actor)).map((drill) => [drill.id, drill.slug]),
      [
        ['drl_2', 'alpha'],
        ['drl_3', 'bravo'],
        ['drl_1', 'alpha'],
      ],
    );
    const drill = await getDrill({ store }, actor, 'drl_3');
    assert.deepEqual(drill.steps, [{ step: 'verifying checksums', ms: 12 }]);
    assert.equal(drill.finishedAt?.getTime(), now + 35_000);
    assert.equal(await isDrillInstance(store, 'drill-cccc'), true);
    assert.equal(await isDrillInstance(store, 'alpha'), false);
    await assert.rejects(listDrills({ store }, actor, { slug: 'nope' }), /no instance nope/);
  });

  it('schedules drills in the out-of-hours window and removes schedules by name', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const { store } = opened;
    const window = { from: '01:00', to: '05:00' };
    const [minute, hour, day, , weekday] = drillCron('ins_x', window, 'weekly').split(' ').map(Number);
    assert.ok((hour as number) >= 3 && (hour as number) < 7);
    assert.ok((minute as number) >= 0 && (minute as number) < 60);
    assert.ok(Number.isNaN(day));
    assert.ok((weekday as number) >= 0 && (weekday as number) <= 6);
    assert.match(drillCron('ins_x', window, 'monthly'), /^\d+ \d+ ([1-9]|1\d|2[0-8]) \* \*$/);
    const jobs = createJobs({ store }, { timeZone: 'Europe/Paris', leaseSeconds: 30 });
    await jobs.schedule({
      name: drillScheduleName('ins_x'),
      cron: drillCron('ins_x', window, 'weekly'),
      queue: 'backup.drill',
    });
    assert.equal(await removeSchedules({ store }, [drillScheduleName('ins_x'), 'backup:ins_x']), 1);
    assert.equal(await removeSchedules({ store }, [drillScheduleName('ins_x')]), 0);
  });

  it("brings existing instances' schedules in line with changed settings at start-up", async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const { store } = opened;
    const now = Date.parse('2026-03-01T10:00:00Z');
    await addInstance(store, 'ins_a', 'alpha', now);
    await addInstance(store, 'ins_b', 'bravo', now, 'decommissioned');
    await addInstance(store, 'ins_c', 'drill-cccc', now);
    await addDrill(store, 'drl_1', 'ins_a', 'drill-cccc', now);
    const jobs = createJobs({ store }, { timeZone: 'Europe/Paris', leaseSeconds: 30 });
    const settingsOf = (window: { from: string; to: string }, drills: 'weekly' | 'off') =>
      ({ window, timeZone: 'Europe/Paris', drills }) as unknown as BackupDeps['settings'];
    const schedules = async () =>
      Object.fromEntries(
        (await store.db.selectFrom('job_schedules').select(['name', 'cron']).execute()).map((row) => [
          row.name,
          row.cron,
        ]),
      );
    const early = { from: '01:00', to: '05:00' };
    assert.equal(await reconcileSchedules({ store, jobs, settings: settingsOf(early, 'weekly') }), 1);
    assert.deepEqual(await schedules(), {
      [backupScheduleName('ins_a')]: dailyBackupCron('ins_a', early),
      [drillScheduleName('ins_a')]: drillCron('ins_a', early, 'weekly'),
    });
    // Later the window moves and drills are switched off: the existing instance follows.
    const late = { from: '22:00', to: '23:00' };
    await reconcileSchedules({ store, jobs, settings: settingsOf(late, 'off') });
    assert.deepEqual(await schedules(), { [backupScheduleName('ins_a')]: dailyBackupCron('ins_a', late) });
  });
});
