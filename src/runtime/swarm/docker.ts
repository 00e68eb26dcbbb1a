import Docker from 'dockerode';
import { describeError, RoostError } from '../../core/errors.ts';

export type DockerClient = Docker;

export interface DockerConnection {
  /** The engine's Unix socket; default `/var/run/docker.sock`. */
  socketPath?: string;
}

/**
 * The Engine API client, pinned to API 1.41 (Docker 20.10, Debian 12's `docker.io`), so a newer engine
 * answers in the shapes this driver reads. Nothing connects until the first call.
 */
export function createDockerClient(connection: DockerConnection = {}): DockerClient {
  return new Docker({ socketPath: connection.socketPath ?? '/var/run/docker.sock', version: 'v1.41' });
}

/** The engine answers and this node is a swarm manager; otherwise a clear `unavailable` error. */
export async function requireSwarmManager(docker: DockerClient, socketPath: string): Promise<void> {
  let info: { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } };
  try {
    info = (await docker.info()) as typeof info;
  } catch (error) {
    throw new RoostError(
      'unavailable',
      `the Docker engine at ${socketPath} does not answer (${describeError(error)}): start it with scripts/start-dockerd`,
      { socketPath },
    );
  }
  if (info.Swarm?.LocalNodeState !== 'active' || info.Swarm.ControlAvailable !== true) {
    throw new RoostError(
      'unavailable',
      `the Docker engine at ${socketPath} is not a swarm manager (state: ${info.Swarm?.LocalNodeState ?? 'unknown'}): run scripts/start-dockerd, which initialises a single-node swarm`,
      { socketPath },
    );
  }
}

/** Dockerode errors carry the HTTP status of the Engine API. */
export function statusCodeOf(error: unknown): number | undefined {
  const code = (error as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** Runs an Engine API call where "not found" (404) means "already gone". */
export async function ignoreNotFound<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (statusCodeOf(error) === 404) return undefined;
    throw error;
  }
}
