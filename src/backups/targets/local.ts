import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { RoostError } from '../../core/errors.ts';
import { type BackupTarget, partialSuffix, type TargetFile } from './types.ts';

/** Backups in a directory of this machine (or a mounted one); files 0600, folders 0700. */
export function createLocalTarget(root: string): BackupTarget {
  const base = path.resolve(root);
  const resolve = (key: string): string => {
    const file = path.resolve(base, key);
    if (file !== base && !file.startsWith(`${base}${path.sep}`))
      throw new RoostError('invalid_input', `backup path ${key} leaves the backup directory`);
    return file;
  };
  const partialOf = async (key: string) => {
    const file = resolve(key);
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    return openPartial(file);
  };
  return {
    kind: 'local',
    description: `local:${root}`,
    async put(key, source, producerSucceeded) {
      const partial = await partialOf(key);
      try {
        // Through the descriptor: the handle stays ours to flush and close.
        await pipeline(source, createWriteStream('', { fd: partial.fd, autoClose: false, emitClose: false }));
        await producerSucceeded;
      } catch (error) {
        await partial.abort();
        throw error;
      }
      return partial.commit();
    },
    openFile: partialOf,
    async get(key) {
      const file = resolve(key);
      if (!(await isFile(file))) throw new RoostError('not_found', `no backup file ${key} in ${root}`);
      return createReadStream(file);
    },
    async openForReading(key) {
      const file = resolve(key);
      if (!(await isFile(file))) throw new RoostError('not_found', `no backup file ${key} in ${root}`);
      const handle = await open(file, 'r');
      return { fd: handle.fd, close: () => handle.close() };
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

const flushEveryMs = 1_000;

/**
 * `<file>.partial`, flushed to disk (`fdatasync`) every second while it is written: a large backup never
 * piles up gigabytes of unwritten pages, and the flush before the rename is short. `commit` flushes the
 * rest and renames it into place (the name promises a complete file, also after a power cut); `abort`
 * removes it.
 */
async function openPartial(file: string): Promise<TargetFile> {
  const partial = `${file}${partialSuffix}`;
  const handle = await open(partial, 'w+', 0o600);
  let flushing: Promise<void> | undefined;
  let failure: unknown;
  const timer = setInterval(() => {
    flushing ??= handle
      .datasync()
      .catch((error: unknown) => {
        failure ??= error;
      })
      .finally(() => {
        flushing = undefined;
      });
  }, flushEveryMs);
  timer.unref();
  const stop = async () => {
    clearInterval(timer);
    await flushing;
  };
  return {
    fd: handle.fd,
    async commit() {
      try {
        await stop();
        if (failure) throw failure;
        await handle.datasync();
        const { size } = await handle.stat();
        await handle.close();
        await rename(partial, file);
        return { bytes: size };
      } catch (error) {
        await handle.close().catch(() => {});
        await rm(partial, { force: true });
        throw error;
      }
    },
    async abort() {
      await stop();
      await handle.close().catch(() => {});
      await rm(partial, { force: true });
    },
  };
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}
