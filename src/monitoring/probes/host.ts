import { DateTime } from 'luxon';
import { type Baseline, deviation, emptyBaseline, observe } from '../../core/baseline.ts';
import { describeError } from '../../core/errors.ts';
import { forecastWarning, type Sample } from '../../core/forecast.ts';
import type { HostSettings } from '../records.ts';
import { parseExposition } from './exposition.ts';
import { fetchForProbe } from './http-client.ts';
import { elapsedSince, type Finding, type ProbeContext, type ProbeResult } from './types.ts';

/** File systems that are not disks: their fill level means nothing. */
const pseudoFileSystems = new Set([
  'tmpfs',
  'ramfs',
  'devtmpfs',
  'overlay',
  'squashfs',
  'nsfs',
  'proc',
  'sysfs',
]);
const forecastWindowMs = 6 * 3_600_000;
const forecastHorizonMs = 3 * 86_400_000;
const minForecastSpanMs = 30 * 60_000;

/** What the host probe remembers between scrapes of one host: counters, recent series, baselines. */
export interface HostMemory {
  cpu?: { idle: number; total: number };
  series: Map<string, Sample[]>;
  baselines: Map<string, Baseline>;
}

export function newHostMemory(): HostMemory {
  return { series: new Map(), baselines: new Map() };
}

export interface HostMetrics {
  cpuPercent: number | null;
  memoryPercent: number | null;
  load1: number | null;
  disks: Record<string, number>;
}

/** Reads CPU (against the previous scrape's counters), memory, load and disk fill levels. */
export function readHostMetrics(text: string, memory: HostMemory): HostMetrics {
  const samples = parseExposition(text, (name) => name.startsWith('node_'));
  let idle = 0;
  let total = 0;
  let memTotal: number | null = null;
  let memAvailable: number | null = null;
  let load1: number | null = null;
  const sizes = new Map<string, number>();
  const avail = new Map<string, number>();
  for (const sample of samples) {
    switch (sample.name) {
      case 'node_cpu_seconds_total':
        total += sample.value;
        if (sample.labels.mode === 'idle' || sample.labels.mode === 'iowait') idle += sample.value;
        break;
      case 'node_memory_MemTotal_bytes':
        memTotal = sample.value;
        break;
      case 'node_memory_MemAvailable_bytes':
        memAvailable = sample.value;
        break;
      case 'node_load1':
        load1 = sample.value;
        break;
      case 'node_filesystem_size_bytes':
      case 'node_filesystem_avail_bytes': {
        const mount = sample.labels.mountpoint;
        if (!mount || pseudoFileSystems.has(sample.labels.fstype ?? '')) break;
        (sample.name === 'node_filesystem_size_bytes' ? sizes : avail).set(mount, sample.value);
        break;
      }
    }
  }
  let cpuPercent: number | null = null;
  if (memory.cpu && total > memory.cpu.total) {
    cpuPercent = 100 * (1 - (idle - memory.cpu.idle) / (total - memory.cpu.total));
  }
  if (total > 0) memory.cpu = { idle, total };
  const disks: Record<string, number> = {};
  for (const [mount, size] of sizes) {
    const free = avail.get(mount);
    if (size > 0 && free !== undefined) disks[mount] = round(100 * (1 - free / size));
  }
  const memoryPercent = memTotal && memAvailable !== null ? round(100 * (1 - memAvailable / memTotal)) : null;
  return { cpuPercent: cpuPercent === null ? null : round(cpuPercent), memoryPercent, load1, disks };
}

const round = (value: number) => Math.round(value * 100) / 100;

function remember(memory: HostMemory, key: string, now: number, value: number): Sample[] {
  const kept = (memory.series.get(key) ?? []).filter((sample) => sample.at > now - forecastWindowMs);
  kept.push({ at: now, value });
  if (kept.length > 2000) kept.splice(0, kept.length - 2000);
  memory.series.set(key, kept);
  return kept;
}

/** Forecast over the recent series: "disk /var full in about 3 days", raised ahead of time. */
function forecastFinding(key: string, what: string, samples: Sample[], now: number): Finding | null {
  const first = samples[0];
  if (!first || now - first.at < minForecastSpanMs) return null;
  const sentence = forecastWarning(what, samples, 100, now, forecastHorizonMs);
  return sentence ? { key: `forecast:${key}`, severity: 'warning', summary: sentence } : null;
}

function unusualFinding(
  memory: HostMemory,
  key: string,
  what: string,
  value: number,
  hourOfDay: number,
): Finding | null {
  const baseline = memory.baselines.get(key) ?? emptyBaseline(0.1);
  const verdict = deviation(baseline, hourOfDay, value, 3, 5);
  memory.baselines.set(key, observe(baseline, hourOfDay, value));
  if (!verdict.unusual) return null;
  return {
    key: `unusual:${key}`,
    severity: 'warning',
    summary: `unusual ${what}: ${value.toFixed(0)} % (usually ${verdict.mean.toFixed(0)} ± ${verdict.band.toFixed(0)} at this hour)`,
  };
}

/** Turns one scrape into a verdict: over a limit is down; forecasts and unusual activity are findings. */
export function assessHost(
  metrics: HostMetrics,
  settings: HostSettings,
  memory: HostMemory,
  now: number,
): Omit<ProbeResult, 'latencyMs'> {
  const problems: string[] = [];
  const findings: Finding[] = [];
  const values: Record<string, number> = {};
  const hourOfDay = DateTime.fromMillis(now, { zone: settings.timeZone }).hour;
  if (metrics.cpuPercent !== null) {
    values.cpu = metrics.cpuPercent;
    if (metrics.cpuPercent > settings.cpuPercent) problems.push(`CPU ${metrics.cpuPercent.toFixed(0)} %`);
    const unusual = unusualFinding(memory, 'cpu', 'CPU', metrics.cpuPercent, hourOfDay);
    if (unusual) findings.push(unusual);
  }
  if (metrics.memoryPercent !== null) {
    values.memory = metrics.memoryPercent;
    if (metrics.memoryPercent > settings.memoryPercent)
      problems.push(`memory ${metrics.memoryPercent.toFixed(0)} %`);
    const forecast = forecastFinding(
      'memory',
      'memory',
      remember(memory, 'memory', now, metrics.memoryPercent),
      now,
    );
    if (forecast) findings.push(forecast);
    const unusual = unusualFinding(memory, 'memory', 'memory', metrics.memoryPercent, hourOfDay);
    if (unusual) findings.push(unusual);
  }
  if (metrics.load1 !== null) values.load1 = metrics.load1;
  for (const [mount, percent] of Object.entries(metrics.disks)) {
    values[`disk:${mount}`] = percent;
    if (percent > settings.diskPercent) problems.push(`disk ${mount} ${percent.toFixed(0)} %`);
    const forecast = forecastFinding(
      `disk:${mount}`,
      `disk ${mount}`,
      remember(memory, `disk:${mount}`, now, percent),
      now,
    );
    if (forecast) findings.push(forecast);
  }
  const summary = Object.entries(values)
    .map(([name, value]) => `${name} ${value}`)
    .join(', ');
  return problems.length > 0
    ? { ok: false, message: `over the limit: ${problems.join(', ')}`, metrics: values, findings }
    : { ok: true, message: summary || 'no metrics', metrics: values, findings };
}

/** Host metrics from node_exporter; a host that does not answer is "unresponsive" (down). */
export async function probeHost(
  settings: HostSettings,
  context: ProbeContext,
  memory: HostMemory,
): Promise<ProbeResult> {
  const started = performance.now();
  try {
    const response = await fetchForProbe(new URL(settings.url), 'GET', context.timeoutMs);
    const latencyMs = elapsedSince(started);
    if (response.status !== 200) return { ok: false, latencyMs, message: `status ${response.status}` };
    const metrics = readHostMetrics(response.body, memory);
    if (metrics.memoryPercent === null && Object.keys(metrics.disks).length === 0)
      return { ok: false, latencyMs, message: 'no node_exporter metrics in the answer' };
    return { ...assessHost(metrics, settings, memory, context.now), latencyMs };
  } catch (error) {
    return { ok: false, latencyMs: elapsedSince(started), message: `unresponsive: ${describeError(error)}` };
  }
}
