import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Environment, StackSpec } from '../types.ts';
import type { ProcessRecord } from './processes.ts';

export interface ApiReplica extends ProcessRecord {
  port: number;
  /** Hash of the settings this replica was started with; a different one means it must be replaced. */
  configHash: string;
}

/** `state.json` in the instance directory: ports, processes and paths. No secret value, ever. */
export interface InstanceState {
  instance: string;
  environment: Environment;
  spec: StackSpec;
  secrets: { medium: 'tmpfs' | 'disk'; directory: string };
  db: { port: number; process?: ProcessRecord };
  cache: { port: number; process?: ProcessRecord };
  api: { replicas: ApiReplica[] };
}

export const stateFileName = 'state.json';

export function readState(instanceDirectory: string): InstanceState | undefined {
  const file = path.join(instanceDirectory, stateFileName);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as InstanceState;
}

/** Written to a temporary file and renamed, so a crash never leaves half a state file. */
export function writeState(instanceDirectory: string, state: InstanceState): void {
  const file = path.join(instanceDirectory, stateFileName);
  const temporary = `${file}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, file);
}
