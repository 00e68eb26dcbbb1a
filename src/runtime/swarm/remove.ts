import { existsSync } from 'node:fs';
import { overwriteAndRemove } from '../local/erase.ts';
import type { RemoveResult } from '../types.ts';
import { instanceFilter, servicesOf } from './converge.ts';
import { type DockerClient, ignoreNotFound } from './docker.ts';

/**
 * Removes services (waiting for their containers to go), then networks, secrets and volumes of the
 * instance; the database volume's files are overwritten with zeros before the volume is deleted.
 */
export async function removeSwarmStack(
  docker: DockerClient,
  instance: string,
  deadlineMs: number,
): Promise<RemoveResult> {
  const removed: string[] = [];
  const filters = instanceFilter(instance);
  for (const [name, service] of await servicesOf(docker, instance)) {
    await ignoreNotFound(() => docker.getService(service.ID).remove());
    removed.push(`${name}: service ${service.Spec?.Name} removed`);
  }
  const deadline = Date.now() + deadlineMs;
  let containers: Array<{ Id: string }> = [];
  for (;;) {
    containers = (await docker.listContainers({ all: true, filters })) as Array<{ Id: string }>;
    if (containers.length === 0 || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  for (const container of containers) {
    // Swarm normally removes its containers; one left after the deadline is removed here.
    await ignoreNotFound(() => docker.getContainer(container.Id).remove({ force: true, v: false }));
    removed.push(`container ${container.Id.slice(0, 12)} removed`);
  }
  const networks = (await docker.listNetworks({ filters })) as Array<{ Id: string; Name: string }>;
  for (const network of networks) {
    await retry(() => ignoreNotFound(() => docker.getNetwork(network.Id).remove()), deadline);
    removed.push(`network ${network.Name} removed`);
  }
  const secrets = (await docker.listSecrets({ filters })) as Array<{ ID: string; Spec?: { Name?: string } }>;
  for (const secret of secrets) {
    await retry(() => ignoreNotFound(() => docker.getSecret(secret.ID).remove()), deadline);
    removed.push(`secret ${secret.Spec?.Name} removed`);
  }
  const { Volumes } = (await docker.listVolumes({ filters })) as {
    Volumes: Array<{ Name: string; Mountpoint?: string }> | null;
  };
  for (const volume of Volumes ?? []) {
    let erased = '';
    if (volume.Mountpoint && existsSync(volume.Mountpoint)) {
      const { files, bytes } = overwriteAndRemove(volume.Mountpoint);
      erased = `, ${files} files (${bytes} bytes) overwritten with zeros first`;
    }
    await retry(() => ignoreNotFound(() => docker.getVolume(volume.Name).remove()), deadline);
    removed.push(`volume ${volume.Name} removed${erased}`);
  }
  return { removed };
}

/** Network and volume removal fail while the engine still tears down the last task: try again shortly. */
async function retry<T>(call: () => Promise<T>, deadline: number): Promise<T> {
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}
