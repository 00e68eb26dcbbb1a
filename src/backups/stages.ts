import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { RoostError } from '../core/errors.ts';

/**
 * One step of a backup or restore stream: bytes go into `input` and come out of `output`. Compression
 * and encryption are separate processes (zstd, gpg), so they run on other cores than Node's.
 */
export interface CommandStage {
  input: Writable;
  output: Readable;
  /** Settles when the process exits; rejects with its standard error when the exit code is not 0. */
  done: Promise<void>;
  kill(): void;
}

const stderrKept = 16 * 1024;

export function spawnStage(command: string, args: string[]): CommandStage {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (data: Buffer) => {
    stderr = (stderr + data.toString()).slice(-stderrKept);
  });
  child.stdin.on('error', () => {}); // an early exit is reported through `done`
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
export function startCompression(): CommandStage {
  return spawnStage('zstd', ['-3', '-T0', '-q', '-c']);
}

export function startDecompression(): CommandStage {
  return spawnStage('zstd', ['-d', '-q', '-c']);
}
