import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assessHost, newHostMemory, readHostMetrics } from './host.ts';

const hour = 3_600_000;
const settings = {
  url: 'http://127.0.0.1:9100/metrics',
  cpuPercent: 90,
  memoryPercent: 90,
  diskPercent: 95,
  timeZone: 'Europe/Paris',
};

/** node_exporter text for a host whose /var fills up from 40 % by 0.5 % an hour. */
function scrape(hours: number, cpuSeconds: number): string {
  const size = 100e9;
  const used = (40 + 0.5 * hours) / 100;
  return [
    '# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.',
    '# TYPE node_cpu_seconds_total counter',
    `node_cpu_seconds_total{cpu="0",mode="idle"} ${cpuSeconds * 0.8}`,
    `node_cpu_seconds_total{cpu="0",mode="user"} ${cpuSeconds * 0.2}`,
    'node_memory_MemTotal_bytes 8e+09',
    'node_memory_MemAvailable_bytes 6e+09',
    'node_load1 0.42',
    `node_filesystem_size_bytes{device="/dev/sda2",fstype="ext4",mountpoint="/var"} ${size}`,
    `node_filesystem_avail_bytes{device="/dev/sda2",fstype="ext4",mountpoint="/var"} ${size * (1 - used)}`,
    'node_filesystem_size_bytes{device="tmpfs",fstype="tmpfs",mountpoint="/run"} 1e9',
    'node_filesystem_avail_bytes{device="tmpfs",fstype="tmpfs",mountpoint="/run"} 1e3',
    'garbage line without a value',
  ].join('\n');
}

describe('host metrics assessment (synthetic series)', () => {
  it('reads the exposition format and skips pseudo file systems', () => {
    const memory = newHostMemory();
    readHostMetrics(scrape(0, 1000), memory);
    const metrics = readHostMetrics(scrape(0, 1100), memory);
    assert.equal(metrics.cpuPercent, 20);
    assert.equal(metrics.memoryPercent, 25);
    assert.equal(metrics.load1, 0.42);
    assert.deepEqual(metrics.disks, { '/var': 40 });
  });

  it('forecasts a filling disk and alerts ahead of the limit, not after', () => {
    const memory = newHostMemory();
    const start = Date.parse('2026-03-02T00:00:00Z');
    let warnedAt: number | null = null;
    let summary = '';
    // Full (100 %) at 120 h; scraped every 15 minutes.
    for (let quarter = 0; quarter <= 120 * 4; quarter++) {
      const hours = quarter / 4;
      const now = start + hours * hour;
      const result = assessHost(
        readHostMetrics(scrape(hours, 1000 + quarter * 900), memory),
        settings,
        memory,
        now,
      );
      const forecast = result.findings?.find((finding) => finding.key === 'forecast:disk:/var');
      if (forecast && warnedAt === null) {
        warnedAt = hours;
        summary = forecast.summary;
      }
    }
    assert.ok(warnedAt !== null, 'a forecast alert was raised');
    assert.ok(warnedAt < 120, `raised before the disk is full (at ${warnedAt} h)`);
    assert.ok(warnedAt >= 120 - 72 - 1, 'about three days ahead, not earlier');
    assert.match(summary, /^disk \/var full in about 3 days$/);
  });

  it('is down over a limit and says which', () => {
    const memory = newHostMemory();
    const result = assessHost(
      { cpuPercent: 97, memoryPercent: 50, load1: 3, disks: { '/': 96 } },
      settings,
      memory,
      Date.now(),
    );
    assert.equal(result.ok, false);
    assert.equal(result.message, 'over the limit: CPU 97 %, disk / 96 %');
  });
});
