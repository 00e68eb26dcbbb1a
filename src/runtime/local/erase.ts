import {
  closeSync,
  existsSync,
  fsyncSync,
  lstatSync,
  openSync,
  readdirSync,
  rmSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';

const chunk = Buffer.alloc(1024 * 1024);

/**
 * Overwrites every regular file under `directory` with zeros (one pass, fsynced), then removes the tree.
 * One pass defeats reading the files back through the file system; it does not reach copies a copy-on-write
 * file system or an SSD's wear levelling kept, which is why decommissioning also states it on the certificate.
 */
export function overwriteAndRemove(directory: string): { files: number; bytes: number } {
  if (!existsSync(directory)) return { files: 0, bytes: 0 };
  let files = 0;
  let bytes = 0;
  const walk = (current: string) => {
    for (const entry of readdirSync(current)) {
      const target = path.join(current, entry);
      const stat = lstatSync(target);
      if (stat.isDirectory()) walk(target);
      else if (stat.isFile() && stat.size > 0) {
        const fd = openSync(target, 'r+');
        try {
          for (let offset = 0; offset < stat.size; offset += chunk.length) {
            writeSync(fd, chunk, 0, Math.min(chunk.length, stat.size - offset), offset);
          }
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
        files++;
        bytes += stat.size;
      }
    }
  };
  walk(directory);
  rmSync(directory, { recursive: true, force: true });
  return { files, bytes };
}
