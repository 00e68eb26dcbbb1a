import type { Readable, Writable } from 'node:stream';

// The Runtime port: what the instances domain asks of a place that runs tenant stacks. Drivers: `local`
// (processes on loopback) and `swarm` (Docker Engine API); both pass test/runtime-contract.test.ts.

export const environments = ['staging', 'preprod', 'production'] as const;
export type Environment = (typeof environments)[number];

export const serviceNames = ['api', 'db', 'cache'] as const;
export type ServiceName = (typeof serviceNames)[number];

/** The secrets a stack needs; values come from a SecretSource, never from the spec. */
export const stackSecretNames = ['db-password', 'cache-password', 'jwt-signing-key'] as const;
export type StackSecretName = (typeof stackSecretNames)[number];

export interface ResourceLimits {
  memoryMb: number;
  cpus: number;
}

/** Everything a runtime converges for one instance. Plain data: no secret values, safe to log and store. */
export interface StackSpec {
  /** DNS-safe slug, unique per runtime: names processes, directories, networks and Docker objects. */
  instance: string;
  environment: Environment;
  /** Image references for swarm (`roost/sample-api:<tag>` or `sha256:…`); version labels for local. */
  release: { api: string; db: string; cache: string };
  api: {
    replicas: number;
    /** Non-secret settings only; names the runtime sets itself (ports, hosts, `*_FILE`) are refused. */
    env: Record<string, string>;
  };
  db: {
    /** See engines.ts: PostgreSQL runs; MongoDB is described there and refused here. */
    engine: 'postgres';
    database: string;
    /** The owner, made at initialisation; reachable only from inside the database service after a rotation. */
    user: string;
    /** The role the API logs in as with `db-password`; default `user`. Rotations alternate two login roles. */
    login?: string | undefined;
  };
  cache: { engine: 'redis' };
  limits: Record<ServiceName, ResourceLimits>;
  /** Put on every object the runtime creates (Docker labels; recorded in the local state file). */
  labels: Record<string, string>;
  /** False: every service stopped, data and secrets kept (`instance stop`); default true. */
  running?: boolean | undefined;
}

/** Where converge reads secret values (backed by the vault); drivers deliver them only as files. */
export interface SecretSource {
  read(name: StackSecretName): Promise<string>;
}

export interface ConvergeProgress {
  service: ServiceName | 'stack';
  message: string;
}

export interface ConvergeResult {
  /** What this converge changed, one line each; empty when the stack already matched the spec. */
  changes: string[];
}

export type ProcessState = 'running' | 'stopped';
export type Health = 'healthy' | 'unhealthy';

export interface ReplicaStatus {
  /** Process id (local) or task id (swarm). */
  id: string;
  state: ProcessState;
  health: Health;
  /** `host:port` this replica listens on, when it has one. */
  address?: string;
}

export interface ServiceStatus {
  name: ServiceName;
  /** The release reference this service runs. */
  release: string;
  desiredReplicas: number;
  runningReplicas: number;
  health: Health;
  replicas: ReplicaStatus[];
}

export interface StackStatus {
  instance: string;
  runtime: string;
  environment: Environment;
  /** `running`: every service healthy; `degraded`: some are not; `stopped`: nothing runs. */
  state: 'running' | 'degraded' | 'stopped';
  services: ServiceStatus[];
  /** Base URLs of the API, one per reachable replica (local) or published port (swarm). */
  endpoints: { api: string[] };
  /** Network names and who is attached; empty on a runtime that isolates nothing. */
  networks: Array<{ name: string; internal: boolean; services: ServiceName[] }>;
  /** Where the secret files live: `tmpfs` or plain `disk` (a 0700 directory). */
  secrets: { medium: 'tmpfs' | 'disk'; location: string };
  labels: Record<string, string>;
  /** Plain statements an operator must know, such as what this runtime does not isolate. */
  notes: string[];
}

export interface RemoveResult {
  /** What was stopped or erased, one line each (empty when the instance did not exist). */
  removed: string[];
}

export interface ExecOptions {
  stdin?: string | Buffer;
  /** Deadline for the command; default 60 s. */
  timeoutMs?: number;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A command running in a service with its output as a stream, for dumps and restores of any size. */
export interface ExecStream {
  /** The command's standard input; end it (restores write into it, dumps end it at once). */
  stdin: Writable;
  /** The command's standard output; the caller consumes it (a paused stream stops the command). */
  stdout: Readable;
  /** Settles when the command exits: its code and the last 64 KiB of its standard error. */
  exited: Promise<{ code: number; stderr: string }>;
  /** Stops the command (SIGKILL); `exited` then settles with a non-zero code. */
  kill(): void;
}

export interface LogsOptions {
  /** The last N lines; default 100. */
  tail?: number;
}

export interface Runtime {
  readonly kind: string;
  /** True when services of one instance, and instances, cannot reach each other except as the spec says. */
  readonly isolatesNetworks: boolean;
  /** Makes the stack match `spec`; idempotent: a second call with the same spec reports no changes. */
  converge(
    spec: StackSpec,
    secrets: SecretSource,
    onProgress?: (progress: ConvergeProgress) => void,
  ): Promise<ConvergeResult>;
  /** The stack as it runs now, or undefined when this runtime has nothing for the instance. */
  inspect(instance: string): Promise<StackStatus | undefined>;
  /** Restarts the service's replicas (all services when omitted), one at a time where the driver can. */
  restart(instance: string, service?: ServiceName): Promise<ConvergeResult>;
  /** Stops everything and erases the instance's data and secret files. Idempotent. */
  remove(instance: string): Promise<RemoveResult>;
  /** Runs `argv` (never a shell string) in the context of one service (its user, its settings). */
  exec(instance: string, service: ServiceName, argv: string[], options?: ExecOptions): Promise<ExecResult>;
  /** Starts `argv` like `exec`, with stdin and stdout as streams and no deadline. */
  execStream(instance: string, service: ServiceName, argv: string[]): Promise<ExecStream>;
  /** The service's recent log lines (stdout and stderr merged). */
  logs?(instance: string, service: ServiceName, options?: LogsOptions): Promise<string[]>;
}
