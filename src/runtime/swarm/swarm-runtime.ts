import { validateSlug, validateStackSpec } from '../spec.ts';
import type { Runtime } from '../types.ts';
import { convergeSwarmStack, restartSwarmServices } from './converge.ts';
import { createDockerClient, requireSwarmManager } from './docker.ts';
import { runSwarmExec, startSwarmExec } from './exec.ts';
import { inspectSwarmStack } from './inspect.ts';
import { serviceObjectName } from './names.ts';
import { removeSwarmStack } from './remove.ts';

export interface SwarmRuntimeOptions {
  /** The engine's Unix socket; default `/var/run/docker.sock`. */
  socketPath?: string;
  /** How long services may take to run healthy replicas; default 300 s (a busy node is slow, the job waits). */
  healthDeadlineMs?: number;
}

/**
 * Tenant stacks as Swarm services (Docker Engine API through dockerode): per instance, internal overlay
 * networks for api↔db and api↔cache, an edge network for the published API, Swarm secrets on tmpfs.
 */
export function createSwarmRuntime(options: SwarmRuntimeOptions = {}): Runtime {
  const socketPath = options.socketPath ?? '/var/run/docker.sock';
  const docker = createDockerClient({ socketPath });
  const healthDeadlineMs = options.healthDeadlineMs ?? 300_000;
  const ready = () => requireSwarmManager(docker, socketPath);
  const locks = new Map<string, Promise<unknown>>();

  /** One converge or remove at a time per instance in this process. */
  function locked<T>(instance: string, work: () => Promise<T>): Promise<T> {
    const previous = locks.get(instance) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(work);
    locks.set(instance, next);
    void next
      .finally(() => {
        if (locks.get(instance) === next) locks.delete(instance);
      })
      .catch(() => {});
    return next;
  }

  return {
    kind: 'swarm',
    isolatesNetworks: true,
    converge: async (input, source, onProgress) => {
      const spec = validateStackSpec(input);
      await ready();
      return locked(spec.instance, () =>
        convergeSwarmStack({ docker, healthDeadlineMs }, spec, source, onProgress),
      );
    },
    inspect: async (instance) => {
      validateSlug(instance);
      await ready();
      return inspectSwarmStack(docker, instance);
    },
    remove: async (instance) => {
      validateSlug(instance);
      await ready();
      return locked(instance, () => removeSwarmStack(docker, instance, healthDeadlineMs));
    },
    restart: async (instance, service) => {
      validateSlug(instance);
      await ready();
      return locked(instance, () => restartSwarmServices({ docker, healthDeadlineMs }, instance, service));
    },
    exec: async (instance, service, argv, execOptions) => {
      validateSlug(instance);
      return runSwarmExec(docker, instance, service, argv, execOptions);
    },
    execStream: async (instance, service, argv) => {
      validateSlug(instance);
      return startSwarmExec(docker, instance, service, argv);
    },
    logs: async (instance, service, logOptions = {}) => {
      validateSlug(instance);
      const raw = (await docker.getService(serviceObjectName(instance, service)).logs({
        stdout: true,
        stderr: true,
        tail: logOptions.tail ?? 100,
        follow: false,
      })) as unknown as Buffer;
      return demuxedLines(raw);
    },
  };
}

/** Log output without a TTY is framed: 8-byte headers (stream, size) before each chunk. */
function demuxedLines(raw: Buffer): string[] {
  const parts: string[] = [];
  let offset = 0;
  while (offset + 8 <= raw.length) {
    const size = raw.readUInt32BE(offset + 4);
    parts.push(raw.subarray(offset + 8, offset + 8 + size).toString('utf8'));
    offset += 8 + size;
  }
  const lines = parts.join('').split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}
