import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { request } from 'node:http';
import path from 'node:path';
import type { Config } from '../config/index.ts';
import { describeError } from '../core/errors.ts';
import { loadMigrations, openStore, pendingMigrations } from '../store/index.ts';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface DoctorCheck {
  name: string;
  status: CheckStatus;
  detail: string;
  /** What to do about a warning or failure. */
  fix?: string;
}

export interface DoctorEnvironment {
  nodeVersion: string;
  /** Directories searched for tools (the PATH). */
  searchPath: string[];
  dockerSocket: string;
}

const tools: { name: string; binary: string; package: string; versionFlag: string }[] = [
  { name: 'pg_dump', binary: 'pg_dump', package: 'postgresql-client', versionFlag: '--version' },
  { name: 'gpg', binary: 'gpg', package: 'gnupg', versionFlag: '--version' },
  { name: 'ssh', binary: 'ssh', package: 'openssh-client', versionFlag: '-V' },
  { name: 'zstd', binary: 'zstd', package: 'zstd', versionFlag: '--version' },
];

/** Looks at the machine and the configuration without changing either. */
export async function runDoctor(config: Config, environment: DoctorEnvironment): Promise<DoctorCheck[]> {
  return [
    checkNode(environment.nodeVersion),
    await checkDataDirectory(config.dataDir),
    await checkMasterKey(config),
    await checkDatabase(config),
    await checkDocker(environment.dockerSocket),
    ...(await Promise.all(tools.map((tool) => checkTool(tool, environment.searchPath)))),
  ];
}

function checkNode(version: string): DoctorCheck {
  const major = Number(version.replace(/^v/, '').split('.')[0]);
  return major >= 26
    ? { name: 'node', status: 'ok', detail: `Node.js ${version}` }
    : {
        name: 'node',
        status: 'fail',
        detail: `Node.js ${version}; Roost needs 26 or newer`,
        fix: 'run Roost through npm (npm start, npx roost) so the Node.js 26 from its dependencies is used',
      };
}

async function checkDataDirectory(directory: string): Promise<DoctorCheck> {
  const info = await stat(directory).catch(() => undefined);
  if (!info) {
    return {
      name: 'data directory',
      status: 'warn',
      detail: `${directory} does not exist yet`,
      fix: 'roost serve creates it (mode 0700)',
    };
  }
  const mode = info.mode & 0o777;
  if (mode & 0o077) {
    return {
      name: 'data directory',
      status: 'warn',
      detail: `${directory} is open to other users (mode ${mode.toString(8)})`,
      fix: `chmod 700 ${directory}`,
    };
  }
  return { name: 'data directory', status: 'ok', detail: `${directory} (mode ${mode.toString(8)})` };
}

async function checkMasterKey(config: Config): Promise<DoctorCheck> {
  if (config.masterKey) return { name: 'master key', status: 'ok', detail: 'from ROOST_MASTER_KEY' };
  if (config.masterPassphrase)
    return { name: 'master key', status: 'ok', detail: 'derived from ROOST_MASTER_PASSPHRASE (scrypt)' };
  const keyFile = path.join(config.dataDir, 'master.key');
  const info = await stat(keyFile).catch(() => undefined);
  if (!info) {
    return {
      name: 'master key',
      status: 'warn',
      detail: `no master key yet; roost serve will create ${keyFile}`,
      fix: 'set ROOST_MASTER_KEY (openssl rand -base64 32) from a secret manager before the first start',
    };
  }
  const mode = info.mode & 0o777;
  if (mode !== 0o600) {
    return {
      name: 'master key',
      status: 'fail',
      detail: `${keyFile} has mode ${mode.toString(8)}`,
      fix: `chmod 600 ${keyFile}`,
    };
  }
  return {
    name: 'master key',
    status: 'warn',
    detail: `in the key file ${keyFile}, beside the data it protects: a copy of the data directory can decrypt every secret`,
    fix: "keep the key in a secret manager: set ROOST_MASTER_KEY to a new key, ROOST_MASTER_KEY_PREVIOUS to the file's key, and run roost vault rotate",
  };
}

async function checkDatabase(config: Config): Promise<DoctorCheck> {
  if (!config.databaseUrl) {
    const file = path.join(config.dataDir, 'roost.db');
    if (!(await stat(file).catch(() => undefined))) {
      return {
        name: 'database',
        status: 'warn',
        detail: `no SQLite database yet at ${file}`,
        fix: 'roost serve (or roost migrate) creates it',
      };
    }
  }
  try {
    const store = await openStore({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      maxConnections: 1,
    });
    try {
      const pending = await pendingMigrations(store.db, await loadMigrations());
      const where = `${store.dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL'} at ${store.location}`;
      return pending.length === 0
        ? { name: 'database', status: 'ok', detail: `${where}, migrations applied` }
        : {
            name: 'database',
            status: 'warn',
            detail: `${where}, ${pending.length} migration(s) pending`,
            fix: 'roost migrate',
          };
    } finally {
      await store.close();
    }
  } catch (error) {
    return {
      name: 'database',
      status: 'fail',
      detail: describeError(error),
      fix: 'check ROOST_DATABASE_URL and that the server is running',
    };
  }
}

function checkDocker(socketPath: string): Promise<DoctorCheck> {
  return new Promise((resolve) => {
    const unreachable = (reason: string) =>
      resolve({
        name: 'docker engine',
        status: 'warn',
        detail: `not reachable at ${socketPath} (${reason}); needed only for the swarm runtime`,
        fix: 'install docker.io and start dockerd',
      });
    const call = request({ socketPath, path: '/version', timeout: 2_000 }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      response.on('end', () => {
        try {
          const version = (JSON.parse(body) as { Version?: string }).Version ?? 'unknown version';
          resolve({
            name: 'docker engine',
            status: 'ok',
            detail: `Docker Engine ${version} at ${socketPath}`,
          });
        } catch {
          unreachable('unexpected answer');
        }
      });
    });
    call.on('timeout', () => call.destroy(new Error('timed out')));
    call.on('error', (error: NodeJS.ErrnoException) => unreachable(error.code ?? error.message));
    call.end();
  });
}

async function checkTool(tool: (typeof tools)[number], searchPath: string[]): Promise<DoctorCheck> {
  for (const directory of searchPath) {
    const candidate = path.join(directory, tool.binary);
    if (
      await access(candidate, constants.X_OK).then(
        () => true,
        () => false,
      )
    ) {
      return { name: tool.name, status: 'ok', detail: await toolVersion(candidate, tool.versionFlag) };
    }
  }
  return {
    name: tool.name,
    status: 'fail',
    detail: `${tool.binary} not found on PATH (backups need it)`,
    fix: `apt-get install ${tool.package}`,
  };
}

function toolVersion(binary: string, versionFlag: string): Promise<string> {
  return new Promise((resolve) => {
    execFile(binary, [versionFlag], { timeout: 5_000 }, (_error, stdout, stderr) => {
      const first = `${stdout}${stderr}`.split('\n').find((line) => line.trim() !== '') ?? '';
      resolve(`${binary}${first ? ` (${first.trim()})` : ''}`);
    });
  });
}
