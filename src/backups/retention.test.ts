import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backupsToKeep } from './retention.ts';
import { dailyBackupCron } from './schedule.ts';

const day = 24 * 60 * 60 * 1000;
/** One backup a day at 02:30 Paris time (01:30 UTC in winter), oldest first. */
const daily = (days: number, start = Date.parse('2026-01-01T01:30:00Z')) =>
  Array.from({ length: days }, (_, index) => ({ id: `b${index}`, createdAt: new Date(start + index * day) }));

describe('backup retention', () => {
  it('keeps the newest of each of the last 20 days', () => {
    const kept = backupsToKeep(daily(25), { daily: 20, weekly: 0, monthly: 0 }, 'Europe/Paris');
    assert.equal(kept.size, 20);
    assert.deepEqual(
      [...kept].sort(),
      daily(25)
        .slice(5)
        .map((backup) => backup.id)
        .sort(),
    );
  });

  it('keeps one backup per day: two the same day count once, the newer stays', () => {
    const backups = [...daily(3), { id: 'late', createdAt: new Date(Date.parse('2026-01-03T20:00:00Z')) }];
    const kept = backupsToKeep(backups, { daily: 2, weekly: 0, monthly: 0 }, 'Europe/Paris');
    assert.deepEqual([...kept].sort(), ['b1', 'late']);
  });

  it('adds the newest of each week and month when asked', () => {
    const backups = daily(120); // 2026-01-01 … 2026-04-30
    const kept = backupsToKeep(backups, { daily: 7, weekly: 4, monthly: 3 }, 'Europe/Paris');
    // 7 days, then 4 weeks (the newest week is inside the 7 days), then 3 months (April's newest is b119).
    const ids = [...kept];
    assert.ok(ids.includes('b119'));
    assert.ok(ids.includes('b89'), 'the newest of March (2026-03-31)');
    assert.ok(ids.includes('b58'), 'the newest of February (2026-02-28)');
    assert.ok(kept.size >= 7 + 3 && kept.size <= 7 + 4 + 3);
  });

  it('never drops the newest good backup, whatever the policy', () => {
    assert.deepEqual([...backupsToKeep(daily(3), { daily: 0, weekly: 0, monthly: 0 }, 'UTC')], ['b2']);
    assert.equal(backupsToKeep([], { daily: 20, weekly: 0, monthly: 0 }, 'UTC').size, 0);
  });
});

describe('daily backup time', () => {
  it('falls inside the window, the same for an instance every time, spread between instances', () => {
    const window = { from: '01:00', to: '05:00' };
    const times = new Set<string>();
    for (let index = 0; index < 200; index++) {
      const cron = dailyBackupCron(`ins_${index}`, window);
      const [minute, hour] = cron.split(' ').map(Number) as [number, number];
      assert.ok(hour >= 1 && hour < 5 && minute >= 0 && minute < 60, cron);
      times.add(cron);
    }
    assert.ok(times.size > 100, `${times.size} distinct start times for 200 instances`);
    assert.equal(dailyBackupCron('ins_1', window), dailyBackupCron('ins_1', window));
    const [, overnight] = dailyBackupCron('ins_1', { from: '23:00', to: '01:00' }).split(' ').map(Number);
    assert.ok(overnight === 23 || overnight === 0);
  });
});
