import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { RoostError } from '../../core/errors.ts';
import { type BackupTarget, partialSuffix } from './types.ts';

/** Backups in a directory of this machine (or a mounted one); files 0600, folders 0700. */
export function createLocalTarget(root: string): BackupTarget {
  const base = path.resolve(root);
  const resolve = (key: string): string => {
    const file = path.resolve(base, key);
    if (file !== base && !file.startsWith(`${base}${path.sep}`))
      throw new RoostError('invalid_input', `backup path ${key} leaves the backup directory`);
    return file;
  };
  return {
    kind: 'local',
    description: `local:${root}`,
    async put(key, source, producerSucceeded) {
      const file = resolve(key);
      await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
      const partial = `${file}${partialSuffix}`;
      let bytes = 0;
      source.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      try {
        await pipeline(source, createWriteStream(partial, { mode: 0o600 }));
        await producerSucceeded;
      } catch (error) {
        await rm(partial, { force: true });
        throw error;
      }
      // On disk before the rename: the name promises a complete file, also after a power cut.
      const handle = await open(partial, 'r');
      await handle.sync().finally(() => handle.close());
      await rename(partial, file);
      return { bytes };
    },
    async get(key) {
      const file = resolve(key);
      if (!(await isFile(file))) throw new RoostError('not_found', `no backup file ${key} in ${root}`);
      return createReadStream(file);
    },
    exists: (key) => isFile(resolve(key)),
    async list(prefix) {
      try {
        return (await readdir(resolve(prefix))).sort();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
    },
    async removeFolder(prefix) {
      await rm(resolve(prefix), { recursive: true, force: true });
    },
    async removePartials(prefix) {
      const base = resolve(prefix);
      let removed = 0;
      let names: string[];
      try {
        names = await readdir(base, { recursive: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
        throw error;
      }
      for (const name of names.filter((candidate) => candidate.endsWith(partialSuffix))) {
        await rm(path.join(base, name), { force: true });
        removed++;
      }
      return removed;
    },
    async close() {},
  };
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}
