export { probeAppStatus } from './app-status.ts';
export { checkHeartbeat } from './heartbeat.ts';
export { type HostMemory, newHostMemory, probeHost } from './host.ts';
export { probeHttp } from './http.ts';
export { probeTcp } from './tcp.ts';
export type { Finding, ProbeContext, ProbeResult } from './types.ts';
