import { createHash } from 'node:crypto';
import { RoostError } from '../core/errors.ts';
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
    const hash = createHash('sha256');
    let bytes = 0;
    let stream: AsyncIterable<Buffer>;
    try {
      stream = await target.get(`${folder}/${file.name}`);
    } catch (error) {
      throw new RoostError(
        'conflict',
        `backup ${manifest.id} is incomplete: ${file.name} is missing on ${target.description}`,
        {
          backupId: manifest.id,
          file: file.name,
        },
        { cause: error },
      );
    }
    for await (const chunk of stream) {
      hash.update(chunk);
      bytes += chunk.length;
    }
    const sha256 = hash.digest('hex');
    if (sha256 !== file.sha256 || bytes !== file.bytes)
      throw new RoostError(
        'conflict',
        `backup ${manifest.id} is damaged: ${file.name} does not match its checksum (sha256 ${sha256}, ${bytes} bytes; the manifest says ${file.sha256}, ${file.bytes} bytes); nothing was restored`,
        { backupId: manifest.id, file: file.name },
      );
  }
}
