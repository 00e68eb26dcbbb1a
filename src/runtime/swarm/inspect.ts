import type { Environment, ServiceName, ServiceStatus, StackStatus } from '../types.ts';
import { instanceFilter, servicesOf } from './converge.ts';
import type { DockerClient } from './docker.ts';
import { labels, networkRoles } from './names.ts';
import { isRunning, type SwarmTask, tasksOf } from './wait.ts';

export const swarmRuntimeNotes = [
  'swarm runtime: api↔db and api↔cache on separate internal overlay networks; only the API is published',
  'secrets are Swarm secrets, mounted as files on tmpfs under /run/secrets',
];

/** The instance's services, tasks, networks and published endpoints, read from the engine. */
export async function inspectSwarmStack(
  docker: DockerClient,
  instance: string,
): Promise<StackStatus | undefined> {
  const services = await servicesOf(docker, instance);
  const networks = (await docker.listNetworks({ filters: instanceFilter(instance) })) as Array<{
    Name: string;
    Internal?: boolean;
  }>;
  if (services.size === 0 && networks.length === 0) return undefined;
  const nodes = (await docker.listNodes()) as Array<{ ID: string; Status?: { Addr?: string } }>;
  const nodeAddress = (id: string | undefined) => {
    const address = nodes.find((node) => node.ID === id)?.Status?.Addr;
    return address && address !== '0.0.0.0' ? address : '127.0.0.1';
  };
  const statuses: ServiceStatus[] = [];
  const endpoints: string[] = [];
  for (const [name, service] of services) {
    const tasks = (await tasksOf(docker, service.Spec?.Name ?? '')).filter(
      (task) => task.DesiredState === 'running',
    );
    const desiredReplicas = service.Spec?.Mode?.Replicated?.Replicas ?? 0;
    const running = tasks.filter(isRunning);
    if (name === 'api') {
      for (const task of running) {
        const port = publishedPort(task);
        if (port) endpoints.push(`http://${nodeAddress(task.NodeID)}:${port}`);
      }
    }
    statuses.push({
      name,
      release: service.Spec?.Labels?.[labels.release] ?? 'unknown',
      desiredReplicas,
      runningReplicas: running.length,
      health: running.length === desiredReplicas && desiredReplicas > 0 ? 'healthy' : 'unhealthy',
      replicas: tasks.map((task) => ({
        id: task.ID,
        state: isRunning(task) ? 'running' : 'stopped',
        health: isRunning(task) ? 'healthy' : 'unhealthy',
        ...addressOf(task, name),
      })),
    });
  }
  const any = services.get('api') ?? [...services.values()][0];
  const runningCount = statuses.reduce((sum, status) => sum + status.runningReplicas, 0);
  const allHealthy = statuses.length === 3 && statuses.every((status) => status.health === 'healthy');
  return {
    instance,
    runtime: 'swarm',
    environment: (any?.Spec?.Labels?.[labels.environment] ?? 'staging') as Environment,
    state: allHealthy ? 'running' : runningCount === 0 ? 'stopped' : 'degraded',
    services: statuses.sort((a, b) => a.name.localeCompare(b.name)),
    endpoints: { api: endpoints.sort() },
    networks: networks
      .map((network) => ({
        name: network.Name,
        internal: Boolean(network.Internal),
        services: networkRoles[roleOf(instance, network.Name)]?.services ?? [],
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    secrets: { medium: 'tmpfs', location: '/run/secrets' },
    labels: JSON.parse(any?.Spec?.Labels?.[labels.specLabels] ?? '{}') as Record<string, string>,
    notes: swarmRuntimeNotes,
  };
}

function roleOf(instance: string, network: string): keyof typeof networkRoles {
  return network.slice(instance.length + 1) as keyof typeof networkRoles;
}

function publishedPort(task: SwarmTask): number | undefined {
  return task.Status?.PortStatus?.Ports?.find((port) => port.TargetPort === 8080)?.PublishedPort;
}

/** The task's address on its first network, with the port its service listens on. */
function addressOf(task: SwarmTask, service: ServiceName): { address?: string } {
  const address = task.NetworksAttachments?.find((attachment) =>
    attachment.Network?.Spec?.Name?.endsWith(`-${service === 'api' ? 'edge' : service}`),
  )?.Addresses?.[0];
  if (!address) return {};
  const port = { api: 8080, db: 5432, cache: 6379 }[service];
  return { address: `${address.split('/')[0]}:${port}` };
}
