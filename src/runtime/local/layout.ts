import { chownSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { type RunAs, userIds } from './processes.ts';

/** The files of one instance under `<dataDir>/runtime/<slug>`. */
export interface InstanceLayout {
  directory: string;
  logs: string;
  dbDirectory: string;
  dbData: string;
  /** PostgreSQL's Unix socket directory (0700, postgres only). */
  dbSocket: string;
  cacheDirectory: string;
}

export function instanceLayout(runtimeRoot: string, instance: string): InstanceLayout {
  const directory = path.join(runtimeRoot, instance);
  return {
    directory,
    logs: path.join(directory, 'logs'),
    dbDirectory: path.join(directory, 'db'),
    dbData: path.join(directory, 'db', 'data'),
    dbSocket: path.join(directory, 'db', 'run'),
    cacheDirectory: path.join(directory, 'cache'),
  };
}

/** Creates the directories; 0711 on the way down so the postgres and redis users reach their own 0700 ones. */
export function createLayout(layout: InstanceLayout): void {
  mkdirSync(layout.directory, { recursive: true, mode: 0o711 });
  mkdirSync(layout.logs, { recursive: true, mode: 0o700 });
  ownedDirectory(layout.dbDirectory, 'postgres', 0o700);
  ownedDirectory(layout.dbSocket, 'postgres', 0o700);
  ownedDirectory(layout.cacheDirectory, 'redis', 0o700);
}

function ownedDirectory(directory: string, owner: RunAs, mode: number): void {
  mkdirSync(directory, { recursive: true, mode });
  const ids = userIds(owner);
  if (ids) chownSync(directory, ids.uid, ids.gid);
}
