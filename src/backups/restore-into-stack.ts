import { RoostError } from '../core/errors.ts';
import type { Runtime } from '../runtime/index.ts';
import type { BackupDeps } from './deps.ts';
import { postgresEngine } from './engines/postgres.ts';
import type { BackupManifest } from './manifest.ts';
import { backupFolder } from './pipeline.ts';
import { streamRestore } from './stream-restore.ts';
import { pollUntil } from './wait.ts';

export interface RestoreStep {
  step: string;
  ms: number;
}

/**
 * Runs named steps, timing each and announcing it first with the steps done so far (the same list, which
 * grows); the list is the report's `steps`.
 */
export function stepRecorder(
  onProgress?: (message: string, done: readonly RestoreStep[]) => void,
  signal?: AbortSignal,
) {
  const steps: RestoreStep[] = [];
  async function step<T>(name: string, work: () => Promise<T>): Promise<T> {
    // A run told to stop starts no further step (cleanups included: the job's next run ends what is left).
    signal?.throwIfAborted();
    onProgress?.(name, steps);
    const at = Date.now();
    try {
      return await work();
    } finally {
      steps.push({ step: name, ms: Date.now() - at });
    }
  }
  return { steps, step };
}

export interface RestoreVerification {
  rowCounts: { expected: Record<string, number>; actual: Record<string, number>; match: boolean };
  /** The app's `/status` after the restore: its URL and what it answered. */
  status: { url: string; ok: boolean; detail: string };
}

/**
 * Restores one backup's database into a running stack (`slug`, any instance: its own or another) with the
 * private key of the instance that made the backup, then verifies: row counts against the manifest and the
 * app's `/status` through the runtime's API endpoint. The caller verified the checksums first. Throws a
 * RoostError naming what did not match; the verification is in its details.
 */
export async function restoreIntoStack(
  deps: Pick<BackupDeps, 'target' | 'runtime'>,
  input: {
    manifest: BackupManifest;
    privateKey: string;
    slug: string;
    step: ReturnType<typeof stepRecorder>['step'];
    /** The job's: the restore's processes are killed when it aborts. */
    signal?: AbortSignal | undefined;
  },
): Promise<RestoreVerification> {
  const { manifest, slug, step } = input;
  const engine = postgresEngine(deps.runtime);
  await step('restoring the database', () =>
    streamRestore(
      deps.target,
      `${backupFolder(manifest.instance.slug, manifest.id)}/${engine.dumpFile}`,
      input.privateKey,
      engine,
      slug,
      input.signal,
    ),
  );
  const actual = await step('comparing row counts', () => engine.rowCounts(slug));
  const match = rowCountsMatch(actual, manifest.rowCounts);
  const rowCounts = { expected: manifest.rowCounts, actual, match };
  if (!match)
    throw new RoostError(
      'internal',
      `restore of ${manifest.id} into ${slug} finished but row counts differ from the manifest`,
      { rowCounts },
    );
  const status = await step("checking the app's /status", () => checkAppStatus(deps.runtime, slug));
  if (!status.ok)
    throw new RoostError(
      'internal',
      `restore of ${manifest.id} into ${slug} finished but the app's /status is not OK: ${status.detail}`,
      { rowCounts, status },
    );
  return { rowCounts, status };
}

/** The same tables with the same row counts, whatever the order of the keys. */
export function rowCountsMatch(actual: Record<string, number>, expected: Record<string, number>): boolean {
  const sorted = (counts: Record<string, number>) =>
    JSON.stringify(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return sorted(actual) === sorted(expected);
}

/**
 * Asks the app's `/status` (through the runtime's API endpoint, as monitoring does) until it answers 200
 * with status `ok`, up to `timeoutMs`: the API reconnects to a database whose tables were just replaced.
 */
export async function checkAppStatus(
  runtime: Runtime,
  slug: string,
  timeoutMs = 60_000,
): Promise<RestoreVerification['status']> {
  let last: RestoreVerification['status'] = {
    url: '',
    ok: false,
    detail: 'the runtime shows no API endpoint',
  };
  try {
    return await pollUntil(
      `${slug}'s /status`,
      async () => {
        const [endpoint] = (await runtime.inspect(slug))?.endpoints.api ?? [];
        if (!endpoint) return undefined;
        const url = `${endpoint.replace(/\/$/, '')}/status`;
        try {
          const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
          const body = await response.text();
          const parsed = JSON.parse(body) as { status?: unknown };
          last = {
            url,
            ok: response.status === 200 && parsed.status === 'ok',
            detail: `${response.status} ${body.slice(0, 300)}`,
          };
        } catch (error) {
          last = { url, ok: false, detail: (error as Error).message };
        }
        return last.ok ? last : undefined;
      },
      timeoutMs,
      1_000,
    );
  } catch (error) {
    if (error instanceof RoostError && error.code === 'unavailable') return last;
    throw error;
  }
}
