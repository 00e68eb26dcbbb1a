import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { RoostError } from '../core/errors.ts';

/**
 * One step of a backup or restore stream: bytes go into `input` and come out of `output`. Compression
 * and encryption are separate processes (zstd, gpg), so they run on other cores than Node's.
 */
export interface CommandStage {
  /** Null when the stage reads straight from the previous process's pipe (see `spawnStage`). */
  input: Writable | null;
  /** Null when the stage writes straight into the next process's pipe. */
  output: Readable | null;
  /** Settles when the process exits; rejects with its standard error when the exit code is not 0. */
  done: Promise<void>;
  kill(): void;
}

const stderrKept = 16 * 1024;

/** True for a stream over an OS pipe or socket (another process's output): a child can read it directly. */
export function isOsStream(stream: Readable): boolean {
  return '_handle' in stream && Boolean((stream as { _handle?: unknown })._handle);
}

/**
 * Starts one stage. With `from` (another process's output pipe), the child reads that pipe itself, so the
 * bytes between two processes never pass through Node's event loop.
 */
export function spawnStage(
  command: string,
  args: string[],
  /** Another process's pipe, or an open file (a descriptor number, left open: its owner closes it). */
  from?: Readable | number,
  /** Another process's pipe, or an open file (a descriptor number, left open: its owner closes it). */
  to?: Writable | number,
): CommandStage {
  // Bytes Node already read from that pipe would not reach the child: a stage is started right after the
  // one before it, with nothing awaited in between.
  if (typeof from === 'object' && from.readableLength > 0)
    throw new RoostError('internal', `${command}: its input pipe was read before it started`);
  const child = spawn(command, args, { stdio: [from ?? 'pipe', to ?? 'pipe', 'pipe'] });
  // The child holds its own copies of the pipes; ours would only compete for the bytes or keep them open.
  if (typeof from === 'object') from.destroy();
  if (typeof to === 'object') to.destroy();
  let stderr = '';
  child.stderr?.on('data', (data: Buffer) => {
    stderr = (stderr + data.toString()).slice(-stderrKept);
  });
  child.stdin?.on('error', () => {}); // an early exit is reported through `done`
  const done = new Promise<void>((resolve, reject) => {
    child.once('error', (error) =>
      reject(new RoostError('unavailable', `${command} could not start: ${error.message}`)),
    );
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else
        reject(
          new RoostError('internal', `${command} failed (${signal ?? `exit ${code}`}): ${stderr.trim()}`, {
            command,
          }),
        );
    });
  });
  done.catch(() => {}); // callers await it; an unawaited rejection must not crash the process
  return { input: child.stdin, output: child.stdout, done, kill: () => child.kill('SIGKILL') };
}

/** `zstd -3 -T0`: multi-threaded, and readable by any zstd (Debian's `zstd -d`). */
export function startCompression(from?: Readable): CommandStage {
  return spawnStage('zstd', ['-3', '-T0', '-q', '-c'], from);
}

export function startDecompression(from?: Readable, to?: Writable): CommandStage {
  return spawnStage('zstd', ['-d', '-q', '-c'], from, to);
}

/** Streams that a child process can use directly. */
export function isOsWritable(stream: Writable): boolean {
  return '_handle' in stream && Boolean((stream as { _handle?: unknown })._handle);
}

export function inputOf(stage: CommandStage): Writable {
  if (!stage.input) throw new RoostError('internal', 'this stage reads from another process, not from Node');
  return stage.input;
}

export function outputOf(stage: CommandStage): Readable {
  if (!stage.output) throw new RoostError('internal', 'this stage writes into another process, not to Node');
  return stage.output;
}

/** Rejects with the signal's reason when it aborts; never settles otherwise. */
export function abortedBy(signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_, reject) => {
    if (!signal) return;
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
