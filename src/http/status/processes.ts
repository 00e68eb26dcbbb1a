import { type ChildProcess, fork } from 'node:child_process';
import type { Config, ListenAddress } from '../../config/index.ts';
import { RoostError } from '../../core/errors.ts';
import type { Logger } from '../../observability/index.ts';

/** What a status process is told at start: the configuration of its parent and the address to share. */
export interface StatusProcessStart {
  config: Config;
  address: ListenAddress;
}

export interface StatusProcesses {
  stop(): Promise<void>;
}

const startTimeoutMs = 30_000;
const restartDelayMs = 1_000;

/**
 * Extra processes that serve the status listener beside `roost serve` (one per core answers like
 * nginx's one worker per core): each opens the same store, builds its own page cache and binds the same
 * address with SO_REUSEPORT, so the kernel spreads connections. A process that dies is started again.
 * The configuration travels over the IPC channel, never in argv or the environment.
 */
export async function startStatusProcesses(
  config: Config,
  address: ListenAddress,
  count: number,
  logger: Logger,
): Promise<StatusProcesses> {
  let stopping = false;
  const children = new Set<ChildProcess>();
  const start = (): Promise<ChildProcess> =>
    new Promise((resolve, reject) => {
      const child = fork(new URL('./status-process.ts', import.meta.url), [], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      children.add(child);
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new RoostError('unavailable', 'a status process did not start within 30 s'));
      }, startTimeoutMs);
      const failed = (code: number | null) => {
        clearTimeout(timer);
        reject(new RoostError('unavailable', `a status process exited while starting (code ${code})`));
      };
      child.once('exit', failed);
      child.once('message', (message: { listening?: boolean }) => {
        if (!message.listening) return;
        clearTimeout(timer);
        child.off('exit', failed);
        child.once('exit', (code, signal) => {
          children.delete(child);
          if (stopping) return;
          logger.error({ pid: child.pid, code, signal }, 'a status process exited; starting another');
          setTimeout(() => {
            if (!stopping)
              start().catch((error: unknown) =>
                logger.error({ err: error }, 'status process restart failed'),
              );
          }, restartDelayMs).unref();
        });
        resolve(child);
      });
      child.send({ config, address } satisfies StatusProcessStart);
    });
  const stop = async () => {
    stopping = true;
    await Promise.all(
      [...children].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
  };
  try {
    await Promise.all(Array.from({ length: count }, start));
  } catch (error) {
    await stop();
    throw error;
  }
  logger.info({ processes: count + 1, address }, 'status pages served by several processes');
  return { stop };
}
