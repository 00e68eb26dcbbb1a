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
  /** The engine's dump on stdout; with `snapshot`, of that exported snapshot (see `openSnapshot`). */
  dump(slug: string, options?: { snapshot?: string }): Promise<ExecStream>;
  /**
   * A transaction holding an exported snapshot, so the row counts and the dump see the same data and run
   * at the same time; closed once the dump ended. Engines without it count rows before the dump.
   */
  openSnapshot?(slug: string): Promise<EngineSnapshot>;
  /** Reads a dump on stdin and replaces the database's content with it. */
  restore(slug: string): Promise<ExecStream>;
}

export interface EngineSnapshot {
  /** What the dump is given to see the same data (PostgreSQL: `pg_export_snapshot()`). */
  id: string;
  /** Exact row counts per table in the snapshot. */
  rowCounts(): Promise<Record<string, number>>;
  /** Ends the transaction (the dump has imported the snapshot by then). */
  close(): Promise<void>;
}
