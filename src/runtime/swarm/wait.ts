import { RoostError } from '../../core/errors.ts';
import { type DockerClient, ignoreNotFound } from './docker.ts';

export interface SwarmTask {
  ID: string;
  NodeID?: string;
  DesiredState?: string;
  Status?: {
    State?: string;
    Err?: string;
    Message?: string;
    ContainerStatus?: { ContainerID?: string };
    PortStatus?: { Ports?: Array<{ TargetPort?: number; PublishedPort?: number }> };
  };
  NetworksAttachments?: Array<{ Network?: { Spec?: { Name?: string } }; Addresses?: string[] }>;
  Spec?: TaskSpecSummary;
}

interface TaskSpecSummary {
  ForceUpdate?: number;
  ContainerSpec?: { Image?: string; Env?: string[]; Secrets?: Array<{ SecretName?: string }> };
}

/** What makes a task belong to the service's current spec (a task keeps the spec it was created from). */
function fingerprint(spec: TaskSpecSummary | undefined): string {
  const container = spec?.ContainerSpec;
  return JSON.stringify([
    container?.Image,
    container?.Env ?? [],
    (container?.Secrets ?? []).map((secret) => secret.SecretName),
    spec?.ForceUpdate ?? 0,
  ]);
}

/** The service's tasks meant to run; none when the service is gone (removed while we looked). */
export async function tasksOf(docker: DockerClient, serviceName: string): Promise<SwarmTask[]> {
  const tasks = await ignoreNotFound(
    () =>
      docker.listTasks({
        filters: JSON.stringify({ service: [serviceName], 'desired-state': ['running'] }),
      }) as Promise<SwarmTask[]>,
  );
  return tasks ?? [];
}

/** A task counts once Swarm reports it running, which with a health check means the check has passed. */
export const isRunning = (task: SwarmTask): boolean => task.Status?.State === 'running';

interface WaitOptions {
  replicas: number;
  /** This converge updated the service: a rollback is its failure (an old rollback status is history). */
  updated: boolean;
  deadline: number;
  onProgress: (message: string) => void;
}

const rolledBack = new Set(['rollback_completed', 'rollback_paused', 'paused']);

/**
 * Polls until the service runs `replicas` healthy tasks and no update is in flight. An update Swarm rolled
 * back (health failed) is an error naming why; so is a deadline passed while tasks keep failing.
 */
export async function waitForService(
  docker: DockerClient,
  serviceName: string,
  options: WaitOptions,
): Promise<void> {
  let lastReport = '';
  let lastFailure = '';
  for (;;) {
    const service = (await docker.getService(serviceName).inspect()) as {
      Spec?: { TaskTemplate?: TaskSpecSummary };
      UpdateStatus?: { State?: string; Message?: string };
    };
    const current = fingerprint(service.Spec?.TaskTemplate);
    const update = options.updated ? service.UpdateStatus?.State : undefined;
    if (update && rolledBack.has(update)) {
      throw new RoostError(
        'internal',
        `${serviceName}: the update did not become healthy and was rolled back (${service.UpdateStatus?.Message ?? update})`,
        { service: serviceName, rolledBack: true },
      );
    }
    const all = (await docker.listTasks({
      filters: JSON.stringify({ service: [serviceName] }),
    })) as SwarmTask[];
    const failed = all.filter((task) => ['failed', 'rejected'].includes(task.Status?.State ?? ''));
    const latest = failed.at(-1)?.Status;
    if (latest) lastFailure = latest.Err ?? latest.Message ?? '';
    // Right after an update the engine may still report the previous update as completed: only tasks of
    // the current spec count.
    const running = all.filter(
      (task) => task.DesiredState === 'running' && isRunning(task) && fingerprint(task.Spec) === current,
    ).length;
    const settled = update === undefined || update === 'completed' || update === 'rollback_completed';
    if (running >= options.replicas && settled) {
      const desiredRunning = all.filter((task) => task.DesiredState === 'running').length;
      if (desiredRunning === options.replicas) return;
    }
    const report = `${running} of ${options.replicas} replica(s) running and healthy${update === 'updating' ? ', updating one at a time' : ''}`;
    if (report !== lastReport) options.onProgress(report);
    lastReport = report;
    if (Date.now() > options.deadline) {
      throw new RoostError(
        'unavailable',
        `${serviceName}: ${report} at the deadline${lastFailure ? `; last task error: ${lastFailure}` : ''}`,
        { service: serviceName },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}
