import { isIP } from 'node:net';
import type { Selectable } from 'kysely';
import { z } from 'zod';
import { isValidTimeZone } from '../core/business-hours.ts';
import { parseCron } from '../jobs/index.ts';
import type { MonitorTable } from '../store/index.ts';
import { parseJsonPath } from './json-path.ts';

const httpUrl = z
  .string()
  .trim()
  .max(2000)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.length > 0;
    } catch {
      return false;
    }
  }, 'an absolute http:// or https:// URL');

const regex = z
  .string()
  .max(500)
  .refine((value) => {
    try {
      new RegExp(value);
      return true;
    } catch {
      return false;
    }
  }, 'a valid regular expression');

const jsonPath = z
  .string()
  .max(500)
  .refine((value) => parseJsonPath(value) !== null, 'a JSON path such as $.checks.database.status');

const timeZone = z.string().refine(isValidTimeZone, 'an IANA time zone such as Europe/Paris');

const host = z
  .string()
  .trim()
  .min(1)
  .max(253)
  .refine(
    (value) =>
      isIP(value) !== 0 || /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(value),
    'a host name or IP address',
  );

export const httpSettingsSchema = z.strictObject({
  url: httpUrl,
  method: z.enum(['GET', 'HEAD']).default('GET'),
  /** Accepted status codes; empty means any 2xx. */
  expectedStatus: z.array(z.int().min(100).max(599)).max(20).default([]),
  /** Plain text the body must contain. */
  keyword: z.string().min(1).max(500).optional(),
  /** A regular expression the body must match. */
  pattern: regex.optional(),
  jsonPath: jsonPath.optional(),
  /** Expected value at `jsonPath` (compared as text); without it the path only has to exist. */
  jsonEquals: z.string().max(500).optional(),
  /** Slower answers count as failures. */
  maxLatencyMs: z.int().min(1).max(600_000).optional(),
  /** HTTPS: fail when the certificate expires within this many days. */
  tlsExpiryDays: z.int().min(0).max(365).default(14),
  /** Accept a certificate that does not verify (self-signed staging); its expiry is still checked. */
  ignoreTlsErrors: z.boolean().default(false),
});

export const tcpSettingsSchema = z.strictObject({ host, port: z.int().min(1).max(65_535) });

export const heartbeatSettingsSchema = z
  .strictObject({
    /** Expected pushes on this schedule (a backup at `0 2 * * *`); without it, one push per interval. */
    cron: z.string().max(200).optional(),
    timeZone: timeZone.default('Europe/Paris'),
    graceSeconds: z.int().min(0).max(86_400).default(300),
  })
  .superRefine((value, context) => {
    if (value.cron === undefined) return;
    try {
      parseCron(value.cron, value.timeZone);
    } catch (error) {
      context.addIssue({ code: 'custom', path: ['cron'], message: (error as Error).message });
    }
  });

export const appStatusSettingsSchema = z.strictObject({ url: httpUrl });

export const hostSettingsSchema = z.strictObject({
  /** node_exporter's metrics URL (`http://10.0.0.5:9100/metrics`). */
  url: httpUrl,
  /** Limits in percent: above them the host "nears its hardware limits". */
  cpuPercent: z.number().min(1).max(100).default(90),
  memoryPercent: z.number().min(1).max(100).default(90),
  diskPercent: z.number().min(1).max(100).default(90),
  /** The host's zone, for the time-of-day baseline. */
  timeZone: timeZone.default('Europe/Paris'),
});

export type HttpSettings = z.output<typeof httpSettingsSchema>;
export type TcpSettings = z.output<typeof tcpSettingsSchema>;
export type HeartbeatSettings = z.output<typeof heartbeatSettingsSchema>;
export type AppStatusSettings = z.output<typeof appStatusSettingsSchema>;
export type HostSettings = z.output<typeof hostSettingsSchema>;

export const monitorKinds = ['http', 'tcp', 'heartbeat', 'app_status', 'host'] as const;
export type MonitorKind = (typeof monitorKinds)[number];
export const severities = ['critical', 'warning', 'info'] as const;

export const settingsSchemas = {
  http: httpSettingsSchema,
  tcp: tcpSettingsSchema,
  heartbeat: heartbeatSettingsSchema,
  app_status: appStatusSettingsSchema,
  host: hostSettingsSchema,
} as const;

export type MonitorSettings =
  | HttpSettings
  | TcpSettings
  | HeartbeatSettings
  | AppStatusSettings
  | HostSettings;

const labelsSchema = z.record(
  z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/i, 'label names: letters, digits, _'),
  z.string().max(200),
);

/** What every monitor has, whatever its kind; `settings` is checked against the kind's schema afterwards. */
export const monitorFieldsSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  kind: z.enum(monitorKinds),
  settings: z.record(z.string(), z.unknown()).default({}),
  instanceId: z.string().max(100).nullable().default(null),
  intervalSeconds: z.int().min(5).max(86_400).default(60),
  timeoutMs: z.int().min(100).max(60_000).default(10_000),
  retries: z.int().min(0).max(10).default(1),
  severity: z.enum(severities).default('critical'),
  forSeconds: z.int().min(0).max(86_400).default(0),
  labels: labelsSchema.default({}),
  enabled: z.boolean().default(true),
});

export interface Monitor {
  id: string;
  name: string;
  kind: MonitorKind;
  instanceId: string | null;
  source: MonitorTable['source'];
  settings: MonitorSettings;
  intervalSeconds: number;
  timeoutMs: number;
  retries: number;
  severity: MonitorTable['severity'];
  forSeconds: number;
  labels: Record<string, string>;
  enabled: boolean;
  state: MonitorTable['state'];
  failures: number;
  lastMessage: string | null;
  lastLatencyMs: number | null;
  lastCheckedAt: Date | null;
  stateSince: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const date = (value: number | null): Date | null => (value === null ? null : new Date(Number(value)));

export function toMonitor(row: Selectable<MonitorTable>): Monitor {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    instanceId: row.instance_id,
    source: row.source,
    settings: JSON.parse(row.settings) as MonitorSettings,
    intervalSeconds: Number(row.interval_seconds),
    timeoutMs: Number(row.timeout_ms),
    retries: Number(row.retries),
    severity: row.severity,
    forSeconds: Number(row.for_seconds),
    labels: JSON.parse(row.labels) as Record<string, string>,
    enabled: Number(row.enabled) === 1,
    state: row.state,
    failures: Number(row.failures),
    lastMessage: row.last_message,
    lastLatencyMs: row.last_latency_ms === null ? null : Number(row.last_latency_ms),
    lastCheckedAt: date(row.last_checked_at),
    stateSince: date(row.state_since),
    createdAt: new Date(Number(row.created_at)),
    updatedAt: new Date(Number(row.updated_at)),
  };
}
