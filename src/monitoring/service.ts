import { describeError } from '../core/errors.ts';
import { AlertEngine, type AlertEngineDeps } from './alerts/engine.ts';
import { Scheduler, type SchedulerOptions } from './scheduler.ts';

/** Anything that sends notifications in passes (the notify domain's Notifier). */
export interface NotificationPass {
  run(): Promise<void>;
}

export interface MonitoringService {
  scheduler: Scheduler;
  alerts: AlertEngine;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Monitoring in one process: the scheduler runs checks, each flush feeds the alert engine, and a
 * notification pass runs every `notifyEveryMs`.
 */
export function createMonitoringService(
  deps: AlertEngineDeps,
  notifier: NotificationPass | null,
  options: SchedulerOptions & { notifyEveryMs?: number } = {},
): MonitoringService {
  const alerts = new AlertEngine(deps);
  const scheduler = new Scheduler(
    deps,
    { afterFlush: (outcomes, states, now) => alerts.afterFlush(outcomes, states, now) },
    options,
  );
  let timer: NodeJS.Timeout | undefined;
  return {
    scheduler,
    alerts,
    async start() {
      await scheduler.refresh();
      scheduler.start();
      if (notifier) {
        timer = setInterval(() => {
          notifier
            .run()
            .catch((error: unknown) =>
              deps.logger?.error({ err: describeError(error) }, 'notification pass failed'),
            );
        }, options.notifyEveryMs ?? 5_000);
      }
      deps.logger?.info({ monitors: scheduler.size }, 'monitoring started');
    },
    async stop() {
      clearInterval(timer);
      await scheduler.stop();
      await notifier?.run();
    },
  };
}
