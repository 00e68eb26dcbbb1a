import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { StackSpec } from '../types.ts';
import { type ProcessRecord, spawnDetached } from './processes.ts';

export interface ApiSettings {
  entry: string;
  spec: StackSpec;
  dbPort: number;
  cachePort: number;
  secretFile: (name: 'db-password' | 'cache-password' | 'jwt-signing-key') => string;
}

/** The API's environment: plain settings and secret file paths only (the `*_FILE` convention). */
export function apiEnv(settings: ApiSettings, port: number): Record<string, string> {
  const { spec } = settings;
  return {
    ...spec.api.env,
    PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin`,
    PORT: String(port),
    BIND: '127.0.0.1',
    APP_VERSION: spec.release.api,
    DATABASE_HOST: '127.0.0.1',
    DATABASE_PORT: String(settings.dbPort),
    DATABASE_NAME: spec.db.database,
    DATABASE_USER: spec.db.login ?? spec.db.user,
    DATABASE_PASSWORD_FILE: settings.secretFile('db-password'),
    REDIS_HOST: '127.0.0.1',
    REDIS_PORT: String(settings.cachePort),
    REDIS_PASSWORD_FILE: settings.secretFile('cache-password'),
    JWT_SIGNING_KEY_FILE: settings.secretFile('jwt-signing-key'),
  };
}

/**
 * What a replica was started with, minus its port: a different hash means the replica must be replaced.
 * The secret files' contents count (a rotated value needs new replicas), hashed, never stored.
 */
export function apiConfigHash(settings: ApiSettings): string {
  const hash = createHash('sha256').update(JSON.stringify([settings.entry, apiEnv(settings, 0)]));
  for (const name of ['db-password', 'cache-password', 'jwt-signing-key'] as const) {
    const file = settings.secretFile(name);
    hash.update(existsSync(file) ? readFileSync(file) : '');
  }
  return hash.digest('hex').slice(0, 16);
}

/** Started with its working directory in the instance directory, where remove's sweep finds it. */
export function startApiReplica(
  settings: ApiSettings,
  port: number,
  logFile: string,
  cwd: string,
): ProcessRecord {
  return spawnDetached(process.execPath, [settings.entry], {
    env: apiEnv(settings, port),
    cwd,
    logFile,
  });
}

/** GET /status → 200: the API runs and reaches its database and cache. */
export async function apiHealthy(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/status`, { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.status === 200;
  } catch {
    return false;
  }
}
