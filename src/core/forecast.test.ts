import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeDelay, forecastLimit, forecastWarning, type Sample } from './forecast.ts';

const hour = 3_600_000;

/** A disk filling 1 % per hour from 20 %, with a little deterministic noise. */
function diskSeries(hours: number, start = 0): Sample[] {
  return Array.from({ length: hours * 4 }, (_, i) => ({
    at: start + (i * hour) / 4,
    value: 20 + i / 4 + (i % 3 === 0 ? 0.2 : -0.1),
  }));
}

describe('linear forecast', () => {
  it('predicts when a filling disk reaches its limit', () => {
    const forecast = forecastLimit(diskSeries(12), 100);
    assert.ok(forecast);
    assert.ok(Math.abs(forecast.slopePerHour - 1) < 0.05);
    assert.ok(forecast.fit > 0.99);
    const expected = 80 * hour; // from 20 % at t=0, 1 %/h
    assert.ok(Math.abs((forecast.reachesLimitAt ?? 0) - expected) < hour);
  });

  it('alerts ahead of the limit, never after it', () => {
    const horizon = 48 * hour;
    let firstWarning: number | null = null;
    // Walk forward hour by hour, forecasting over the last 12 hours only.
    for (let h = 12; h <= 80; h++) {
      const samples = diskSeries(h).slice(-48);
      const now = h * hour;
      if (firstWarning === null && forecastWarning('disk /var', samples, 100, now, horizon))
        firstWarning = now;
    }
    assert.ok(firstWarning !== null);
    const limitReached = 80 * hour;
    assert.ok(firstWarning < limitReached, 'the warning comes before the disk is full');
    assert.ok(limitReached - firstWarning >= horizon - 2 * hour, 'about a horizon ahead');
  });

  it('says nothing for flat or falling series, or too few samples', () => {
    const flat = Array.from({ length: 10 }, (_, i) => ({ at: i * hour, value: 50 }));
    assert.equal(forecastLimit(flat, 100)?.reachesLimitAt, null);
    const falling = flat.map((s, i) => ({ ...s, value: 50 - i }));
    assert.equal(forecastWarning('disk /', falling, 100, 10 * hour, 1e12), null);
    assert.equal(forecastLimit(flat.slice(0, 2), 100), null);
  });

  it('describes the delay in words', () => {
    const samples = diskSeries(12);
    const sentence = forecastWarning('disk /var', samples, 100, 12 * hour, 100 * hour);
    assert.equal(sentence, 'disk /var full in about 3 days');
    assert.equal(describeDelay(5 * hour), 'in about 5 hours');
    assert.equal(describeDelay(0), 'now');
  });
});
