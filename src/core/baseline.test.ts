import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Baseline, deviation, emptyBaseline, observe } from './baseline.ts';

describe('EWMA baseline per hour of day', () => {
  it('learns a nightly peak as normal and flags the same load at an unusual hour', () => {
    let baseline: Baseline = emptyBaseline(0.2);
    for (let day = 0; day < 20; day++) {
      for (let hourOfDay = 0; hourOfDay < 24; hourOfDay++) {
        const backup = hourOfDay === 2 ? 80 : 10; // CPU % on a synthetic host
        baseline = observe(baseline, hourOfDay, backup + ((day * 7 + hourOfDay) % 5) - 2);
      }
    }
    assert.equal(deviation(baseline, 2, 82).unusual, false, '80 % at 02:00 is the backup');
    assert.equal(deviation(baseline, 15, 80).unusual, true, '80 % at 15:00 is unusual');
    assert.equal(deviation(baseline, 15, 11).unusual, false);
  });

  it('stays quiet while it warms up', () => {
    const baseline = observe(emptyBaseline(), 3, 10);
    assert.equal(deviation(baseline, 3, 1000).unusual, false);
  });
});
