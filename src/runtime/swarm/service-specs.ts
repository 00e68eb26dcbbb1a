import { createHash } from 'node:crypto';
import type Docker from 'dockerode';
import { databaseEngines } from '../engines.ts';
import type { ServiceName, StackSecretName, StackSpec } from '../types.ts';
import {
  labels,
  type NetworkRole,
  networkRoles,
  objectLabels,
  secretMounts,
  serviceObjectName,
  volumeName,
} from './names.ts';

/** What the specs refer to, resolved by converge: image IDs, network IDs and the current secrets. */
export interface ResolvedObjects {
  images: Record<ServiceName, string>;
  networks: Record<NetworkRole, string>;
  secrets: Record<StackSecretName, { id: string; name: string }>;
}

const seconds = 1_000_000_000;
const apiPort = 8080;

/** Every container: read-only root, tmpfs for /run and /tmp, no capabilities, limits. */
function hardenedTask(
  spec: StackSpec,
  service: ServiceName,
  objects: ResolvedObjects,
  container: Partial<Docker.ContainerSpec>,
): Docker.TaskSpec {
  const { memoryMb, cpus } = spec.limits[service];
  return {
    ContainerSpec: {
      Image: objects.images[service],
      Labels: { ...objectLabels(spec.instance, spec.labels), [labels.service]: service },
      ReadOnly: true,
      CapabilityDrop: ['ALL'],
      Mounts: [
        {
          Type: 'tmpfs',
          Source: '',
          Target: '/run',
          TmpfsOptions: { SizeBytes: 16 * 1024 * 1024, Mode: 0o1777 },
        },
        {
          Type: 'tmpfs',
          Source: '',
          Target: '/tmp',
          TmpfsOptions: { SizeBytes: 64 * 1024 * 1024, Mode: 0o1777 },
        },
        ...(container.Mounts ?? []),
      ],
      Secrets: secretMounts[service].map(({ secret, file, uid }) => ({
        SecretID: objects.secrets[secret].id,
        SecretName: objects.secrets[secret].name,
        File: { Name: file, UID: uid, GID: uid, Mode: 0o400 },
      })),
      StopGracePeriod: 10 * seconds,
      ...withoutMounts(container),
    },
    Resources: { Limits: { MemoryBytes: memoryMb * 1024 * 1024, NanoCPUs: Math.round(cpus * 1e9) } },
    RestartPolicy: { Condition: 'any', Delay: 1 * seconds },
    Networks: (Object.keys(networkRoles) as NetworkRole[])
      .filter((role) => networkRoles[role].services.includes(service))
      .map((role) => ({ Target: objects.networks[role] })),
  };
}

function withoutMounts(container: Partial<Docker.ContainerSpec>): Partial<Docker.ContainerSpec> {
  const { Mounts: _mounts, ...rest } = container;
  return rest;
}

/** Health every second (the images say every 2 s): a stack is reported healthy sooner. */
function health(test: string[], startPeriodSeconds: number): Docker.HealthConfig {
  return {
    Test: ['CMD', ...test],
    Interval: 1 * seconds,
    Timeout: 5 * seconds,
    Retries: 5,
    StartPeriod: startPeriodSeconds * seconds,
  };
}

/** The three services of a stack, as Swarm service specs. */
export function serviceSpecs(
  spec: StackSpec,
  objects: ResolvedObjects,
  /** The secret the database was initialised with, kept by a running database (see converge). */
  dbInitialPassword?: { id: string; name: string },
): Record<ServiceName, Docker.ServiceSpec> {
  const { instance, db } = spec;
  const engine = databaseEngines[db.engine];
  const dbObjects = dbInitialPassword
    ? { ...objects, secrets: { ...objects.secrets, 'db-password': dbInitialPassword } }
    : objects;
  const common = (service: ServiceName) => ({
    Name: serviceObjectName(instance, service),
    Labels: {
      ...objectLabels(instance, spec.labels),
      [labels.service]: service,
      [labels.release]: spec.release[service],
      [labels.environment]: spec.environment,
      [labels.specLabels]: JSON.stringify(spec.labels),
    },
  });
  const dbSpec: Docker.ServiceSpec = {
    ...common('db'),
    TaskTemplate: hardenedTask(spec, 'db', dbObjects, {
      Env: engine.serverEnv(db.database, db.user),
      Mounts: [
        {
          Type: 'volume',
          Source: volumeName(instance),
          Target: engine.dataDirectory,
          VolumeOptions: {
            NoCopy: false,
            Labels: objectLabels(instance, spec.labels),
            DriverConfig: { Name: 'local', Options: {} },
          },
        },
      ],
      HealthCheck: health(engine.health, 60),
    }),
    Mode: { Replicated: { Replicas: replicasOf(spec, 1) } },
    // One server per volume: the old task stops before the new one starts.
    UpdateConfig: { Parallelism: 1, Order: 'stop-first', FailureAction: 'rollback', Monitor: 5 * seconds },
    EndpointSpec: { Mode: 'dnsrr' },
  };
  const cacheSpec: Docker.ServiceSpec = {
    ...common('cache'),
    TaskTemplate: hardenedTask(spec, 'cache', objects, {
      Env: ['REDIS_PASSWORD_FILE=/run/secrets/redis_password'],
      HealthCheck: health(['/usr/local/bin/roost-redis-healthcheck'], 30),
    }),
    Mode: { Replicated: { Replicas: replicasOf(spec, 1) } },
    UpdateConfig: { Parallelism: 1, Order: 'stop-first', FailureAction: 'rollback', Monitor: 5 * seconds },
    EndpointSpec: { Mode: 'dnsrr' },
  };
  const apiSpec: Docker.ServiceSpec = {
    ...common('api'),
    TaskTemplate: hardenedTask(spec, 'api', objects, {
      Env: Object.entries({
        ...spec.api.env,
        PORT: String(apiPort),
        APP_VERSION: spec.release.api,
        DATABASE_HOST: serviceObjectName(instance, 'db'),
        DATABASE_PORT: String(engine.port),
        DATABASE_NAME: db.database,
        DATABASE_USER: db.login ?? db.user,
        DATABASE_PASSWORD_FILE: '/run/secrets/db_password',
        REDIS_HOST: serviceObjectName(instance, 'cache'),
        REDIS_PORT: '6379',
        REDIS_PASSWORD_FILE: '/run/secrets/redis_password',
        JWT_SIGNING_KEY_FILE: '/run/secrets/jwt_signing_key',
      }).map(([name, value]) => `${name}=${value}`),
      HealthCheck: health(['/usr/local/bin/roost-app-healthcheck'], 30),
    }),
    Mode: { Replicated: { Replicas: replicasOf(spec, spec.api.replicas) } },
    // Rolling: one replica at a time, the new one healthy before the old one stops; back on failure.
    UpdateConfig: { Parallelism: 1, Order: 'start-first', FailureAction: 'rollback', Monitor: 5 * seconds },
    RollbackConfig: { Parallelism: 1, Order: 'start-first', Monitor: 5 * seconds },
    // Host-mode port without a number: each replica gets its own free port on its node (no IPVS here).
    EndpointSpec: { Mode: 'dnsrr', Ports: [{ Protocol: 'tcp', TargetPort: apiPort, PublishMode: 'host' }] },
  };
  return { db: dbSpec, cache: cacheSpec, api: apiSpec };
}

/** A stopped instance keeps its services, scaled to zero. */
export function replicasOf(spec: StackSpec, running: number): number {
  return spec.running === false ? 0 : running;
}

/** A digest of everything the driver sets on a service: equal digests mean nothing to change. */
export function specHash(service: Docker.ServiceSpec): string {
  return createHash('sha256').update(JSON.stringify(service)).digest('hex').slice(0, 16);
}

/** The container part of a service spec (Swarm's other task kinds have none). */
export function containerSpecOf(service: Docker.ServiceSpec | undefined): Docker.ContainerSpec | undefined {
  const task = service?.TaskTemplate;
  return task && 'ContainerSpec' in task ? task.ContainerSpec : undefined;
}
