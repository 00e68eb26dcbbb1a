import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { RoostError } from '../core/errors.ts';
import { type Config, configSchema } from './schema.ts';

type Value = string | number | boolean;

/** Environment variables Roost reads; nothing else in the code base reads process.env. */
export const environmentKeys: Record<string, { key: string; type?: 'number' | 'boolean' | 'list' }> = {
  ROOST_DATA_DIR: { key: 'dataDir' },
  ROOST_DATABASE_URL: { key: 'databaseUrl' },
  ROOST_MASTER_KEY: { key: 'masterKey' },
  ROOST_MASTER_KEY_PREVIOUS: { key: 'previousMasterKeys', type: 'list' },
  ROOST_MASTER_PASSPHRASE: { key: 'masterPassphrase' },
  ROOST_TIME_ZONE: { key: 'timeZone' },
  ROOST_LOG_LEVEL: { key: 'logLevel' },
  ROOST_ADMIN_LISTEN: { key: 'admin.listen' },
  ROOST_ADMIN_ALLOW_PUBLIC_BIND: { key: 'admin.allowPublicBind', type: 'boolean' },
  ROOST_ADMIN_TLS_CERT: { key: 'admin.tlsCert' },
  ROOST_ADMIN_TLS_KEY: { key: 'admin.tlsKey' },
  ROOST_SESSION_IDLE_MINUTES: { key: 'auth.sessionIdleMinutes', type: 'number' },
  ROOST_SESSION_LIFETIME_HOURS: { key: 'auth.sessionLifetimeHours', type: 'number' },
  ROOST_STATUS_LISTEN: { key: 'status.listen' },
  ROOST_STATUS_DOMAIN: { key: 'status.domain' },
  ROOST_STATUS_PROCESSES: { key: 'status.processes', type: 'number' },
  ROOST_URL: { key: 'client.url' },
  ROOST_TOKEN: { key: 'client.token' },
  ROOST_RUNTIME: { key: 'runtime.default' },
  ROOST_DOCKER_SOCKET: { key: 'runtime.dockerSocket' },
  ROOST_IMAGE_API: { key: 'runtime.images.api' },
  ROOST_IMAGE_DB: { key: 'runtime.images.db' },
  ROOST_IMAGE_CACHE: { key: 'runtime.images.cache' },
  ROOST_JOBS_CONCURRENCY: { key: 'jobs.concurrency', type: 'number' },
  ROOST_JOBS_LEASE_SECONDS: { key: 'jobs.leaseSeconds', type: 'number' },
  ROOST_SMTP_HOST: { key: 'smtp.host' },
  ROOST_SMTP_PORT: { key: 'smtp.port', type: 'number' },
  ROOST_SMTP_SECURE: { key: 'smtp.secure', type: 'boolean' },
  ROOST_SMTP_IGNORE_TLS: { key: 'smtp.ignoreTls', type: 'boolean' },
  ROOST_SMTP_FROM: { key: 'smtp.from' },
  ROOST_MONITORING_ENABLED: { key: 'monitoring.enabled', type: 'boolean' },
  ROOST_MONITORING_PUBLIC_URL: { key: 'monitoring.publicUrl' },
  ROOST_MONITORING_REPORT_RECIPIENTS: { key: 'monitoring.reportRecipients', type: 'list' },
  ROOST_BACKUP_TARGET: { key: 'backups.target' },
  ROOST_BACKUP_DIRECTORY: { key: 'backups.directory' },
  ROOST_BACKUP_KEEP_DAILY: { key: 'backups.keepDaily', type: 'number' },
  ROOST_BACKUP_KEEP_WEEKLY: { key: 'backups.keepWeekly', type: 'number' },
  ROOST_BACKUP_KEEP_MONTHLY: { key: 'backups.keepMonthly', type: 'number' },
  ROOST_BACKUP_WINDOW_START: { key: 'backups.windowStart' },
  ROOST_BACKUP_WINDOW_END: { key: 'backups.windowEnd' },
  ROOST_DNS_SERVER: { key: 'dns.server' },
  ROOST_DNS_PORT: { key: 'dns.port', type: 'number' },
  ROOST_DNS_ZONE: { key: 'dns.zone' },
  ROOST_DNS_KEY_NAME: { key: 'dns.keyName' },
  ROOST_BACKUP_DRILLS: { key: 'backups.drills.every' },
};

export interface LoadOptions {
  /** Path given by `--config`; when absent, `roost.config.json` in the working directory if it exists. */
  configFile?: string | undefined;
  env?: Record<string, string | undefined>;
  /** Values from CLI flags, by dotted key (`admin.listen`), with the flag's name for messages. */
  flags?: Record<string, { value: Value; flag: string } | undefined>;
  cwd?: string;
}

export interface LoadedConfig {
  config: Config;
  /** Where each dotted key came from: `default`, a file path, an environment variable or a flag. */
  sources: Record<string, string>;
  configFile: string | undefined;
}

/** Reads defaults < config file < environment < flags, validates once, and returns a typed object. */
export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? {};
  const merged: Record<string, unknown> = {};
  const sources: Record<string, string> = {};

  const configFile = resolveConfigFile(options.configFile, cwd);
  if (configFile) {
    const fileValues = readConfigFile(configFile);
    for (const [key, value] of flatten(fileValues)) {
      setPath(merged, key, value);
      sources[key] = configFile;
    }
  }
  for (const [name, spec] of Object.entries(environmentKeys)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    setPath(merged, spec.key, coerce(raw, spec.type));
    sources[spec.key] = name;
  }
  for (const [key, entry] of Object.entries(options.flags ?? {})) {
    if (entry === undefined) continue;
    setPath(merged, key, entry.value);
    sources[key] = entry.flag;
  }

  const parsed = configSchema.safeParse(merged, { reportInput: true });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue?.path.join('.') ?? '';
    const offending =
      issue?.code === 'unrecognized_keys' ? [key, issue.keys[0]].filter(Boolean).join('.') : key;
    const source =
      sources[offending] ?? sourceUnder(sources, offending) ?? (key === '' ? configFile : undefined);
    const given =
      issue && 'input' in issue && issue.input !== undefined
        ? JSON.stringify(redactInput(key, issue.input))
        : 'nothing';
    const expected =
      issue?.code === 'unrecognized_keys'
        ? `no key named ${issue.keys.join(', ')}`
        : (issue?.message ?? 'a valid value');
    const where = source ? ` (from ${source})` : '';
    throw new RoostError(
      'invalid_config',
      `invalid configuration: ${key || 'root'}${where}: ${expected}; got ${given}`,
      {
        key,
        source,
      },
    );
  }
  const config = parsed.data;
  config.dataDir = path.resolve(cwd, config.dataDir);
  return { config, sources, configFile };
}

/** The source of any value below a dotted key (an object with an unknown key inside). */
function sourceUnder(sources: Record<string, string>, key: string): string | undefined {
  const prefix = key === '' ? '' : `${key}.`;
  return Object.entries(sources).find(([candidate]) => candidate.startsWith(prefix))?.[1];
}

function resolveConfigFile(given: string | undefined, cwd: string): string | undefined {
  if (given !== undefined) {
    const file = path.resolve(cwd, given);
    if (!existsSync(file)) throw new RoostError('invalid_config', `configuration file not found: ${given}`);
    return file;
  }
  const fallback = path.join(cwd, 'roost.config.json');
  return existsSync(fallback) ? fallback : undefined;
}

function readConfigFile(file: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const reason = error instanceof SyntaxError ? error.message : String(error);
    throw new RoostError('invalid_config', `invalid configuration file ${file}: ${reason}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new RoostError('invalid_config', `invalid configuration file ${file}: expected a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

function coerce(raw: string, type: 'number' | 'boolean' | 'list' | undefined): unknown {
  if (type === 'list')
    return raw
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  if (type === 'number') return /^-?\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : raw;
  if (type === 'boolean') {
    if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
    if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
    return raw;
  }
  return raw;
}

function redactInput(key: string, input: unknown): unknown {
  return /masterKey|previousMasterKeys|masterPassphrase|client\.token/.test(key) ? '[redacted]' : input;
}

function* flatten(value: Record<string, unknown>, prefix = ''): Generator<[string, unknown]> {
  for (const [key, inner] of Object.entries(value)) {
    const dotted = prefix ? `${prefix}.${key}` : key;
    if (typeof inner === 'object' && inner !== null && !Array.isArray(inner)) {
      yield* flatten(inner as Record<string, unknown>, dotted);
    } else {
      yield [dotted, inner];
    }
  }
}

function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const parts = dotted.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== 'object' || next === null) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts.at(-1) as string] = value;
}
