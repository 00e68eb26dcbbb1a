import path from 'node:path';
import type { Config } from './config/index.ts';
import { type Clock, systemClock } from './core/clock.ts';
import { RoostError } from './core/errors.ts';
import { createAdminApp } from './http/app.ts';
import { listen, type RunningServer } from './http/server.ts';
import { createStatusApp } from './http/status/app.ts';
import { createJobs, type Jobs } from './jobs/index.ts';
import { checkReadiness, createMetrics, type Logger, type Metrics } from './observability/index.ts';
import {
  loadMigrations,
  type Migration,
  migrate,
  openStore,
  pendingMigrations,
  type Store,
} from './store/index.ts';
import { openVault, type Vault } from './vault/index.ts';

/** Everything one Roost process runs on, built once from the configuration. */
export interface Roost {
  config: Config;
  logger: Logger;
  clock: Clock;
  metrics: Metrics;
  store: Store;
  migrations: Migration[];
  vault: Vault;
  jobs: Jobs;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Apply pending migrations (under the migration lock) before anything else touches the store. */
  migrate: boolean;
  clock?: Clock;
}

export async function openRoost(config: Config, logger: Logger, options: OpenOptions): Promise<Roost> {
  const clock = options.clock ?? systemClock;
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const migrations = await loadMigrations();
    if (options.migrate) {
      const report = await migrate(store.db, store.dialect, migrations);
      if (report.applied.length > 0)
        logger.info({ applied: report.applied.map((m) => m.name) }, 'migrations applied');
    } else {
      const pending = await pendingMigrations(store.db, migrations);
      if (pending.length > 0) {
        throw new RoostError(
          'unavailable',
          `the database at ${store.location} has ${pending.length} pending migration(s): run roost migrate (roost serve also applies them)`,
        );
      }
    }
    const vault = await openVault(
      { store, clock, logger },
      {
        masterKey: config.masterKey,
        previousMasterKeys: config.previousMasterKeys,
        masterPassphrase: config.masterPassphrase,
        keyFile: path.join(config.dataDir, 'master.key'),
      },
    );
    const metrics = createMetrics();
    const jobs = createJobs(
      {
        store,
        clock,
        logger,
        observer: {
          jobFinished(queue, outcome, seconds) {
            metrics.jobRuns.inc({ queue, outcome });
            metrics.jobDuration.observe({ queue }, seconds);
          },
        },
      },
      { timeZone: config.timeZone, leaseSeconds: config.jobs.leaseSeconds },
    );
    metrics.setQueueDepthSource(() => jobs.depth());
    return {
      config,
      logger,
      clock,
      metrics,
      store,
      migrations,
      vault,
      jobs,
      close: async () => {
        await jobs.stop();
        await store.close();
      },
    };
  } catch (error) {
    await store.close().catch(() => {});
    throw error;
  }
}

export interface RunningRoost {
  admin: RunningServer;
  status: RunningServer;
  stop(): Promise<void>;
}

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '::1']);

/** Starts the admin and status servers and the job workers. */
export async function serveRoost(roost: Roost): Promise<RunningRoost> {
  const { config, logger, metrics } = roost;
  if (!loopbackHosts.has(config.admin.listen.host) && !config.admin.allowPublicBind) {
    throw new RoostError(
      'invalid_config',
      `admin.listen: refusing to bind the admin server to ${config.admin.listen.host}; it stays private (127.0.0.1, or a VPN address with admin.allowPublicBind=true)`,
    );
  }
  const readiness = () => checkReadiness(roost.store, roost.migrations);
  const admin = await listen(createAdminApp({ logger, metrics, readiness }), config.admin.listen);
  let status: RunningServer;
  try {
    status = await listen(createStatusApp({ logger, metrics, readiness }), config.status.listen);
  } catch (error) {
    await admin.close();
    throw error;
  }
  roost.jobs.start();
  logger.info({ admin: admin.url, status: status.url, store: roost.store.dialect }, 'roost serving');
  return {
    admin,
    status,
    stop: async () => {
      await Promise.all([admin.close(), status.close()]);
      await roost.close();
    },
  };
}
