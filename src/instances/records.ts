import type { Kysely, Selectable } from 'kysely';
import { z } from 'zod';
import { RoostError } from '../core/errors.ts';
import { environments } from '../runtime/index.ts';
import type { Database, InstanceOperationTable, InstanceTable } from '../store/index.ts';

/** DNS-safe, 3 to 32 characters: short enough for `<slug>-cache` names and a SQL identifier. */
export const instanceSlugPattern = /^[a-z][a-z0-9-]{1,30}[a-z0-9]$/;
export const slugSchema = z
  .string()
  .regex(instanceSlugPattern, 'a DNS-safe slug: 3 to 32 characters, a-z, 0-9 and -, starting with a letter');
export const environmentSchema = z.enum(environments);

/** The queue of the job that makes the runtime match an instance row (create, scale, remove). */
export const convergeQueue = 'instance.converge';

export interface Release {
  api: string;
  db: string;
  cache: string;
}

/** The local runtime runs the repository's code and PostgreSQL/Redis of this machine: versions are labels. */
export const defaultRelease: Release = { api: 'sample-api-1', db: 'postgres-15', cache: 'redis-7' };

/** On swarm a release is image references; these are the images scripts/build-images tags. */
export const swarmImages: Release = {
  api: 'roost/sample-api:latest',
  db: 'roost/postgres:latest',
  cache: 'roost/redis:latest',
};

export type InstanceState = InstanceTable['state'];

export interface Instance {
  id: string;
  slug: string;
  customer: string;
  environment: InstanceTable['environment'];
  runtime: InstanceTable['runtime'];
  release: Release;
  replicas: number;
  /** False after `instance stop`: services scaled to zero, data kept. */
  running: boolean;
  state: InstanceState;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
  decommissionedAt: Date | null;
  /** `host:port` the instance's name points at since its last migration (the edge route without DNS). */
  endpoint?: string | null;
}

export interface InstanceOperation {
  id: string;
  instanceId: string;
  kind: InstanceOperationTable['kind'];
  state: InstanceOperationTable['state'];
  jobId: string | null;
  progress: string | null;
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

const date = (value: number | null): Date | null => (value === null ? null : new Date(Number(value)));

export function toInstance(row: Selectable<InstanceTable>): Instance {
  return {
    id: row.id,
    slug: row.slug,
    customer: row.customer,
    environment: row.environment,
    runtime: row.runtime,
    release: JSON.parse(row.release) as Release,
    replicas: Number(row.replicas),
    running: Number(row.running) === 1,
    state: row.state,
    lastError: row.last_error,
    createdAt: new Date(Number(row.created_at)),
    updatedAt: new Date(Number(row.updated_at)),
    decommissionedAt: date(row.decommissioned_at),
    endpoint: row.endpoint ?? null,
  };
}

export function toOperation(row: Selectable<InstanceOperationTable>): InstanceOperation {
  return {
    id: row.id,
    instanceId: row.instance_id,
    kind: row.kind,
    state: row.state,
    jobId: row.job_id,
    progress: row.progress,
    error: row.error,
    createdAt: new Date(Number(row.created_at)),
    startedAt: date(row.started_at),
    finishedAt: date(row.finished_at),
  };
}

export async function findInstance(db: Kysely<Database>, slug: string): Promise<Selectable<InstanceTable>> {
  const row = await db.selectFrom('instances').selectAll().where('slug', '=', slug).executeTakeFirst();
  if (!row) throw new RoostError('not_found', `no instance ${slug}`, { slug });
  return row;
}

/** One operation at a time per instance: two converges of one stack must never race. */
export async function refuseBusyInstance(
  db: Kysely<Database>,
  row: Selectable<InstanceTable>,
): Promise<void> {
  if (row.state === 'decommissioning' || row.state === 'decommissioned') {
    throw new RoostError('conflict', `instance ${row.slug} is ${row.state}`, { state: row.state });
  }
  const active = await db
    .selectFrom('instance_operations')
    .select(['id', 'kind'])
    .where('instance_id', '=', row.id)
    .where('state', 'in', ['queued', 'running'])
    .executeTakeFirst();
  if (active) {
    throw new RoostError(
      'conflict',
      `instance ${row.slug} has an operation in progress (${active.kind} ${active.id}); wait for it to end`,
      { operationId: active.id },
    );
  }
}
