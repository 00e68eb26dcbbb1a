import { execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';

/** A process the local runtime started, recorded so a restarted Roost can find it again. */
export interface ProcessRecord {
  pid: number;
  /** Kernel start time (clock ticks since boot, /proc/<pid>/stat field 22): guards against PID reuse. */
  startTime: string;
}

export type RunAs = 'postgres' | 'redis' | undefined;

const isRoot = process.getuid?.() === 0;

/** `[command, args]` that run `binary` as `user` when Roost is root (setpriv execs, so the PID is kept). */
export function asUser(user: RunAs, binary: string, args: string[]): [string, string[]] {
  if (!isRoot || user === undefined) return [binary, args];
  return ['setpriv', [`--reuid=${user}`, `--regid=${user}`, '--init-groups', binary, ...args]];
}

export function userIds(user: RunAs): { uid: number; gid: number } | undefined {
  if (!isRoot || user === undefined) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, user]).toString().trim());
  return { uid: id('-u'), gid: id('-g') };
}

/**
 * Starts a child in its own session and process group, stdout and stderr appended to `logFile`, and lets
 * it outlive Roost. The environment is exactly `env`: Roost's own (master key, database URL) never leaks.
 */
export function spawnDetached(
  command: string,
  args: string[],
  options: { env: Record<string, string>; cwd: string; logFile: string },
): ProcessRecord {
  const log = openSync(options.logFile, 'a', 0o600);
  try {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', log, log],
    });
    child.on('error', () => {}); // reported through the health wait, which sees the process gone
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    return { pid: child.pid, startTime: startTimeOf(child.pid) ?? '' };
  } finally {
    closeSync(log);
  }
}

function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
    return fields[19];
  } catch {
    return undefined;
  }
}

/** True while the recorded process runs (same PID and same start time, not a zombie). */
export function isRunning(record: ProcessRecord): boolean {
  const startTime = startTimeOf(record.pid);
  return startTime !== undefined && (record.startTime === '' || startTime === record.startTime);
}

function readProcEntries(): string[] {
  try {
    return readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Stops the process group: `signal` to the leader first (PostgreSQL's fast shutdown is SIGINT), SIGKILL to
 * the whole group when it has not ended by the deadline. Resolves when the group is gone.
 */
export async function stopProcess(
  record: ProcessRecord,
  signal: NodeJS.Signals,
  deadlineMs = 15_000,
): Promise<void> {
  if (isRunning(record)) {
    try {
      process.kill(record.pid, signal);
    } catch {
      // already gone
    }
  } else if (!groupAlive(record.pid)) {
    return;
  }
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    if (!isRunning(record) && !groupAlive(record.pid)) return;
    await delay(25);
  }
  try {
    process.kill(-record.pid, 'SIGKILL');
  } catch {
    return;
  }
  const killDeadline = Date.now() + 5_000;
  while (Date.now() < killDeadline && groupAlive(record.pid)) await delay(25);
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns true; throws with `what` and the last failure at the deadline. */
export async function waitFor(
  check: () => Promise<boolean>,
  deadlineMs: number,
  what: string,
  aborted: () => string | undefined = () => undefined,
): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    const reason = aborted();
    if (reason !== undefined) throw new Error(`${what}: ${reason}`);
    if (await check()) return;
    await delay(50);
  }
  throw new Error(`${what}: not within ${deadlineMs / 1000} s`);
}

/**
 * Every process whose working directory is inside `directory`. The local runtime starts each service with
 * its cwd in the instance directory, so this finds a stack's processes even without a state file.
 */
export function processesUnder(directory: string): number[] {
  const prefix = `${directory}/`;
  const found: number[] = [];
  for (const entry of readProcEntries()) {
    try {
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      if (cwd === directory || cwd.startsWith(prefix)) found.push(Number(entry));
    } catch {
      // ended, or not ours to read
    }
  }
  return found;
}

/** A free TCP port on loopback, chosen by the kernel. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
