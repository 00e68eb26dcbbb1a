import { pipeline } from 'node:stream/promises';
import { RoostError } from '../core/errors.ts';
import type { BackupEngine } from './engines/types.ts';
import { startDecryption } from './gpg.ts';
import { inputOf, isOsWritable, outputOf, startDecompression } from './stages.ts';
import type { BackupTarget } from './targets/types.ts';

/** The stored dump → gpg → zstd → the engine's restore, streamed; any stage failing stops the others. */
export async function streamRestore(
  target: BackupTarget,
  file: string,
  privateKey: string,
  engine: BackupEngine,
  slug: string,
): Promise<void> {
  const source = await target.get(file);
  const decrypt = await startDecryption(privateKey);
  const restore = await engine.restore(slug);
  restore.stdout.resume();
  // gpg → zstd → pg_restore over OS pipes when the runtime's command has one (the local runtime does).
  const decompress = isOsWritable(restore.stdin)
    ? startDecompression(outputOf(decrypt), restore.stdin)
    : startDecompression(outputOf(decrypt));
  try {
    await Promise.all([
      pipeline(source, inputOf(decrypt)),
      decompress.output ? pipeline(decompress.output, restore.stdin) : undefined,
      decrypt.done,
      decompress.done,
      restore.exited.then(({ code, stderr }) => {
        if (code !== 0)
          throw new RoostError('internal', `pg_restore failed (exit ${code}): ${stderr.trim()}`);
      }),
    ]);
  } catch (error) {
    decrypt.kill();
    decompress.kill();
    restore.kill();
    throw error;
  }
}
