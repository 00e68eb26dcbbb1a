import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { binOf, latencyBinsMs, mergeHistograms, percentile } from './latency-histogram.ts';

function histogramOf(latencies: number[]): Map<number, number> {
  const histogram = new Map<number, number>();
  for (const latency of latencies) histogram.set(binOf(latency), (histogram.get(binOf(latency)) ?? 0) + 1);
  return histogram;
}

function exact(latencies: number[], q: number): number {
  const sorted = [...latencies].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] as number;
}

describe('latency histogram percentiles', () => {
  it('puts a latency in the first bin whose bound holds it', () => {
    assert.equal(binOf(0), 0);
    assert.equal(binOf(1), 0);
    assert.equal(binOf(1.5), 1);
    assert.equal(binOf(100), latencyBinsMs.indexOf(105));
    assert.equal(binOf(1_000), latencyBinsMs.indexOf(1_000));
    assert.equal(binOf(10_000_000), latencyBinsMs.length - 1);
  });

  it('has no percentile without data', () => {
    assert.equal(percentile(new Map(), 0.5), null);
  });

  it('interpolates inside the bin: 100 checks spread evenly over (40, 47] ms', () => {
    const histogram = new Map([[latencyBinsMs.indexOf(47), 100]]);
    assert.equal(percentile(histogram, 0.5), 43.5);
    assert.equal(percentile(histogram, 1), 47);
  });

  it('stays within one bin of the exact percentile on a skewed distribution', () => {
    // Deterministic: a long tail, as real response times have.
    const latencies = Array.from({ length: 5000 }, (_, i) => 20 + ((i * 7919) % 100) ** 2 / 20);
    for (const q of [0.5, 0.95, 0.99]) {
      const estimate = percentile(histogramOf(latencies), q) as number;
      const truth = exact(latencies, q);
      const bin = binOf(truth);
      const lower = bin === 0 ? 0 : (latencyBinsMs[bin - 1] as number);
      assert.ok(
        estimate >= lower - 1e-9 && estimate <= (latencyBinsMs[bin] as number) + 1e-9,
        `p${q * 100}: ${estimate} for ${truth}`,
      );
      assert.ok(Math.abs(estimate - truth) / truth < 0.2, `p${q * 100}: ${estimate} vs ${truth}`);
    }
  });

  it('merges hours exactly: the merged histogram equals the histogram of all checks', () => {
    const monday = [12, 30, 31, 250, 900];
    const tuesday = [11, 45, 46, 47, 5_000];
    const merged = mergeHistograms([histogramOf(monday), histogramOf(tuesday)]);
    assert.deepEqual(merged, histogramOf([...monday, ...tuesday]));
    assert.equal(percentile(merged, 0.5), percentile(histogramOf([...monday, ...tuesday]), 0.5));
  });

  it('answers the lower bound for the open last bin', () => {
    assert.equal(percentile(histogramOf([120_000]), 0.95), 60_000);
  });
});
