import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { Hono } from 'hono';
import { createAuditLog } from './audit/index.ts';
import type { AuditLog } from './audit/types.ts';
import { csrfToken, resolveSession, resolveToken } from './auth/index.ts';
import {
  type BackupDeps,
  backupDepsFrom,
  backupLifecycle,
  reconcileSchedules,
  registerBackupJobs,
  skippingDrillInstances,
} from './backups/index.ts';
import type { Config } from './config/index.ts';
import { contactsLifecycle } from './contacts/index.ts';
import { type Clock, systemClock } from './core/clock.ts';
import type { ConditionReporter } from './core/conditions.ts';
import { RoostError } from './core/errors.ts';
import { createChromiumPrinter, type DocumentPrinter } from './documents/index.ts';
import type { ApiDeps } from './http/api/route.ts';
import { apiRoutes } from './http/api/routes/index.ts';
import { createAdminApp } from './http/app.ts';
import type { ActorResolvers, AdminEnv } from './http/middleware/actor.ts';
import { cachedTokenResolver } from './http/middleware/token-cache.ts';
import { listen, type RunningServer, type TlsFiles } from './http/server.ts';
import { createStatusServer } from './http/status/app.ts';
import { type StatusProcesses, startStatusProcesses } from './http/status/processes.ts';
import {
  alertTimeline,
  incidentSummaries,
  registerAccountManagerJobs,
  registerPostmortemMailJobs,
  registerPostmortemPdfJobs,
  registerSlaProjectionJobs,
} from './incidents/index.ts';
import {
  type InstanceLifecycleListener,
  type RuntimeKind,
  registerInstanceJobs,
  routedRuntime,
} from './instances/index.ts';
import { createJobs, type Jobs } from './jobs/index.ts';
import { migrationDepsFrom, registerDrill, registerMigrationJobs } from './migration/index.ts';
import { type AlertListener, conditionReporter, type MaintenanceSource } from './monitoring/index.ts';
import { monitoringLifecycle } from './monitoring/instance-template.ts';
import { type IncidentSummarySource, registerWeeklyReportJobs } from './monitoring/reports/index.ts';
import { startMonitoring } from './monitoring/serve.ts';
import type { MonitoringService } from './monitoring/service.ts';
import { createSmtpMailer } from './notify/index.ts';
import { checkReadiness, createMetrics, type Logger, type Metrics } from './observability/index.ts';
import { createLocalRuntime, createSwarmRuntime, type Runtime } from './runtime/index.ts';
import {
  type ComponentHealthSource,
  type Mailer,
  maintenanceWindows,
  monitorHealth,
  monitorUptime,
  notifyQueue,
  registerMaintenanceJobs,
  registerSubscriberJobs,
  type SubscriptionDeps,
  subscribersLifecycle,
  type UptimeSource,
} from './status/index.ts';
import {
  loadMigrations,
  type Migration,
  migrate,
  openStore,
  pendingMigrations,
  type Store,
} from './store/index.ts';
import { openVault, type Vault } from './vault/index.ts';
import { version } from './version.ts';

/** Everything one Roost process runs on, built once from the configuration. */
export interface Roost {
  config: Config;
  logger: Logger;
  clock: Clock;
  metrics: Metrics;
  store: Store;
  migrations: Migration[];
  vault: Vault;
  audit: AuditLog;
  jobs: Jobs;
  /** Where tenant stacks run: each call goes to the driver the instance was created on (local or swarm). */
  runtime: Runtime;
  /** The drivers by name, for a migration that works on both (`src/migration`). */
  drivers: Record<RuntimeKind, Runtime>;
  /** What other domains set up and erase for each instance (backup keys, monitors, …), in order. */
  lifecycle: InstanceLifecycleListener[];
  /** What status pages read from monitoring: component states now, and check roll-ups for bars and SLA. */
  componentHealth: ComponentHealthSource;
  uptime: UptimeSource;
  /** Outgoing mail (subscribers, account managers), when `smtp.host` is set. */
  mailer: Mailer | undefined;
  /** Who hears about alert transitions (incident timelines), and where maintenance windows come from. */
  alerting: { listeners: AlertListener[]; maintenance?: MaintenanceSource | undefined };
  /** Where other domains report conditions (failed backups, failed drills, SLA at risk) to alerting. */
  conditions: ConditionReporter;
  /** What weekly reports list as an instance's incidents (the incidents domain, through a port). */
  incidents: IncidentSummarySource;
  /** PDF output through Chromium, started on first use. */
  printer: DocumentPrinter;
  /** What backup operations and jobs run on: a local target under `<dataDir>/backups`. */
  backups: BackupDeps;
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
    const audit = await createAuditLog({ store, vault, clock, logger });
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
    // Each instance row names its driver; the swarm driver connects only when an instance uses it.
    const drivers = {
      local: createLocalRuntime({ dataDir: config.dataDir }),
      swarm: createSwarmRuntime({ socketPath: config.runtime.dockerSocket }),
    };
    const runtime = routedRuntime(store, drivers);
    const { host: smtpHost, ...smtp } = config.smtp;
    const mailer = smtpHost ? createSmtpMailer({ host: smtpHost, ...smtp }) : undefined;
    const printer = createChromiumPrinter();
    const alerting = {
      listeners: [alertTimeline({ store, clock, audit, jobs })],
      maintenance: maintenanceWindows(store),
    };
    const conditions = conditionReporter({ store, clock, audit, logger, ...alerting });
    const backups = backupDepsFrom({ config, store, vault, clock, audit, jobs, runtime, logger, conditions });
    return {
      config,
      logger,
      clock,
      metrics,
      store,
      migrations,
      vault,
      audit,
      jobs,
      runtime,
      drivers,
      // Status pages read monitoring; monitoring honours the status pages' maintenance windows and tells
      // incident timelines about alerts.
      componentHealth: monitorHealth(store),
      uptime: monitorUptime(store),
      mailer,
      lifecycle: [
        backupLifecycle(backups),
        contactsLifecycle(store),
        subscribersLifecycle(store),
        // A restore drill's throw-away instance gets no monitors: it must not page anyone.
        skippingDrillInstances(
          store,
          monitoringLifecycle({
            store,
            clock,
            audit,
            logger,
            apiEndpoints: async (slug) => (await runtime.inspect(slug))?.endpoints.api ?? [],
          }),
        ),
      ],
      alerting,
      conditions,
      incidents: incidentSummaries(store),
      printer,
      backups,
      close: async () => {
        await jobs.stop();
        await printer.close?.();
        mailer?.close?.();
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

/** What API operations run on, from a Roost. */
export function apiDepsOf(roost: Roost): ApiDeps {
  return {
    config: roost.config,
    store: roost.store,
    vault: roost.vault,
    clock: roost.clock,
    audit: roost.audit,
    logger: roost.logger,
    jobs: roost.jobs,
    runtime: roost.runtime,
    drivers: roost.drivers,
    uptime: roost.uptime,
    alertListeners: roost.alerting.listeners,
    alertMaintenance: roost.alerting.maintenance,
    incidentSummaries: roost.incidents,
    mailer: roost.mailer,
    printer: roost.printer,
  };
}

/** What subscriptions run on, when Roost can send mail. */
export function subscriptionDepsOf(roost: Roost): SubscriptionDeps | undefined {
  const { mailer } = roost;
  if (!mailer) return undefined;
  return {
    store: roost.store,
    clock: roost.clock,
    audit: roost.audit,
    vault: roost.vault,
    mailer,
    pageUrl: (slug) => `https://${slug}.status.${roost.config.status.domain}`,
  };
}

/** The admin server's app (UI, API, health, metrics), with sessions and API tokens resolved from the store. */
export function createAdminAppFor(roost: Roost): Hono<AdminEnv> {
  const sessionDeps = { store: roost.store, clock: roost.clock, settings: roost.config.auth };
  const tokens = cachedTokenResolver((bearer, ip) => resolveToken(sessionDeps, bearer, ip), {
    ttlMs: 5_000,
    maxEntries: 10_000,
  });
  const resolvers: ActorResolvers = {
    resolveToken: tokens.resolveToken,
    resolveSession: async (token, ip) => {
      const resolved = await resolveSession(sessionDeps, token, ip);
      return resolved && { actor: resolved.actor, csrf: csrfToken(token) };
    },
    afterWrite: tokens.forget,
  };
  return createAdminApp({
    api: apiDepsOf(roost),
    metrics: roost.metrics,
    readiness: () => checkReadiness(roost.store, roost.migrations),
    resolvers,
    routes: apiRoutes,
    version,
  });
}

/** The public status server of a Roost: pages, Statuspage JSON, feeds and subscriptions. */
export function statusServerOf(roost: Roost): ReturnType<typeof createStatusServer> {
  return createStatusServer({
    logger: roost.logger,
    metrics: roost.metrics,
    readiness: () => checkReadiness(roost.store, roost.migrations),
    pages: {
      store: roost.store,
      clock: roost.clock,
      health: roost.componentHealth,
      uptime: roost.uptime,
      domain: roost.config.status.domain,
      readFrom: { databaseUrl: roost.config.databaseUrl, dataDir: roost.config.dataDir },
    },
    subscriptions: subscriptionDepsOf(roost),
  });
}

/** What one process runs: `web` the HTTP listeners, `worker` the job workers, `probe` monitoring. */
export const serveRoles = ['web', 'worker', 'probe'] as const;
export type ServeRole = (typeof serveRoles)[number];

export interface RunningRoles {
  admin: RunningServer | undefined;
  status: RunningServer | undefined;
  roles: readonly ServeRole[];
  /** The probe role's scheduler and alert engine; null when this process does not probe. */
  monitoring: MonitoringService | null;
  stop(): Promise<void>;
}

/** Starts the admin and status servers, the job workers and monitoring: every role in one process. */
export async function serveRoost(roost: Roost): Promise<RunningRoost> {
  const running = await serveRoostRoles(roost, serveRoles);
  const { admin, status } = running;
  if (!admin || !status) throw new RoostError('internal', 'the web role started no listener');
  return { admin, status, stop: running.stop };
}

/**
 * Starts the given roles only, so a deployment can split them over processes: `web` (admin and status
 * listeners), `worker` (job workers and cron), `probe` (monitoring scheduler, alert engine, notifications).
 */
export async function serveRoostRoles(roost: Roost, roles: readonly ServeRole[]): Promise<RunningRoles> {
  const { config, logger } = roost;
  const web = roles.includes('web') ? await startWeb(roost) : undefined;
  try {
    if (roles.includes('worker')) {
      await registerWorkers(roost);
      roost.jobs.start();
    }
    const adminUrl = web?.admin.url ?? `http://${config.admin.listen.host}:${config.admin.listen.port}`;
    const monitoring =
      roles.includes('probe') && config.monitoring.enabled ? await startMonitoring(roost, adminUrl) : null;
    logger.info(
      { roles, admin: web?.admin.url, status: web?.status.url, store: roost.store.dialect },
      'roost serving',
    );
    return {
      admin: web?.admin,
      status: web?.status,
      roles,
      monitoring,
      stop: async () => {
        await monitoring?.stop();
        await web?.stop();
        await roost.close();
      },
    };
  } catch (error) {
    await web?.stop();
    throw error;
  }
}

/**
 * The admin listener and the status listener; the status listener in `status.processes` processes
 * sharing its address (SO_REUSEPORT), this one and the others it starts.
 */
async function startWeb(
  roost: Roost,
): Promise<{ admin: RunningServer; status: RunningServer; stop(): Promise<void> }> {
  const { config, logger } = roost;
  const admin = await listen(createAdminAppFor(roost), config.admin.listen, { tls: adminTls(config) });
  const processes = config.status.processes === 0 ? availableParallelism() : config.status.processes;
  let status: RunningServer | undefined;
  let statusProcesses: StatusProcesses | undefined;
  const statusServer = statusServerOf(roost);
  const stop = async () => {
    await statusProcesses?.stop();
    await Promise.all([admin.close(), status?.close()]);
    await statusServer.close();
  };
  try {
    status = await listen(statusServer.app, config.status.listen, {
      fastPath: statusServer.fastPath,
      reusePort: processes > 1,
    });
    if (processes > 1)
      statusProcesses = await startStatusProcesses(config, status.address, processes - 1, logger);
    return { admin, status, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function registerWorkers(roost: Roost): Promise<void> {
  const { config } = roost;
  registerInstanceJobs({ ...apiDepsOf(roost), lifecycle: roost.lifecycle });
  await registerMaintenanceJobs(apiDepsOf(roost));
  const subscriptionDeps = subscriptionDepsOf(roost);
  if (subscriptionDeps) await registerSubscriberJobs({ ...subscriptionDeps, jobs: roost.jobs });
  // Without SMTP the mails of public updates are dropped rather than left queued to go out stale later.
  else roost.jobs.work(notifyQueue, async () => ({ sent: 0, reason: 'no SMTP server configured' }));
  const pageUrl = (slug: string) => `https://${slug}.status.${config.status.domain}`;
  registerAccountManagerJobs({ store: roost.store, mailer: roost.mailer, jobs: roost.jobs, pageUrl });
  registerPostmortemMailJobs({ ...apiDepsOf(roost), mailer: roost.mailer, printer: roost.printer, pageUrl });
  registerPostmortemPdfJobs({ ...apiDepsOf(roost), printer: roost.printer });
  await registerSlaProjectionJobs({
    ...apiDepsOf(roost),
    uptime: roost.uptime,
    timeZone: config.timeZone,
    conditions: roost.conditions,
  });
  registerBackupJobs(roost.backups);
  await reconcileSchedules(roost.backups);
  await registerWeeklyReportJobs({
    store: roost.store,
    clock: roost.clock,
    audit: roost.audit,
    logger: roost.logger,
    jobs: roost.jobs,
    mailer: roost.mailer,
    timeZone: config.timeZone,
    incidents: roost.incidents,
    recipients: config.monitoring.reportRecipients,
  });
  const migrations = migrationDepsFrom({
    ...apiDepsOf(roost),
    lifecycle: roost.lifecycle,
    conditions: roost.conditions,
  });
  registerMigrationJobs(migrations);
  await registerDrill(migrations);
}

/**
 * The admin server stays on loopback unless told otherwise; anywhere else (a VPN address) needs both
 * `admin.allowPublicBind` and TLS files, so management never travels in clear text.
 */
function adminTls(config: Config): TlsFiles | undefined {
  const { listen: address, allowPublicBind, tlsCert, tlsKey } = config.admin;
  if ((tlsCert === undefined) !== (tlsKey === undefined)) {
    throw new RoostError('invalid_config', 'admin.tlsCert and admin.tlsKey go together: set both or neither');
  }
  const tls =
    tlsCert && tlsKey
      ? { cert: readTlsFile(tlsCert, 'admin.tlsCert'), key: readTlsFile(tlsKey, 'admin.tlsKey') }
      : undefined;
  if (!loopbackHosts.has(address.host)) {
    if (!allowPublicBind) {
      throw new RoostError(
        'invalid_config',
        `admin.listen: refusing to bind the admin server to ${address.host}; it stays private (127.0.0.1, or a VPN address with admin.allowPublicBind=true and TLS files)`,
      );
    }
    if (!tls)
      throw new RoostError(
        'invalid_config',
        `admin.listen: binding the admin server to ${address.host} needs admin.tlsCert and admin.tlsKey`,
      );
  }
  return tls;
}

function readTlsFile(file: string, key: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new RoostError(
      'invalid_config',
      `${key}: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}
