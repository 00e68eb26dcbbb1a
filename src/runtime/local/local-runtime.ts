import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  rmdirSync,
  statSync,
} from 'node:fs';
import path from 'node:path';
import { RoostError } from '../../core/errors.ts';
import { validateSlug, validateStackSpec } from '../spec.ts';
import type {
  ConvergeProgress,
  ConvergeResult,
  ExecOptions,
  ExecResult,
  ExecStream,
  Health,
  LogsOptions,
  RemoveResult,
  Runtime,
  SecretSource,
  ServiceName,
  ServiceStatus,
  StackSpec,
  StackStatus,
} from '../types.ts';
import { type ApiSettings, apiConfigHash, apiEnv, apiHealthy, startApiReplica } from './api.ts';
import { overwriteAndRemove } from './erase.ts';
import { runCommand, startCommand } from './exec.ts';
import { createLayout, type InstanceLayout, instanceLayout } from './layout.ts';
import {
  defaultPostgresBinDirectory,
  initCluster,
  postgresAccepting,
  postgresEnv,
  startPostgres,
} from './postgres.ts';
import {
  asUser,
  freePort,
  isRunning,
  type ProcessRecord,
  processesUnder,
  stopProcess,
  waitFor,
} from './processes.ts';
import { defaultRedisServerPath, redisAccepting, redisConfig, startRedis } from './redis.ts';
import {
  chooseSecretDirectory,
  prepareSecretDirectory,
  readAllSecrets,
  type SecretDirectory,
  writeSecretFile,
} from './secrets.ts';
import { type ApiReplica, type InstanceState, readState, writeState } from './state.ts';

export interface LocalRuntimeOptions {
  /** Roost's data directory; instances live in `<dataDir>/runtime/<slug>`. */
  dataDir: string;
  /** A tmpfs for secret files when `/dev/shm` is not one (the caller passes `$XDG_RUNTIME_DIR`). */
  runtimeDirectory?: string;
  postgresBinDirectory?: string;
  redisServerPath?: string;
  /** The tenant application; default the repository's `examples/sample-api/main.ts`, run by this Node. */
  apiEntry?: string;
  /** How long a service may take to become healthy; default 60 s. */
  healthDeadlineMs?: number;
}

interface CommandLine {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
}

export const localRuntimeNote =
  'local runtime: processes on loopback, no network isolation between instances or services';

const defaultApiEntry = path.resolve(import.meta.dirname, '../../../examples/sample-api/main.ts');

export function createLocalRuntime(options: LocalRuntimeOptions): Runtime {
  const root = path.resolve(options.dataDir);
  const runtimeRoot = path.join(root, 'runtime');
  const pgBin = options.postgresBinDirectory ?? defaultPostgresBinDirectory;
  const redisServer = options.redisServerPath ?? defaultRedisServerPath;
  const apiEntry = options.apiEntry ?? defaultApiEntry;
  const healthDeadlineMs = options.healthDeadlineMs ?? 60_000;
  const locks = new Map<string, Promise<unknown>>();

  /** One converge or remove at a time per instance in this process. */
  function locked<T>(instance: string, work: () => Promise<T>): Promise<T> {
    const previous = locks.get(instance) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(work);
    locks.set(instance, next);
    void next.catch(() => {}).finally(() => locks.get(instance) === next && locks.delete(instance));
    return next;
  }

  const secretFile = (secrets: SecretDirectory, name: string) => path.join(secrets.directory, name);
  const logFile = (layout: InstanceLayout, service: ServiceName) => path.join(layout.logs, `${service}.log`);

  function apiSettings(state: InstanceState, spec: StackSpec): ApiSettings {
    return {
      entry: apiEntry,
      spec,
      dbPort: state.db.port,
      cachePort: state.cache.port,
      secretFile: (name) => secretFile(state.secrets, name),
    };
  }

  async function startAndWait(
    what: string,
    log: string,
    start: () => ProcessRecord,
    ready: () => Promise<boolean>,
    record: (process: ProcessRecord) => void,
  ): Promise<ProcessRecord> {
    const started = start();
    record(started);
    try {
      await waitFor(ready, healthDeadlineMs, `${what} did not become healthy`, () =>
        isRunning(started) ? undefined : `it exited: ${tail(log)}`,
      );
    } catch (error) {
      await stopProcess(started, 'SIGKILL', 5_000);
      throw new RoostError('unavailable', (error as Error).message);
    }
    return started;
  }

  async function convergeLocked(
    spec: StackSpec,
    source: SecretSource,
    onProgress?: (progress: ConvergeProgress) => void,
  ): Promise<ConvergeResult> {
    checkBinaries(pgBin, redisServer, apiEntry);
    const layout = instanceLayout(runtimeRoot, spec.instance);
    const changes: string[] = [];
    const change = (service: ConvergeProgress['service'], message: string) => {
      changes.push(`${service}: ${message}`);
      onProgress?.({ service, message });
    };

    let state = readState(layout.directory);
    if (state === undefined) {
      mkdirSync(runtimeRoot, { recursive: true, mode: 0o711 });
      checkTraversable(runtimeRoot);
      createLayout(layout);
      state = {
        instance: spec.instance,
        environment: spec.environment,
        spec,
        secrets: chooseSecretDirectory(root, spec.instance, layout.directory, options.runtimeDirectory),
        db: { port: await freePort() },
        cache: { port: await freePort() },
        api: { replicas: [] },
      };
      writeState(layout.directory, state);
      change('stack', `created ${layout.directory}`);
    } else {
      createLayout(layout);
    }
    const current: InstanceState = state;
    const save = () => writeState(layout.directory, current);
    if (JSON.stringify(current.spec) !== JSON.stringify(spec)) {
      current.spec = spec;
      current.environment = spec.environment;
      save();
      change('stack', 'spec recorded');
    }

    if (spec.running === false) {
      for (const line of await stopServices(current)) change('stack', line);
      return { changes };
    }

    prepareSecretDirectory(current.secrets);
    const values = await readAllSecrets(source);
    const dir = current.secrets.directory;
    if (writeSecretFile(dir, 'db-password', values['db-password'], 'postgres'))
      change('db', 'secret file written');
    if (writeSecretFile(dir, 'cache-password', values['cache-password'], undefined)) {
      change('cache', 'secret file written');
    }
    if (writeSecretFile(dir, 'jwt-signing-key', values['jwt-signing-key'], undefined)) {
      change('api', 'secret file written');
    }
    const config = redisConfig(layout, current.cache.port, values['cache-password']);
    if (writeSecretFile(dir, 'redis.conf', config, 'redis')) {
      change('cache', 'configuration written');
      // A new password: redis-server reads its configuration only at start.
      if (current.cache.process && isRunning(current.cache.process)) {
        await stopProcess(current.cache.process, 'SIGTERM');
        change('cache', 'stopped to take the new configuration');
      }
    }

    onProgress?.({ service: 'db', message: 'checking' });
    if (await initCluster(pgBin, layout, spec, secretFile(current.secrets, 'db-password'))) {
      change('db', `cluster initialised with database ${spec.db.database}`);
    }
    if (current.db.process === undefined || !isRunning(current.db.process)) {
      await startAndWait(
        'db',
        logFile(layout, 'db'),
        () => startPostgres(pgBin, layout, current.db.port, logFile(layout, 'db')),
        () => postgresAccepting(pgBin, current.db.port),
        (process) => {
          current.db.process = process;
          save();
        },
      );
      change('db', `started on 127.0.0.1:${current.db.port}`);
    }

    onProgress?.({ service: 'cache', message: 'checking' });
    if (current.cache.process === undefined || !isRunning(current.cache.process)) {
      const passwordFile = secretFile(current.secrets, 'cache-password');
      await startAndWait(
        'cache',
        logFile(layout, 'cache'),
        () =>
          startRedis(
            redisServer,
            layout,
            secretFile(current.secrets, 'redis.conf'),
            logFile(layout, 'cache'),
          ),
        () => redisAccepting(current.cache.port, passwordFile),
        (process) => {
          current.cache.process = process;
          save();
        },
      );
      change('cache', `started on 127.0.0.1:${current.cache.port}`);
    }

    onProgress?.({ service: 'api', message: 'checking' });
    await convergeApi(layout, current, spec, save, change);
    return { changes };
  }

  async function convergeApi(
    layout: InstanceLayout,
    state: InstanceState,
    spec: StackSpec,
    save: () => void,
    change: (service: ServiceName, message: string) => void,
  ): Promise<void> {
    const settings = apiSettings(state, spec);
    const hash = apiConfigHash(settings);
    const exited = state.api.replicas.filter((replica) => !isRunning(replica));
    for (const replica of exited) change('api', `replica on port ${replica.port} had exited`);
    const keep = state.api.replicas.filter((replica) => isRunning(replica) && replica.configHash === hash);
    const outdated = state.api.replicas.filter(
      (replica) => isRunning(replica) && replica.configHash !== hash,
    );
    const record = () => {
      state.api.replicas = [...keep, ...outdated];
      save();
    };
    record();
    const stop = async (replica: ApiReplica, why: string) => {
      await stopProcess(replica, 'SIGTERM');
      change('api', `stopped replica on port ${replica.port} (${why})`);
    };
    const startReplica = async () => {
      const port = await freePort();
      const started = await startAndWait(
        `api replica on port ${port}`,
        logFile(layout, 'api'),
        () => startApiReplica(settings, port, logFile(layout, 'api'), layout.directory),
        () => apiHealthy(port),
        (process) => {
          keep.push({ ...process, port, configHash: hash });
          record();
        },
      ).catch((error: unknown) => {
        const index = keep.findIndex((replica) => replica.port === port);
        if (index >= 0) keep.splice(index, 1);
        record();
        throw error;
      });
      change('api', `started replica on 127.0.0.1:${port} (pid ${started.pid})`);
    };

    const desired = spec.api.replicas;
    while (keep.length + outdated.length > desired && outdated.length > 0) {
      const replica = outdated.pop() as ApiReplica;
      record();
      await stop(replica, 'scaled down');
    }
    while (keep.length > desired) {
      const replica = keep.pop() as ApiReplica;
      record();
      await stop(replica, 'scaled down');
    }
    // Rolling replacement: the new replica is healthy before the old one stops.
    while (outdated.length > 0) {
      await startReplica();
      const replica = outdated.shift() as ApiReplica;
      record();
      await stop(replica, 'settings changed');
    }
    const missing = desired - keep.length;
    await Promise.all(Array.from({ length: missing }, () => startReplica()));
  }

  async function health(service: ServiceName, state: InstanceState, port: number): Promise<Health> {
    const ok =
      service === 'db'
        ? await postgresAccepting(pgBin, port)
        : service === 'cache'
          ? await redisAccepting(port, secretFile(state.secrets, 'cache-password'))
          : await apiHealthy(port);
    return ok ? 'healthy' : 'unhealthy';
  }

  async function serviceStatus(
    name: ServiceName,
    state: InstanceState,
    desiredReplicas: number,
    replicas: Array<{ process: ProcessRecord | undefined; port: number }>,
  ): Promise<ServiceStatus> {
    const statuses = await Promise.all(
      replicas.map(async ({ process, port }) => {
        const running = process !== undefined && isRunning(process);
        return {
          id: String(process?.pid ?? ''),
          state: running ? ('running' as const) : ('stopped' as const),
          health: running ? await health(name, state, port) : ('unhealthy' as const),
          address: `127.0.0.1:${port}`,
        };
      }),
    );
    const runningReplicas = statuses.filter((status) => status.state === 'running').length;
    const healthy = statuses.filter((status) => status.health === 'healthy').length;
    return {
      name,
      release: state.spec.release[name],
      desiredReplicas,
      runningReplicas,
      health: healthy >= desiredReplicas && healthy > 0 ? 'healthy' : 'unhealthy',
      replicas: statuses,
    };
  }

  async function inspect(instance: string): Promise<StackStatus | undefined> {
    validateSlug(instance);
    const layout = instanceLayout(runtimeRoot, instance);
    const state = readState(layout.directory);
    if (state === undefined) return undefined;
    const services = await Promise.all([
      serviceStatus(
        'api',
        state,
        state.spec.api.replicas,
        state.api.replicas.map((replica) => ({ process: replica, port: replica.port })),
      ),
      serviceStatus('db', state, 1, [{ process: state.db.process, port: state.db.port }]),
      serviceStatus('cache', state, 1, [{ process: state.cache.process, port: state.cache.port }]),
    ]);
    const running = services.reduce((sum, service) => sum + service.runningReplicas, 0);
    const notes = [
      localRuntimeNote,
      'resource limits are recorded, not enforced',
      process.getuid?.() === 0
        ? 'db runs as the postgres user, cache as the redis user, api as the user running Roost'
        : 'every service runs as the user running Roost',
    ];
    if (state.secrets.medium === 'disk') {
      notes.push(
        `no tmpfs was found: secret files are in a 0700 directory on disk (${state.secrets.directory})`,
      );
    }
    return {
      instance,
      runtime: 'local',
      environment: state.environment,
      state:
        running === 0
          ? 'stopped'
          : services.every((service) => service.health === 'healthy')
            ? 'running'
            : 'degraded',
      services,
      endpoints: {
        api: services[0].replicas
          .filter((replica) => replica.state === 'running')
          .map((replica) => `http://${replica.address}`),
      },
      networks: [],
      secrets: { medium: state.secrets.medium, location: state.secrets.directory },
      labels: state.spec.labels,
      notes,
    };
  }

  /** Stops every process of the stack (API first, database last); the data stays. */
  async function stopServices(state: InstanceState): Promise<string[]> {
    const stopped: string[] = [];
    for (const replica of state.api.replicas) {
      if (isRunning(replica))
        stopped.push(`api: stopped replica on port ${replica.port} (pid ${replica.pid})`);
      await stopProcess(replica, 'SIGTERM');
    }
    if (state.cache.process && isRunning(state.cache.process)) stopped.push('cache: stopped redis-server');
    if (state.cache.process) await stopProcess(state.cache.process, 'SIGTERM');
    if (state.db.process && isRunning(state.db.process)) stopped.push('db: stopped postgres');
    if (state.db.process) await stopProcess(state.db.process, 'SIGINT');
    return stopped;
  }

  /**
   * Restarts by converging again after marking what to restart: API replicas as outdated (replaced one at a
   * time, new before old), database and cache stopped. Secret values come back from their own files.
   */
  async function restartLocked(instance: string, service?: ServiceName): Promise<ConvergeResult> {
    const layout = instanceLayout(runtimeRoot, instance);
    const state = readState(layout.directory);
    if (state === undefined) throw new RoostError('not_found', `no local stack for instance ${instance}`);
    if (service === undefined || service === 'api') {
      for (const replica of state.api.replicas) replica.configHash = 'restart';
    }
    if ((service === undefined || service === 'cache') && state.cache.process) {
      await stopProcess(state.cache.process, 'SIGTERM');
    }
    if ((service === undefined || service === 'db') && state.db.process) {
      await stopProcess(state.db.process, 'SIGINT');
    }
    writeState(layout.directory, state);
    const fromFiles: SecretSource = {
      read: async (name) => readFileSync(secretFile(state.secrets, name), 'utf8'),
    };
    return convergeLocked(state.spec, fromFiles);
  }

  async function removeLocked(instance: string): Promise<RemoveResult> {
    const layout = instanceLayout(runtimeRoot, instance);
    const state = readState(layout.directory);
    const removed: string[] = [];
    if (state !== undefined) removed.push(...(await stopServices(state)));
    // Anything still working inside the instance directory (a crash before the state file knew it).
    for (const pid of processesUnder(layout.directory)) {
      await stopProcess({ pid, startTime: '' }, 'SIGKILL', 5_000);
      removed.push(`stopped stray process ${pid}`);
    }
    const secretDirectories = state
      ? [state.secrets]
      : [chooseSecretDirectory(root, instance, layout.directory, options.runtimeDirectory)];
    for (const secrets of secretDirectories) {
      const erased = overwriteAndRemove(secrets.directory);
      if (erased.files > 0) {
        removed.push(`secrets: ${erased.files} files overwritten and removed (${secrets.directory})`);
      }
      try {
        rmdirSync(path.dirname(secrets.directory)); // the per-data-directory scope, once empty
      } catch {
        // other instances still have secrets there
      }
    }
    if (existsSync(layout.directory)) {
      const erased = overwriteAndRemove(layout.directory);
      removed.push(
        `data: ${erased.files} files (${erased.bytes} bytes) overwritten with zeros and removed (${layout.directory})`,
      );
    }
    return { removed };
  }

  /** The command, environment and directory `argv` runs with in one service (its user, its settings). */
  function commandIn(instance: string, service: ServiceName, argv: string[]): CommandLine {
    validateSlug(instance);
    const [binary, ...args] = argv;
    if (binary === undefined) throw new RoostError('invalid_input', 'exec needs a command');
    const layout = instanceLayout(runtimeRoot, instance);
    const state = readState(layout.directory);
    if (state === undefined) throw new RoostError('not_found', `no local stack for instance ${instance}`);
    if (service === 'db') {
      const [command, commandArgs] = asUser('postgres', binary, args);
      const env = {
        ...postgresEnv(pgBin),
        PGHOST: layout.dbSocket,
        PGPORT: String(state.db.port),
        PGUSER: state.spec.db.user,
        PGDATABASE: state.spec.db.database,
      };
      return { command, args: commandArgs, env, cwd: layout.dbDirectory };
    }
    if (service === 'cache') {
      const [command, commandArgs] = asUser('redis', binary, args);
      return { command, args: commandArgs, env: { PATH: '/usr/bin:/bin' }, cwd: layout.cacheDirectory };
    }
    const env = apiEnv(apiSettings(state, state.spec), state.api.replicas[0]?.port ?? 0);
    return { command: binary, args, env, cwd: layout.directory };
  }

  async function exec(
    instance: string,
    service: ServiceName,
    argv: string[],
    execOptions: ExecOptions = {},
  ): Promise<ExecResult> {
    const line = commandIn(instance, service, argv);
    return runCommand(line.command, line.args, { ...execOptions, env: line.env, cwd: line.cwd });
  }

  async function execStream(instance: string, service: ServiceName, argv: string[]): Promise<ExecStream> {
    const line = commandIn(instance, service, argv);
    return startCommand(line.command, line.args, { env: line.env, cwd: line.cwd });
  }

  async function logs(
    instance: string,
    service: ServiceName,
    logOptions: LogsOptions = {},
  ): Promise<string[]> {
    validateSlug(instance);
    const file = logFile(instanceLayout(runtimeRoot, instance), service);
    if (!existsSync(file)) return [];
    const lines = tail(file, 1024 * 1024).split('\n');
    if (lines.at(-1) === '') lines.pop();
    return lines.slice(-(logOptions.tail ?? 100));
  }

  return {
    kind: 'local',
    isolatesNetworks: false,
    // async: an invalid spec or slug rejects the promise instead of throwing at the call.
    converge: async (input, source, onProgress) => {
      const spec = validateStackSpec(input);
      return locked(spec.instance, () => convergeLocked(spec, source, onProgress));
    },
    inspect,
    remove: async (instance) => {
      validateSlug(instance);
      return locked(instance, () => removeLocked(instance));
    },
    restart: async (instance, service) => {
      validateSlug(instance);
      return locked(instance, () => restartLocked(instance, service));
    },
    exec,
    execStream,
    logs,
  };
}

function checkBinaries(pgBin: string, redisServer: string, apiEntry: string): void {
  for (const file of [path.join(pgBin, 'initdb'), path.join(pgBin, 'postgres'), redisServer, apiEntry]) {
    if (!existsSync(file)) {
      throw new RoostError('unavailable', `${file} is missing (run scripts/setup-system)`, { file });
    }
  }
}

/** As root the postgres and redis users must traverse every parent of their directories. */
function checkTraversable(directory: string): void {
  if (process.getuid?.() !== 0) return;
  for (let current = directory; ; current = path.dirname(current)) {
    if ((statSync(current).mode & 0o001) === 0) {
      throw new RoostError(
        'invalid_config',
        `${current} is not traversable by other users (chmod o+x): the postgres and redis users need to reach their directories under it`,
      );
    }
    if (current === path.dirname(current)) return;
  }
}

/** The last `bytes` of a log file, for error messages (the services never log secret values). */
function tail(file: string, bytes = 2_000): string {
  try {
    const size = statSync(file).size;
    const length = Math.min(size, bytes);
    const buffer = Buffer.alloc(length);
    const fd = openSync(file, 'r');
    try {
      readSync(fd, buffer, 0, length, size - length);
    } finally {
      closeSync(fd);
    }
    return buffer.toString('utf8');
  } catch {
    return '';
  }
}
