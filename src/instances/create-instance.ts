import { z } from 'zod';
import { type Actor, authorize } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import { RoostError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { databaseEngines, engineNames } from '../runtime/index.ts';
import type { InstanceDeps } from './deps.ts';
import { enqueueOperation } from './enqueue-operation.ts';
import {
  defaultRelease,
  environmentSchema,
  type Instance,
  type InstanceOperation,
  slugSchema,
  swarmImages,
  toInstance,
} from './records.ts';
import { runtimeKinds } from './routed-runtime.ts';

const createInstanceInput = z.object({
  slug: slugSchema,
  customer: z.string().trim().min(1).max(200),
  environment: environmentSchema,
  replicas: z.int().min(1).max(10).default(1),
  /** Default: the installation's `runtime.default`. */
  runtime: z.enum(runtimeKinds).optional(),
  engine: z.enum(engineNames).default('postgres'),
});

/**
 * Registers an instance and queues its provisioning (`instances:write`). The row, the operation, the
 * converge job and the audit event commit in one transaction; the job generates the secrets and runs the
 * stack, so a crash at any point leaves either nothing or a job that finishes the work when retried.
 */
export async function createInstance(
  deps: InstanceDeps,
  actor: Actor,
  input: z.input<typeof createInstanceInput>,
): Promise<{ instance: Instance; operation: InstanceOperation }> {
  authorize(actor, 'instances:write');
  const { slug, customer, environment, replicas, engine, ...chosen } = parseInput(createInstanceInput, input);
  if (!databaseEngines[engine].available) {
    throw new RoostError(
      'invalid_input',
      `engine: ${engine} is not available on this installation (its packages are not in the registries Roost can reach); use postgres`,
      { engine },
    );
  }
  const runtime = chosen.runtime ?? deps.config?.runtime.default ?? 'local';
  // Swarm runs images (the installation's configured ones); the local runtime runs the repository's code
  // and only labels its version.
  const release = runtime === 'swarm' ? (deps.config?.runtime.images ?? swarmImages) : defaultRelease;
  const now = deps.clock.now();
  const id = newId('ins', now);
  return deps.store.db.transaction().execute(async (trx) => {
    const taken = await trx.selectFrom('instances').select('id').where('slug', '=', slug).executeTakeFirst();
    if (taken) throw new RoostError('conflict', `an instance named ${slug} already exists`, { slug });
    const row = await trx
      .insertInto('instances')
      .values({
        id,
        slug,
        customer,
        environment,
        runtime,
        release: JSON.stringify(release),
        replicas,
        running: 1,
        db_rotations: 0,
        state: 'provisioning',
        last_error: null,
        created_at: now.getTime(),
        updated_at: now.getTime(),
        decommissioned_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const operation = await enqueueOperation(trx, deps, id, 'create');
    await deps.audit.append(
      {
        actor,
        action: 'instance.create',
        target: id,
        result: 'ok',
        details: { slug, customer, environment, replicas, runtime, operationId: operation.id },
      },
      { db: trx },
    );
    return { instance: toInstance(row), operation };
  });
}
