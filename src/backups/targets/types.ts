import type { Readable } from 'node:stream';

/**
 * Where backup files live: a local directory or a backup node over SFTP. Keys are relative paths
 * (`<instance slug>/<backup id>/<file>`). Writes are atomic: a file appears under its name complete or
 * not at all (written as `<name>.partial`, then renamed), so a crash never leaves a half file that counts.
 */
export interface BackupTarget {
  readonly kind: 'local' | 'sftp';
  /** Where it points, safe to print and store (no secrets). */
  readonly description: string;
  /**
   * Streams `source` into `key`; resolves with the bytes written once the file is in place. With
   * `producerSucceeded`, the file is renamed into place only once it resolves (a killed producer also
   * ends its output cleanly); when it rejects, the partial file is removed.
   */
  put(key: string, source: Readable, producerSucceeded?: Promise<unknown>): Promise<{ bytes: number }>;
  /**
   * Optional, where the target is a file system: `key` as an open file that a child process writes into
   * through its descriptor, so the bytes never pass through Node. Atomic like `put`.
   */
  openFile?(key: string): Promise<TargetFile>;
  get(key: string): Promise<Readable>;
  /**
   * Optional, where the target is a file system: `key` open for reading, for a child process to read
   * through its descriptor and for reads in large blocks. Rejects with `not_found` like `get`.
   */
  openForReading?(key: string): Promise<{ fd: number; close(): Promise<void> }>;
  /** True when `key` exists as a complete file. */
  exists(key: string): Promise<boolean>;
  /** File names directly under `prefix` (a folder); empty when it does not exist. */
  list(prefix: string): Promise<string[]>;
  /** Removes a folder and everything under it; no error when it is already gone. */
  removeFolder(prefix: string): Promise<void>;
  /** Removes `*.partial` files left under `prefix` by an interrupted upload; returns how many. */
  removePartials(prefix: string): Promise<number>;
  close(): Promise<void>;
}

/** A file being written under its `.partial` name. */
export interface TargetFile {
  /** Open for reading and writing; valid until `commit` or `abort`. */
  readonly fd: number;
  /** Flushes the file to disk and renames it into place; resolves with its size. */
  commit(): Promise<{ bytes: number }>;
  /** Closes and removes the partial file. */
  abort(): Promise<void>;
}

export const partialSuffix = '.partial';
