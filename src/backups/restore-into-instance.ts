import type { Selectable } from 'kysely';
import type { Actor } from '../auth/actor.ts';
import { describeError, isRoostError, RoostError } from '../core/errors.ts';
import { createInstance, decommissionInstance } from '../instances/index.ts';
import type { InstanceTable } from '../store/index.ts';
import type { BackupDeps } from './deps.ts';
import type { BackupManifest } from './manifest.ts';
import { type RestoreVerification, restoreIntoStack, type stepRecorder } from './restore-into-stack.ts';
import { pollUntil, waitForOperation } from './wait.ts';

export interface NewInstanceSpec {
  slug: string;
  environment: InstanceTable['environment'];
  runtime: InstanceTable['runtime'];
}

/**
 * Provisions a new instance for the source's customer through the instances domain, waits until it runs,
 * restores the backup into it with the SOURCE instance's private key and verifies it. On any failure the
 * new instance is decommissioned (nothing half-made stays) and the error says which step failed.
 */
export async function restoreIntoNewInstance(
  deps: BackupDeps,
  actor: Actor,
  input: {
    source: Selectable<InstanceTable>;
    manifest: BackupManifest;
    privateKey: string;
    into: NewInstanceSpec;
    step: ReturnType<typeof stepRecorder>['step'];
    signal?: AbortSignal | undefined;
  },
): Promise<RestoreVerification> {
  const { into, step } = input;
  const instanceDeps = instanceDepsOf(deps);
  const { operation } = await createInstance(instanceDeps, actor, {
    slug: into.slug,
    customer: input.source.customer,
    environment: into.environment,
    runtime: into.runtime,
  });
  let current = 'provisioning';
  try {
    await step(`provisioning ${into.slug}`, () =>
      waitForOperation(deps.store, operation.id, `provisioning of ${into.slug}`),
    );
    current = 'restoring and verifying';
    return await restoreIntoStack(deps, { ...input, slug: into.slug, step });
  } catch (error) {
    const cleanup = await step(`decommissioning ${into.slug} (the restore failed)`, () =>
      removeInstance(deps, actor, into.slug),
    ).then(
      () => 'it was decommissioned',
      (cleanupError: unknown) => `decommissioning it failed too: ${describeError(cleanupError)}`,
    );
    throw new RoostError(
      isRoostError(error) ? error.code : 'internal',
      `restore into ${into.slug} failed while ${current}: ${describeError(error)}; ${cleanup}`,
      { into: into.slug, step: current },
      { cause: error },
    );
  }
}

/** Decommissions an instance made for a restore or a drill and waits until it is erased. */
export async function removeInstance(deps: BackupDeps, actor: Actor, slug: string): Promise<void> {
  const instanceDeps = instanceDepsOf(deps);
  // A provisioning still under way (timed out here) must end before the instance can be decommissioned.
  const started = await pollUntil(
    `the operations of ${slug}`,
    async () => {
      try {
        return await decommissionInstance(instanceDeps, actor, { slug });
      } catch (error) {
        if (isRoostError(error, 'conflict') && /operation in progress/.test(error.message)) return undefined;
        if (isRoostError(error, 'conflict') && /decommission/.test(error.message)) return null;
        throw error;
      }
    },
    20 * 60_000,
    1_000,
  );
  if (started) await waitForOperation(deps.store, started.operation.id, `decommissioning of ${slug}`);
}

function instanceDepsOf(deps: BackupDeps) {
  return {
    config: deps.config,
    store: deps.store,
    vault: deps.vault,
    clock: deps.clock,
    audit: deps.audit,
    jobs: deps.jobs,
    runtime: deps.runtime,
    logger: deps.logger,
  };
}
