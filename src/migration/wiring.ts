import { backupDepsFrom } from '../backups/index.ts';
import type { Config } from '../config/index.ts';
import type { ConditionReporter } from '../core/conditions.ts';
import type { InstanceLifecycleListener, RuntimeKind } from '../instances/index.ts';
import type { Jobs } from '../jobs/index.ts';
import type { Logger } from '../observability/index.ts';
import { createLocalRuntime, createSwarmRuntime, type Runtime } from '../runtime/index.ts';
import type { MigrationDeps } from './deps.ts';

/** From what the API runs on; the drivers are the process's own when given (`roost.drivers`). */
export function migrationDepsFrom(deps: {
  config: Config;
  store: MigrationDeps['store'];
  vault: MigrationDeps['vault'];
  clock: MigrationDeps['clock'];
  audit: MigrationDeps['audit'];
  jobs: Jobs;
  runtime: Runtime;
  logger?: Logger | undefined;
  drivers?: Record<RuntimeKind, Runtime> | undefined;
  lifecycle?: readonly InstanceLifecycleListener[] | undefined;
  conditions?: ConditionReporter | undefined;
}): MigrationDeps {
  return {
    config: deps.config,
    store: deps.store,
    vault: deps.vault,
    clock: deps.clock,
    audit: deps.audit,
    jobs: deps.jobs,
    logger: deps.logger,
    drivers: deps.drivers ?? {
      local: createLocalRuntime({ dataDir: deps.config.dataDir }),
      swarm: createSwarmRuntime({ socketPath: deps.config.runtime.dockerSocket }),
    },
    backups: backupDepsFrom(deps),
    lifecycle: deps.lifecycle,
    conditions: deps.conditions,
  };
}
