import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { RoostError } from '../core/errors.ts';
import type { ExecStream } from '../runtime/index.ts';
import type { BackupEngine } from './engines/types.ts';
import { type PreparedStage, prepareDecryption } from './gpg.ts';
import { abortedBy, inputOf, isOsWritable, outputOf, startDecompression } from './stages.ts';
import type { BackupTarget } from './targets/types.ts';

/**
 * The stored dump → gpg → zstd → the engine's restore, streamed; any stage failing stops the others, and so
 * does `signal` aborting (the processes are killed).
 */
export async function streamRestore(
  target: BackupTarget,
  file: string,
  privateKey: string,
  engine: BackupEngine,
  slug: string,
  signal?: AbortSignal,
): Promise<void> {
  // Everything that awaits comes first; then the processes start in one go (see streamDump). A file
  // target's file is read by gpg itself.
  const stored = await target.openForReading?.(file);
  let source: Readable | undefined;
  let decryption: PreparedStage | undefined;
  let restore: ExecStream;
  try {
    source = stored ? undefined : await target.get(file);
    decryption = await prepareDecryption(privateKey);
    restore = await engine.restore(slug);
  } catch (error) {
    await stored?.close();
    source?.destroy();
    await decryption?.discard();
    throw error;
  }
  restore.stdout.resume();
  const decrypt = decryption.start(stored?.fd);
  // gpg → zstd → pg_restore over OS pipes when the runtime's command has one (the local runtime does).
  const decompress = isOsWritable(restore.stdin)
    ? startDecompression(outputOf(decrypt), restore.stdin)
    : startDecompression(outputOf(decrypt));
  try {
    const stages = Promise.all([
      source ? pipeline(source, inputOf(decrypt)) : undefined,
      decompress.output ? pipeline(decompress.output, restore.stdin) : undefined,
      decrypt.done,
      decompress.done,
      restore.exited.then(({ code, stderr }) => {
        if (code !== 0)
          throw new RoostError('internal', `pg_restore failed (exit ${code}): ${stderr.trim()}`);
      }),
    ]);
    await Promise.race([stages, abortedBy(signal)]);
  } catch (error) {
    decrypt.kill();
    decompress.kill();
    restore.kill();
    throw error;
  } finally {
    await stored?.close();
  }
}
