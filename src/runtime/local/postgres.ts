import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { StackSpec } from '../types.ts';
import type { InstanceLayout } from './layout.ts';
import { asUser, type ProcessRecord, spawnDetached } from './processes.ts';

const run = promisify(execFile);

export const defaultPostgresBinDirectory = '/usr/lib/postgresql/15/bin';

export function postgresEnv(binDirectory: string): Record<string, string> {
  return { PATH: `${binDirectory}:/usr/sbin:/usr/bin:/sbin:/bin`, LANG: 'C.UTF-8' };
}

/**
 * Creates the cluster on first converge, like the postgres image's entrypoint: the spec's user is the
 * superuser, its password read by initdb itself from the secret file (never argv); TCP logins need it,
 * the Unix socket (a 0700 directory only the postgres user reaches) is trusted.
 */
export async function initCluster(
  binDirectory: string,
  layout: InstanceLayout,
  spec: StackSpec,
  passwordFile: string,
): Promise<boolean> {
  if (existsSync(path.join(layout.dbData, 'PG_VERSION'))) return false;
  const env = postgresEnv(binDirectory);
  const [initdb, initArgs] = asUser('postgres', path.join(binDirectory, 'initdb'), [
    `--pgdata=${layout.dbData}`,
    `--username=${spec.db.user}`,
    `--pwfile=${passwordFile}`,
    '--auth-local=trust',
    '--auth-host=scram-sha-256',
    '--encoding=UTF8',
    '--locale=C.UTF-8',
  ]);
  await run(initdb, initArgs, { env, cwd: layout.dbDirectory, timeout: 120_000 });
  if (spec.db.database !== 'postgres') {
    // Single-user mode creates the database before the server listens; the name matched ^[a-z_][a-z0-9_]*$.
    const [single, singleArgs] = asUser('postgres', path.join(binDirectory, 'postgres'), [
      '--single',
      '-D',
      layout.dbData,
      '-c',
      `unix_socket_directories=${layout.dbSocket}`,
      'template1',
    ]);
    await new Promise<void>((resolve, reject) => {
      const child = execFile(
        single,
        singleArgs,
        { env, cwd: layout.dbDirectory, timeout: 60_000 },
        (error) => (error ? reject(error) : resolve()),
      );
      child.stdin?.end(`CREATE DATABASE ${spec.db.database};\n`);
    });
  }
  return true;
}

export function startPostgres(
  binDirectory: string,
  layout: InstanceLayout,
  port: number,
  logFile: string,
): ProcessRecord {
  const [command, args] = asUser('postgres', path.join(binDirectory, 'postgres'), [
    '-D',
    layout.dbData,
    '-k',
    layout.dbSocket,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_permissions=0700',
  ]);
  return spawnDetached(command, args, { env: postgresEnv(binDirectory), cwd: layout.dbDirectory, logFile });
}

/** `pg_isready` over TCP: the server accepts connections (no login needed, so no secret involved). */
export async function postgresAccepting(binDirectory: string, port: number): Promise<boolean> {
  try {
    await run(path.join(binDirectory, 'pg_isready'), ['--quiet', '--host=127.0.0.1', `--port=${port}`], {
      env: postgresEnv(binDirectory),
      timeout: 5_000,
    });
    return true;
  } catch {
    return false;
  }
}
