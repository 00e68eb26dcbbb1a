import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Clock } from '../core/clock.ts';
import type { Instance } from '../instances/index.ts';
import type { BackupEngine } from './engines/types.ts';
import { startEncryption } from './gpg.ts';
import type { InstanceKey } from './keys.ts';
import { type BackupManifest, instanceFile, type ManifestFile, manifestFile } from './manifest.ts';
import { type CommandStage, inputOf, isOsStream, outputOf, startCompression } from './stages.ts';
import type { BackupTarget } from './targets/types.ts';

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
  // The version query runs beside the dump rather than before it.
  const versionQuery = engine.version(instance.slug);
  versionQuery.catch(() => {}); // awaited below
  let rowCounts: Record<string, number>;
  let database: Omit<ManifestFile, 'name' | 'content'>;
  if (engine.openSnapshot) {
    // One snapshot: the dump and the row counts see the same data, and run at the same time.
    input.onProgress?.('dumping the database and counting its rows');
    const snapshot = await engine.openSnapshot(instance.slug);
    try {
      const counting = snapshot.rowCounts();
      counting.catch(() => {}); // awaited below; the dump failing first must not leave it unhandled
      database = await streamDump(input, folder, snapshot.id);
      rowCounts = await counting;
    } finally {
      await snapshot.close();
    }
  } else {
    input.onProgress?.('counting rows');
    rowCounts = await engine.rowCounts(instance.slug);
    input.onProgress?.('dumping the database');
    database = await streamDump(input, folder);
  }
  const engineVersion = await versionQuery;
  input.onProgress?.('storing the configuration and secrets, encrypted');
  const document = await encryptToTarget(
    key.publicKey,
    Readable.from([Buffer.from(JSON.stringify(input.instanceDocument))]),
    target,
    `${folder}/${instanceFile}`,
  );
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

async function streamDump(
  input: BackupInput,
  folder: string,
  snapshot?: string,
): Promise<Omit<ManifestFile, 'name' | 'content'>> {
  const dump = await input.engine.dump(input.instance.slug, snapshot ? { snapshot } : undefined);
  dump.stdin.end();
  const stages: CommandStage[] = [];
  // Between processes the bytes flow through OS pipes; Node reads only gpg's output, to hash and store it.
  const direct = isOsStream(dump.stdout);
  try {
    stages.push(direct ? startCompression(dump.stdout) : startCompression());
    stages.push(await startEncryption(input.key.publicKey, (stages[0] as CommandStage).output ?? undefined));
  } catch (error) {
    dump.kill();
    for (const stage of stages) stage.kill();
    throw error;
  }
  const [compress, encrypt] = stages as [CommandStage, CommandStage];
  const measure = measuring((bytes) =>
    input.onProgress?.(`dumping the database: ${mebibytes(bytes)} stored`),
  );
  try {
    const dumped = dump.exited.then(({ code, stderr }) => {
      if (code !== 0) throw new Error(`pg_dump failed (exit ${code}): ${stderr.trim()}`);
    });
    const producers = Promise.all([
      compress.input ? pipeline(dump.stdout, compress.input) : undefined,
      dumped,
      compress.done,
      encrypt.done,
    ]);
    await Promise.all([
      producers,
      input.target.put(`${folder}/${input.engine.dumpFile}`, outputOf(encrypt).pipe(measure), producers),
    ]);
  } catch (error) {
    dump.kill();
    compress.kill();
    encrypt.kill();
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
