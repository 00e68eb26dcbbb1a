import { createHash } from 'node:crypto';
import {
  accessSync,
  chownSync,
  constants,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statfsSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { RoostError } from '../../core/errors.ts';
import type { SecretSource, StackSecretName } from '../types.ts';
import { type RunAs, userIds } from './processes.ts';

const tmpfsMagic = 0x01021994;

export interface SecretDirectory {
  medium: 'tmpfs' | 'disk';
  directory: string;
}

/**
 * Where an instance's secret files go: a tmpfs (`/dev/shm`, then `$XDG_RUNTIME_DIR`) so they never reach a
 * disk, else a 0700 directory inside the instance directory. The directory name is derived from the
 * runtime's root so two Roost data directories on one machine do not collide.
 */
export function chooseSecretDirectory(
  root: string,
  instance: string,
  instanceDirectory: string,
  runtimeDirectory: string | undefined,
): SecretDirectory {
  const scope = `roost-${createHash('sha256').update(path.resolve(root)).digest('hex').slice(0, 12)}`;
  for (const candidate of ['/dev/shm', runtimeDirectory]) {
    if (candidate === undefined || candidate === '' || !isWritableTmpfs(candidate)) continue;
    return { medium: 'tmpfs', directory: path.join(candidate, scope, instance) };
  }
  return { medium: 'disk', directory: path.join(instanceDirectory, 'secrets') };
}

function isWritableTmpfs(directory: string): boolean {
  try {
    accessSync(directory, constants.W_OK | constants.X_OK);
    return statfsSync(directory).type === tmpfsMagic;
  } catch {
    return false;
  }
}

/** Which process reads each file; the file is owned by that user (when Roost is root) and mode 0600. */
export const secretFiles: Record<StackSecretName, string> = {
  'db-password': 'db-password',
  'cache-password': 'cache-password',
  'jwt-signing-key': 'jwt-signing-key',
};

export function prepareSecretDirectory(secrets: SecretDirectory): void {
  // 0711: the postgres and redis users must reach their own 0600 files; nobody can list the directory.
  mkdirSync(path.dirname(secrets.directory), { recursive: true, mode: 0o711 });
  mkdirSync(secrets.directory, { recursive: true, mode: 0o711 });
}

/**
 * Writes `content` to `name` (0600, owned by `owner`) unless it already holds exactly that; a new value
 * (a rotation) replaces the file atomically. Returns true when the file was written.
 */
export function writeSecretFile(directory: string, name: string, content: string, owner: RunAs): boolean {
  const file = path.join(directory, name);
  if (existsSync(file) && readFileSync(file, 'utf8') === content) return false;
  const staged = `${file}.new`;
  rmSync(staged, { force: true });
  writeFileSync(staged, content, { mode: 0o600, flag: 'wx' });
  const ids = userIds(owner);
  if (ids) chownSync(staged, ids.uid, ids.gid);
  renameSync(staged, file);
  return true;
}

export async function readAllSecrets(source: SecretSource): Promise<Record<StackSecretName, string>> {
  const [db, cache, jwt] = await Promise.all([
    source.read('db-password'),
    source.read('cache-password'),
    source.read('jwt-signing-key'),
  ]);
  for (const [name, value] of [
    ['db-password', db],
    ['cache-password', cache],
    ['jwt-signing-key', jwt],
  ] as const) {
    // A newline would end initdb's --pwfile line and redis' requirepass line early.
    if (value === '' || /[\r\n\s"']/.test(value)) {
      throw new RoostError('invalid_input', `secret ${name} is empty or holds whitespace or quotes`);
    }
  }
  return { 'db-password': db, 'cache-password': cache, 'jwt-signing-key': jwt };
}
