import type Docker from 'dockerode';
import { RoostError } from '../../core/errors.ts';
import {
  type ConvergeProgress,
  type ConvergeResult,
  type SecretSource,
  type ServiceName,
  type StackSecretName,
  type StackSpec,
  serviceNames,
  stackSecretNames,
} from '../types.ts';
import type { DockerClient } from './docker.ts';
import {
  labels,
  type NetworkRole,
  networkName,
  networkRoles,
  objectLabels,
  secretObjectName,
  serviceObjectName,
  volumeName,
} from './names.ts';
import {
  containerSpecOf,
  type ResolvedObjects,
  replicasOf,
  serviceSpecs,
  specHash,
} from './service-specs.ts';
import { waitForService } from './wait.ts';

export interface ConvergeContext {
  docker: DockerClient;
  /** How long a service may take to run healthy replicas. */
  healthDeadlineMs: number;
}

type Progress = (progress: ConvergeProgress) => void;

const instanceFilter = (instance: string) => JSON.stringify({ label: [`${labels.instance}=${instance}`] });

/** Makes the swarm match the spec; every step first looks, so a second run (or a retry) changes nothing. */
export async function convergeSwarmStack(
  context: ConvergeContext,
  spec: StackSpec,
  source: SecretSource,
  onProgress: Progress = () => {},
): Promise<ConvergeResult> {
  const { docker } = context;
  const changes: string[] = [];
  // Everything is checked before anything is created: a missing image leaves nothing half-made.
  const images = await resolveImages(docker, spec);
  const values = await readSecrets(source);
  const networks = await ensureNetworks(docker, spec, changes, onProgress);
  const secrets = await ensureSecrets(docker, spec, values, changes, onProgress);
  await ensureVolume(docker, spec, changes);
  const existing = await servicesOf(docker, spec.instance);
  const objects: ResolvedObjects = { images, networks, secrets };
  // The database keeps the password secret it was initialised with: initdb reads it once, and a rotated
  // password is set with ALTER ROLE, so the server never restarts for a rotation.
  const dbService = existing.get('db');
  const dbSecret = containerSpecOf(dbService?.Spec)?.Secrets?.find(
    (secret) => secret.File?.Name === 'postgres_password',
  );
  const kept =
    dbSecret?.SecretID && dbSecret.SecretName
      ? { id: dbSecret.SecretID, name: dbSecret.SecretName }
      : undefined;
  const specs = serviceSpecs(spec, objects, kept);
  const updated = new Set<ServiceName>();
  for (const service of ['db', 'cache', 'api'] as const) {
    const desired = specs[service];
    desired.Labels = { ...desired.Labels, [labels.specHash]: specHash(desired) };
    const current = existing.get(service);
    if (current === undefined) {
      onProgress({ service, message: 'creating the service' });
      await docker.createService(desired);
      changes.push(`${service}: service created`);
    } else if (current.Spec?.Labels?.[labels.specHash] !== desired.Labels[labels.specHash]) {
      onProgress({ service, message: 'updating the service' });
      await docker.getService(current.ID).update({ ...desired, version: current.Version?.Index });
      updated.add(service);
      changes.push(`${service}: ${describeUpdate(current.Spec, desired)}`);
    }
  }
  for (const service of serviceNames) {
    await waitForService(docker, serviceObjectName(spec.instance, service), {
      replicas: replicasOf(spec, service === 'api' ? spec.api.replicas : 1),
      updated: updated.has(service),
      deadline: Date.now() + context.healthDeadlineMs,
      onProgress: (message) => onProgress({ service, message }),
    });
  }
  await removeUnusedSecrets(docker, spec.instance, changes);
  onProgress({ service: 'stack', message: changes.length > 0 ? 'converged' : 'already as specified' });
  return { changes };
}

function isDigest(reference: string): boolean {
  return /^sha256:[0-9a-f]{64}$/.test(reference);
}

/** Each release reference (`roost/sample-api:<tag>` or an image ID) must be an image on this node. */
async function resolveImages(docker: DockerClient, spec: StackSpec): Promise<Record<ServiceName, string>> {
  const images = {} as Record<ServiceName, string>;
  for (const service of serviceNames) {
    const reference = spec.release[service];
    try {
      const image = (await docker.getImage(reference).inspect()) as { Id: string };
      images[service] = image.Id;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 404) throw error;
      throw new RoostError(
        'unavailable',
        `image ${reference} for the ${service} service is not on this node: build it with scripts/build-images${isDigest(reference) ? '' : ' or load it from your registry (docker pull)'}`,
        { service, image: reference },
      );
    }
  }
  return images;
}

async function readSecrets(source: SecretSource): Promise<Record<StackSecretName, string>> {
  const values = {} as Record<StackSecretName, string>;
  for (const name of stackSecretNames) values[name] = await source.read(name);
  return values;
}

async function ensureNetworks(
  docker: DockerClient,
  spec: StackSpec,
  changes: string[],
  onProgress: Progress,
): Promise<Record<NetworkRole, string>> {
  const present = (await docker.listNetworks({ filters: instanceFilter(spec.instance) })) as Array<{
    Id: string;
    Name: string;
    Internal?: boolean;
  }>;
  const ids = {} as Record<NetworkRole, string>;
  for (const role of Object.keys(networkRoles) as NetworkRole[]) {
    const name = networkName(spec.instance, role);
    const found = present.find((network) => network.Name === name);
    if (found) {
      if (Boolean(found.Internal) !== networkRoles[role].internal) {
        throw new RoostError(
          'conflict',
          `network ${name} exists with internal=${found.Internal}; remove the instance and converge again`,
        );
      }
      ids[role] = found.Id;
      continue;
    }
    onProgress({ service: 'stack', message: `creating network ${name}` });
    const created = await docker.createNetwork({
      Name: name,
      Driver: 'overlay',
      Internal: networkRoles[role].internal,
      Attachable: false,
      CheckDuplicate: true,
      Labels: objectLabels(spec.instance, spec.labels),
    });
    ids[role] = created.id;
    changes.push(`network ${name}: created${networkRoles[role].internal ? ' (internal)' : ''}`);
  }
  return ids;
}

async function ensureSecrets(
  docker: DockerClient,
  spec: StackSpec,
  values: Record<StackSecretName, string>,
  changes: string[],
  onProgress: Progress,
): Promise<ResolvedObjects['secrets']> {
  const present = (await docker.listSecrets({ filters: instanceFilter(spec.instance) })) as Array<{
    ID: string;
    Spec?: { Name?: string };
  }>;
  const secrets = {} as ResolvedObjects['secrets'];
  for (const name of stackSecretNames) {
    const objectName = secretObjectName(spec.instance, name, values[name]);
    const found = present.find((secret) => secret.Spec?.Name === objectName);
    if (found) {
      secrets[name] = { id: found.ID, name: objectName };
      continue;
    }
    onProgress({ service: 'stack', message: `storing secret ${name}` });
    // The value travels in the API request body only (never argv, env or a label) and Swarm keeps it
    // encrypted in its Raft log; containers see it as a file on tmpfs.
    const created = (await docker.createSecret({
      Name: objectName,
      Labels: { ...objectLabels(spec.instance, spec.labels), [labels.secret]: name },
      Data: Buffer.from(values[name]).toString('base64'),
    })) as { id: string };
    secrets[name] = { id: created.id, name: objectName };
    changes.push(`secret ${name}: stored as ${objectName}`);
  }
  return secrets;
}

async function ensureVolume(docker: DockerClient, spec: StackSpec, changes: string[]): Promise<void> {
  const name = volumeName(spec.instance);
  const { Volumes } = (await docker.listVolumes({ filters: instanceFilter(spec.instance) })) as {
    Volumes: Array<{ Name: string }> | null;
  };
  if ((Volumes ?? []).some((volume) => volume.Name === name)) return;
  await docker.createVolume({ Name: name, Labels: objectLabels(spec.instance, spec.labels) });
  changes.push(`volume ${name}: created`);
}

type ServiceInfo = Docker.Service;

export async function servicesOf(
  docker: DockerClient,
  instance: string,
): Promise<Map<ServiceName, ServiceInfo>> {
  const list = (await docker.listServices({ filters: instanceFilter(instance) })) as ServiceInfo[];
  const byName = new Map<ServiceName, ServiceInfo>();
  for (const service of list) {
    const name = service.Spec?.Labels?.[labels.service] as ServiceName | undefined;
    if (name && serviceNames.includes(name)) byName.set(name, service);
  }
  return byName;
}

/** One line saying what changed, in the operator's words. */
function describeUpdate(before: Docker.ServiceSpec | undefined, after: Docker.ServiceSpec): string {
  const parts: string[] = [];
  const replicas = (spec: Docker.ServiceSpec | undefined) => spec?.Mode?.Replicated?.Replicas;
  if (replicas(before) !== replicas(after)) parts.push(`replicas ${replicas(before)} → ${replicas(after)}`);
  const release = (spec: Docker.ServiceSpec | undefined) => spec?.Labels?.[labels.release];
  if (release(before) !== release(after)) parts.push(`release ${release(before)} → ${release(after)}`);
  const image = (spec: Docker.ServiceSpec | undefined) => containerSpecOf(spec)?.Image;
  if (release(before) === release(after) && image(before) !== image(after)) parts.push('image rebuilt');
  const secretsOf = (spec: Docker.ServiceSpec | undefined) =>
    JSON.stringify(containerSpecOf(spec)?.Secrets?.map((secret) => secret.SecretName));
  if (secretsOf(before) !== secretsOf(after)) parts.push('secrets rotated');
  if (replicas(after) === 0) return 'stopped (scaled to zero, data kept)';
  return parts.length > 0 ? parts.join(', ') : 'settings changed';
}

/** Secrets of the instance no service refers to any more (replaced by a rotation) are deleted. */
async function removeUnusedSecrets(docker: DockerClient, instance: string, changes: string[]): Promise<void> {
  const services = await servicesOf(docker, instance);
  const used = new Set(
    [...services.values()].flatMap(
      (service) => containerSpecOf(service.Spec)?.Secrets?.map((secret) => secret.SecretID) ?? [],
    ),
  );
  const present = (await docker.listSecrets({ filters: instanceFilter(instance) })) as Array<{
    ID: string;
    Spec?: { Name?: string };
  }>;
  for (const secret of present) {
    if (used.has(secret.ID)) continue;
    const removed = await docker
      .getSecret(secret.ID)
      .remove()
      .then(() => true)
      .catch(() => false); // still held by a task that is stopping: the next converge removes it
    if (!removed) continue;
    changes.push(`secret ${secret.Spec?.Name}: removed (replaced)`);
  }
}

export { instanceFilter };

/**
 * Restarts services by forcing an update (Swarm replaces each task under the service's update policy:
 * the API one replica at a time, new before old), then waits until they run healthy again.
 */
export async function restartSwarmServices(
  context: ConvergeContext,
  instance: string,
  only?: ServiceName,
): Promise<ConvergeResult> {
  const { docker } = context;
  const services = await servicesOf(docker, instance);
  if (services.size === 0) throw new RoostError('not_found', `no swarm stack for instance ${instance}`);
  const changes: string[] = [];
  for (const name of ['db', 'cache', 'api'] as const) {
    const service = services.get(name);
    if (!service?.Spec || (only && only !== name)) continue;
    const task = service.Spec.TaskTemplate ?? {};
    await docker.getService(service.ID).update({
      ...service.Spec,
      TaskTemplate: { ...task, ForceUpdate: (task.ForceUpdate ?? 0) + 1 },
      version: service.Version?.Index,
    });
    await waitForService(docker, service.Spec.Name ?? '', {
      replicas: service.Spec.Mode?.Replicated?.Replicas ?? 0,
      updated: true,
      deadline: Date.now() + context.healthDeadlineMs,
      onProgress: () => {},
    });
    changes.push(`${name}: restarted`);
  }
  return { changes };
}
