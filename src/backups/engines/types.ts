import type { ExecStream } from '../../runtime/index.ts';

/** A database engine's dump and restore, run inside the instance's db service through the runtime. */
export interface BackupEngine {
  readonly name: string;
  /** The file name of the dump inside a backup and how a human restores it (for the manifest). */
  readonly dumpFile: string;
  readonly restoreHint: string;
  version(slug: string): Promise<string>;
  /** Exact row counts per table (`schema.table`), to verify a restore. */
  rowCounts(slug: string): Promise<Record<string, number>>;
  /** The engine's dump on stdout. */
  dump(slug: string): Promise<ExecStream>;
  /** Reads a dump on stdin and replaces the database's content with it. */
  restore(slug: string): Promise<ExecStream>;
}
