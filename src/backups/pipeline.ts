import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Clock } from '../core/clock.ts';
import { RoostError } from '../core/errors.ts';
import type { Instance } from '../instances/index.ts';
import type { ExecStream } from '../runtime/index.ts';
import type { BackupEngine } from './engines/types.ts';
import { hashFile } from './file-hash.ts';
import { prepareEncryption, startEncryption } from './gpg.ts';
import type { InstanceKey } from './keys.ts';
import { type BackupManifest, instanceFile, type ManifestFile, manifestFile } from './manifest.ts';
import { abortedBy, inputOf, isOsStream, outputOf, startCompression } from './stages.ts';
import type { BackupTarget, TargetFile } from './targets/types.ts';

export interface BackupInput {
  backupId: string;
  instance: Instance;
  key: InstanceKey;
  /** The instance's configuration and secret values; encrypted before it leaves memory. */
  instanceDocument: unknown;
  engine: BackupEngine;
  target: BackupTarget;
  clock: Clock;
  onProgress?: (message: string) => void;
  /** The job's: when it aborts, the processes are killed, the partial file removed and no manifest written. */
  signal?: AbortSignal | undefined;
}

export const backupFolder = (slug: string, backupId: string): string => `${slug}/${backupId}`;

/** Hashes and counts what flows through, and reports progress every 8 MiB. */
function measuring(
  onBytes?: (bytes: number) => void,
): Transform & { digest(): { bytes: number; sha256: string } } {
  const hash = createHash('sha256');
  let bytes = 0;
  let reported = 0;
  const transform = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      if (bytes - reported >= 8 * 1024 * 1024) {
        reported = bytes;
        onBytes?.(bytes);
      }
      done(null, chunk);
    },
  });
  return Object.assign(transform, { digest: () => ({ bytes, sha256: hash.digest('hex') }) });
}

/**
 * dump → zstd → gpg → SHA-256 → target, all streamed (memory stays flat), then the encrypted instance
 * document, then the manifest last. Any stage failing kills the others and rejects; what was uploaded
 * stays without a manifest and never counts.
 */
export async function writeBackup(input: BackupInput): Promise<BackupManifest> {
  const { instance, engine, target, clock, key } = input;
  const folder = backupFolder(instance.slug, input.backupId);
  const started = clock.now();
  // The version query and the small encrypted instance document run beside the dump, not before or
  // after it (both awaited below; a failed backup's folder is removed whole).
  const versionQuery = engine.version(instance.slug);
  versionQuery.catch(() => {});
  const storingDocument = encryptToTarget(
    key.publicKey,
    Readable.from([Buffer.from(JSON.stringify(input.instanceDocument))]),
    target,
    `${folder}/${instanceFile}`,
  );
  storingDocument.catch(() => {});
  let rowCounts: Record<string, number>;
  let database: Omit<ManifestFile, 'name' | 'content'>;
  try {
    ({ rowCounts, database } = await dumpAndCount(input, folder));
  } catch (error) {
    // Nothing of this run may land in the folder after it ended: its next run starts the folder again.
    await Promise.allSettled([storingDocument, versionQuery]);
    throw error;
  }
  const engineVersion = await versionQuery;
  const document = await storingDocument;
  // The manifest is what makes a backup count: a run that was told to stop never writes it.
  input.signal?.throwIfAborted();
  const finished = clock.now();
  const manifest: BackupManifest = {
    format: 'roost-backup',
    version: 1,
    id: input.backupId,
    instance: {
      id: instance.id,
      slug: instance.slug,
      customer: instance.customer,
      environment: instance.environment,
    },
    engine: { name: engine.name, version: engineVersion },
    key: { fingerprint: key.fingerprint, algorithm: 'OpenPGP v4 Curve25519 (ECDH), SEIPDv1' },
    files: [
      { name: engine.dumpFile, ...database, content: `${engine.name} custom-format dump, zstd, OpenPGP` },
      {
        name: instanceFile,
        ...document,
        content: 'instance configuration and secret values (JSON), OpenPGP',
      },
    ],
    rowCounts,
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    durationMs: finished.getTime() - started.getTime(),
    restore: [
      'sha256sum -c: compare each file with files[].sha256 first',
      engine.restoreHint,
      `gpg --decrypt ${instanceFile}  # the instance's configuration and secrets`,
    ],
  };
  input.onProgress?.('writing the manifest');
  await target.put(
    `${folder}/${manifestFile}`,
    Readable.from([Buffer.from(JSON.stringify(manifest, null, 2))]),
  );
  return manifest;
}

/** The dump and the row counts: in one snapshot and at the same time when the engine has them. */
async function dumpAndCount(
  input: BackupInput,
  folder: string,
): Promise<{ rowCounts: Record<string, number>; database: Omit<ManifestFile, 'name' | 'content'> }> {
  const { engine, instance } = input;
  if (engine.openSnapshot) {
    // One snapshot: the dump and the row counts see the same data, and run at the same time.
    input.onProgress?.('dumping the database and counting its rows');
    const snapshot = await engine.openSnapshot(instance.slug);
    try {
      const counting = snapshot.rowCounts();
      counting.catch(() => {}); // awaited below; the dump failing first must not leave it unhandled
      const database = await streamDump(input, folder, snapshot.id);
      return { rowCounts: await counting, database };
    } finally {
      await snapshot.close();
    }
  } else {
    input.onProgress?.('counting rows');
    const rowCounts = await engine.rowCounts(instance.slug);
    input.onProgress?.('dumping the database');
    return { rowCounts, database: await streamDump(input, folder) };
  }
}

async function streamDump(
  input: BackupInput,
  folder: string,
  snapshot?: string,
): Promise<Omit<ManifestFile, 'name' | 'content'>> {
  const key = `${folder}/${input.engine.dumpFile}`;
  // Everything that awaits comes before the first process starts: a pipe handed from one process to the
  // next must not sit unread meanwhile, or Node would start reading it and those bytes would be lost.
  const encryption = await prepareEncryption(input.key.publicKey);
  let file: TargetFile | undefined;
  let dump: ExecStream;
  try {
    file = await input.target.openFile?.(key);
    dump = await input.engine.dump(input.instance.slug, snapshot ? { snapshot } : undefined);
  } catch (error) {
    await file?.abort();
    await encryption.discard();
    throw error;
  }
  dump.stdin.end();
  // Between processes the bytes flow through OS pipes (from the dump too, when the runtime gives one).
  const compress = isOsStream(dump.stdout) ? startCompression(dump.stdout) : startCompression();
  const encrypt = encryption.start(compress.output ?? undefined, file?.fd);
  const dumped = dump.exited.then(({ code, stderr }) => {
    if (code !== 0) throw new Error(`pg_dump failed (exit ${code}): ${stderr.trim()}`);
  });
  const producers = Promise.race([
    Promise.all([
      compress.input ? pipeline(dump.stdout, compress.input) : undefined,
      dumped,
      compress.done,
      encrypt.done,
    ]),
    abortedBy(input.signal),
  ]);
  const report = (bytes: number) => input.onProgress?.(`dumping the database: ${mebibytes(bytes)} stored`);
  const killAll = () => {
    dump.kill();
    compress.kill();
    encrypt.kill();
  };
  if (file) {
    // A file target: gpg writes into the file itself and Node hashes the file as it grows, in 1 MiB reads
    // from the page cache. Receiving gpg's small writes through a pipe cost Node (or tee and sha256sum)
    // several times the CPU, taken from the dump, zstd and gpg.
    try {
      const [, stored] = await Promise.all([producers, hashFile(file.fd, producers, report)]);
      const { bytes } = await file.commit();
      if (bytes !== stored.bytes)
        throw new RoostError('internal', `the stored file has ${bytes} bytes, ${stored.bytes} were hashed`);
      return stored;
    } catch (error) {
      killAll();
      await file.abort();
      throw error;
    }
  }
  // A target behind a network client (SFTP): the bytes pass through Node once, hashed on the way.
  const measure = measuring(report);
  try {
    await Promise.all([producers, input.target.put(key, outputOf(encrypt).pipe(measure), producers)]);
  } catch (error) {
    killAll();
    throw error;
  }
  return measure.digest();
}

async function encryptToTarget(
  publicKey: string,
  source: Readable,
  target: BackupTarget,
  key: string,
): Promise<{ bytes: number; sha256: string }> {
  const encrypt = await startEncryption(publicKey);
  const measure = measuring();
  try {
    const producers = Promise.all([pipeline(source, inputOf(encrypt)), encrypt.done]);
    await Promise.all([producers, target.put(key, outputOf(encrypt).pipe(measure), producers)]);
  } catch (error) {
    encrypt.kill();
    throw error;
  }
  return measure.digest();
}

export function mebibytes(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
