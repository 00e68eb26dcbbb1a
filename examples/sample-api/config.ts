import { readFileSync } from 'node:fs';

// Every secret comes from a file (Roost mounts them on tmpfs, Swarm under /run/secrets); the environment
// holds only the paths, so secrets never show in `docker inspect`, /proc/<pid>/environ or argv.

export type DatabaseConfig =
  | { url: string }
  | { host: string; port: number; name: string; user: string; password: string };

export interface Config {
  database: DatabaseConfig;
  redis: { host: string; port: number; password: string | undefined };
  jwtSigningKey: string;
  port: number;
  bind: string;
  version: string;
  trustProxy: boolean;
  seed: { username: string; password: string } | undefined;
  maxUploadBytes: number;
  checkTimeoutMs: number;
}

/** A configuration problem the operator must fix; main prints its message on one line and exits 2. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

const secretNames = [
  'DATABASE_URL',
  'DATABASE_PASSWORD',
  'REDIS_PASSWORD',
  'JWT_SIGNING_KEY',
  'SEED_PASSWORD',
];

export function loadConfig(env: Env): Config {
  for (const name of secretNames) {
    if (env[name] !== undefined) {
      throw new ConfigError(`${name} is set: secrets are read from files only, set ${name}_FILE instead`);
    }
  }
  const seedUser = optional(env, 'SEED_USER');
  return {
    database: databaseConfig(env),
    redis: {
      host: required(env, 'REDIS_HOST'),
      port: integer(env, 'REDIS_PORT', 6379, 1, 65_535),
      password: env.REDIS_PASSWORD_FILE === undefined ? undefined : readSecret(env, 'REDIS_PASSWORD_FILE'),
    },
    jwtSigningKey: readSecret(env, 'JWT_SIGNING_KEY_FILE'),
    port: integer(env, 'PORT', 8080, 0, 65_535),
    bind: optional(env, 'BIND') ?? '0.0.0.0',
    version: optional(env, 'APP_VERSION') ?? 'unknown',
    trustProxy: env.TRUST_PROXY === '1' || env.TRUST_PROXY === 'true',
    seed:
      seedUser === undefined
        ? undefined
        : { username: seedUser, password: readSecret(env, 'SEED_PASSWORD_FILE') },
    maxUploadBytes: integer(env, 'MAX_UPLOAD_BYTES', 10 * 1024 * 1024, 1, 1024 * 1024 * 1024),
    checkTimeoutMs: integer(env, 'CHECK_TIMEOUT_MS', 1_000, 1, 60_000),
  };
}

function databaseConfig(env: Env): DatabaseConfig {
  if (env.DATABASE_URL_FILE !== undefined) {
    const url = readSecret(env, 'DATABASE_URL_FILE');
    let protocol: string;
    try {
      protocol = new URL(url).protocol;
    } catch {
      // Never echo the value: it holds the password.
      throw new ConfigError('DATABASE_URL_FILE does not contain a valid URL');
    }
    if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
      throw new ConfigError('DATABASE_URL_FILE must contain a postgres:// URL');
    }
    return { url };
  }
  if (env.DATABASE_HOST === undefined) {
    throw new ConfigError(
      'set DATABASE_URL_FILE, or DATABASE_HOST with DATABASE_NAME, DATABASE_USER and DATABASE_PASSWORD_FILE',
    );
  }
  return {
    host: required(env, 'DATABASE_HOST'),
    port: integer(env, 'DATABASE_PORT', 5432, 1, 65_535),
    name: required(env, 'DATABASE_NAME'),
    user: required(env, 'DATABASE_USER'),
    password: readSecret(env, 'DATABASE_PASSWORD_FILE'),
  };
}

/** Reads the secret file named by `variable`; one trailing newline (as `echo` writes) is not part of it. */
export function readSecret(env: Env, variable: string): string {
  const file = required(env, variable);
  let value: string;
  try {
    value = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError(`cannot read ${variable} (${file}): ${code}`);
  }
  value = value.replace(/\r?\n$/, '');
  if (value === '') throw new ConfigError(`${variable} (${file}) is empty`);
  return value;
}

function required(env: Env, name: string): string {
  const value = optional(env, name);
  if (value === undefined) throw new ConfigError(`${name} is not set`);
  return value;
}

function optional(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const text = optional(env, name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${text}"`);
  }
  return value;
}
