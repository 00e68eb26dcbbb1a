import {
  checkHeartbeat,
  type HostMemory,
  newHostMemory,
  probeAppStatus,
  probeHost,
  probeHttp,
  probeTcp,
} from './probes/index.ts';
import type { ProbeResult } from './probes/types.ts';
import type {
  AppStatusSettings,
  HeartbeatSettings,
  HostSettings,
  HttpSettings,
  Monitor,
  TcpSettings,
} from './records.ts';

/** Per-monitor memory some probes keep between checks (host counters, series, baselines). */
export class ProbeMemory {
  readonly #hosts = new Map<string, HostMemory>();
  host(monitorId: string): HostMemory {
    let memory = this.#hosts.get(monitorId);
    if (!memory) {
      memory = newHostMemory();
      this.#hosts.set(monitorId, memory);
    }
    return memory;
  }
  hasHost(monitorId: string): boolean {
    return this.#hosts.has(monitorId);
  }
  forget(monitorId: string): void {
    this.#hosts.delete(monitorId);
  }
}

/** Runs the monitor's probe once; `lastPushedAt` feeds heartbeat monitors. Never throws. */
export async function runProbe(
  monitor: Monitor,
  now: number,
  memory: ProbeMemory,
  lastPushedAt: () => Promise<number | null>,
): Promise<ProbeResult> {
  const context = { timeoutMs: monitor.timeoutMs, now };
  try {
    switch (monitor.kind) {
      case 'http':
        return await probeHttp(monitor.settings as HttpSettings, context);
      case 'tcp':
        return await probeTcp(monitor.settings as TcpSettings, context);
      case 'app_status':
        return await probeAppStatus(monitor.settings as AppStatusSettings, context);
      case 'host':
        return await probeHost(monitor.settings as HostSettings, context, memory.host(monitor.id));
      case 'heartbeat': {
        const pushed = (await lastPushedAt()) ?? monitor.createdAt.getTime();
        return checkHeartbeat(monitor.settings as HeartbeatSettings, pushed, monitor.intervalSeconds, now);
      }
    }
  } catch (error) {
    return { ok: false, latencyMs: 0, message: `probe error: ${(error as Error).message}` };
  }
}

/** What a probe talks to, for the per-target concurrency limit (`host:port`). */
export function targetOf(monitor: Monitor): string {
  const settings = monitor.settings as Partial<HttpSettings & TcpSettings>;
  if (settings.url) {
    const url = new URL(settings.url);
    return `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
  }
  if (settings.host) return `${settings.host}:${settings.port}`;
  return `local:${monitor.id}`;
}
