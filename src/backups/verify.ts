import { createHash } from 'node:crypto';
import { isRoostError, RoostError } from '../core/errors.ts';
import { hashFile } from './file-hash.ts';
import type { BackupManifest } from './manifest.ts';
import { backupFolder } from './pipeline.ts';
import type { BackupTarget } from './targets/types.ts';

/**
 * Reads every file of a backup back from the target and compares its SHA-256 with the manifest; throws a
 * `conflict` naming the damaged file. Runs before anything is decrypted or any database touched.
 */
export async function verifyBackupFiles(target: BackupTarget, manifest: BackupManifest): Promise<void> {
  const folder = backupFolder(manifest.instance.slug, manifest.id);
  for (const file of manifest.files) {
    const key = `${folder}/${file.name}`;
    let stored: { bytes: number; sha256: string };
    try {
      stored = await hashStored(target, key);
    } catch (error) {
      if (!isRoostError(error, 'not_found')) throw error;
      throw new RoostError(
        'conflict',
        `backup ${manifest.id} is incomplete: ${file.name} is missing on ${target.description}`,
        { backupId: manifest.id, file: file.name },
        { cause: error },
      );
    }
    const { sha256, bytes } = stored;
    if (sha256 !== file.sha256 || bytes !== file.bytes)
      throw new RoostError(
        'conflict',
        `backup ${manifest.id} is damaged: ${file.name} does not match its checksum (sha256 ${sha256}, ${bytes} bytes; the manifest says ${file.sha256}, ${file.bytes} bytes); nothing was restored`,
        { backupId: manifest.id, file: file.name },
      );
  }
}

/** A file target's file in 1 MiB reads; any other target's as a stream. */
async function hashStored(target: BackupTarget, key: string): Promise<{ bytes: number; sha256: string }> {
  if (target.openForReading) {
    const file = await target.openForReading(key);
    try {
      return await hashFile(file.fd);
    } finally {
      await file.close();
    }
  }
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of await target.get(key)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, sha256: hash.digest('hex') };
}
