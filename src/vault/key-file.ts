import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { RoostError } from '../core/errors.ts';
import { type MasterKey, parseMasterKey } from './master-key.ts';

/**
 * The embedded default's master keys: one base64 key per line, the current key first. More than one line
 * only while a rotation runs, so a process that re-reads the file still finds the key it needs.
 */
export async function readKeyFile(file: string): Promise<MasterKey[] | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new RoostError(
      'invalid_config',
      `cannot read the master key file ${file}: ${(error as Error).message}`,
    );
  }
  const keys = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line, index) => parseMasterKey(line, `line ${index + 1} of the master key file ${file}`));
  if (keys.length === 0) throw new RoostError('invalid_config', `the master key file ${file} holds no key`);
  return keys;
}

/** Mode bits other users have on the key file (0 when only the owner can read it). */
export async function keyFileExposure(file: string): Promise<number> {
  return (await stat(file)).mode & 0o077;
}

/** Replaces the key file atomically (temp file + rename), mode 0600. */
export async function writeKeyFile(file: string, keys: MasterKey[]): Promise<void> {
  const temporary = await writeTemporary(file, keys);
  try {
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await syncDirectory(path.dirname(file));
}

/**
 * Creates the key file only if none exists (link fails on an existing name where rename would replace it),
 * so two processes opening an empty vault together cannot overwrite each other's key. False if one existed.
 */
export async function createKeyFile(file: string, keys: MasterKey[]): Promise<boolean> {
  const temporary = await writeTemporary(file, keys);
  try {
    await link(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await rm(temporary, { force: true });
  }
  await syncDirectory(path.dirname(file));
  return true;
}

async function writeTemporary(file: string, keys: MasterKey[]): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o711 }); // as the store's data directory
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temporary, 'wx', 0o600);
  try {
    await handle.chmod(0o600);
    await handle.writeFile(keys.map((key) => `${key.key.toString('base64')}\n`).join(''));
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  return temporary;
}

async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
