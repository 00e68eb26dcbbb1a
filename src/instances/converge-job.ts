import type { Kysely, Selectable } from 'kysely';
import { describeError, isRoostError, RoostError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { endDeadWork, type JobRecord } from '../jobs/index.ts';
import { type ServiceName, type StackSecretName, stackSecretNames } from '../runtime/index.ts';
import type { Database, InstanceOperationTable, InstanceTable } from '../store/index.ts';
import type { SecretKind } from '../vault/index.ts';
import { installationSigningKey, keyIdOf, signCertificate } from './certificate.ts';
import type { InstanceDeps } from './deps.ts';
import { convergeQueue, type Release, toInstance } from './records.ts';
import { loginRole, stackSpecOf, vaultSecretSource } from './stack-spec.ts';
import { workUnderWay } from './work-under-way.ts';

/** Who the audit trail names for what the job does on its own. */
const jobActor = { id: 'job:instance.converge', label: 'instance.converge job' };

const secretKinds: Record<StackSecretName, SecretKind> = {
  'db-password': 'database-password',
  'cache-password': 'cache-password',
  'jwt-signing-key': 'jwt-signing-key',
};

/** Registers the converge job's handler; the process that calls `jobs.start()` then runs it. */
export function registerInstanceJobs(deps: InstanceDeps): void {
  deps.jobs.work(convergeQueue, (job) => runOperation(deps, job), {
    onDead: (job) => endDeadOperation(deps, job),
  });
}

/**
 * Makes the runtime match the instance row for one operation. Re-runnable: converge and remove are
 * idempotent and missing secrets are generated once, so a retry after a crash or a failure is safe.
 */
export async function runOperation(deps: InstanceDeps, job: JobRecord): Promise<unknown> {
  const { operationId } = job.payload as { operationId: string };
  const { db } = deps.store;
  const operation = await db
    .selectFrom('instance_operations')
    .selectAll()
    .where('id', '=', operationId)
    .executeTakeFirst();
  if (!operation) throw new RoostError('not_found', `no instance operation ${operationId}`);
  if (operation.state === 'succeeded' || operation.state === 'failed') return { skipped: operation.state };
  const instance = await db
    .selectFrom('instances')
    .selectAll()
    .where('id', '=', operation.instance_id)
    .executeTakeFirstOrThrow();
  const started = deps.clock.now().getTime();
  await updateOperation(deps, operationId, { state: 'running', started_at: started, progress: 'started' });
  const log = deps.logger?.child({ instance: instance.slug, operationId, kind: operation.kind });
  try {
    const details = JSON.parse(operation.details ?? '{}') as OperationDetails;
    let result: unknown;
    if (operation.kind === 'remove') {
      result = await removeStack(deps, instance, operationId, started);
    } else if (operation.kind === 'rotate' && details.secret) {
      result = await rotateSecret(deps, instance, operationId, details);
    } else if (operation.kind === 'restart') {
      await updateOperation(deps, operationId, { progress: 'restarting, one replica at a time' });
      const { changes } = await deps.runtime.restart(instance.slug);
      result = { changes: [...changes, ...(await convergeStack(deps, instance, operationId)).changes] };
    } else {
      result = await convergeStack(deps, instance, operationId).catch(async (error: unknown) => {
        if (operation.kind !== 'update' || !isRolledBack(error) || !details.previousRelease) throw error;
        // The runtime already went back; the instance row follows, and a retry would only fail again.
        await undoUpdate(deps, instance.id, operationId, details.previousRelease, describeError(error));
        return { rolledBack: true };
      });
    }
    log?.info(
      { durationMs: deps.clock.now().getTime() - started, outcome: 'succeeded' },
      'instance operation ended',
    );
    return result;
  } catch (error) {
    const message = describeError(error);
    const last = job.attempts >= job.maxAttempts;
    log?.warn({ error: message, attempt: job.attempts, last }, 'instance operation failed');
    if (last) {
      await failOperation(deps, operation, instance.slug, message, started);
    } else {
      await updateOperation(deps, operationId, {
        error: message,
        progress: `attempt ${job.attempts} of ${job.maxAttempts} failed; retrying`,
      });
    }
    throw error;
  }
}

/**
 * The dead-job handler of `instance.converge`: the job used up its attempts with the operation still queued
 * or running (its worker died at every attempt, so none recorded the failure). It fails as a last failed
 * attempt fails it, so the instance is free for its next operation.
 */
export function endDeadOperation(deps: InstanceDeps, job: JobRecord): Promise<void> {
  return endDeadWork(job, {
    name: 'instance operation',
    find: () =>
      workUnderWay(
        deps.store.db,
        'instance_operations',
        (job.payload as { operationId: string }).operationId,
      ),
    end: ({ row, instance }, reason) =>
      failOperation(deps, row, instance.slug, reason, Number(row.started_at ?? row.created_at)),
  });
}

/**
 * An operation that is not tried again: it failed, and the instance with it (its last error says why), so
 * the instance takes its next operation. Once: an operation that already ended stays as it is.
 */
async function failOperation(
  deps: InstanceDeps,
  operation: Selectable<InstanceOperationTable>,
  slug: string,
  message: string,
  started: number,
): Promise<void> {
  const now = deps.clock.now().getTime();
  const failed = await deps.store.db.transaction().execute(async (trx) => {
    const ended = await trx
      .updateTable('instance_operations')
      .set({ state: 'failed', error: message, progress: 'failed', finished_at: now })
      .where('id', '=', operation.id)
      .where('state', 'in', ['queued', 'running'])
      .executeTakeFirst();
    if (ended.numUpdatedRows === 0n) return false;
    await trx
      .updateTable('instances')
      .set({ state: 'failed', last_error: message, updated_at: now })
      .where('id', '=', operation.instance_id)
      .execute();
    return true;
  });
  if (!failed) return;
  deps.logger?.warn(
    {
      instance: slug,
      operationId: operation.id,
      kind: operation.kind,
      durationMs: now - started,
      outcome: 'failed',
      error: message,
    },
    'instance operation ended',
  );
}

interface OperationDetails {
  previousRelease?: Release;
  secret?: StackSecretName;
  /** Set once a rotation stored its new value, so a retry does not make another one. */
  generated?: boolean;
  /** The database password rotation this operation performs (the instance's count after it). */
  rotations?: number;
}

function isRolledBack(error: unknown): boolean {
  return isRoostError(error) && (error.details as { rolledBack?: boolean } | undefined)?.rolledBack === true;
}

async function undoUpdate(
  deps: InstanceDeps,
  instanceId: string,
  operationId: string,
  previousRelease: Release,
  message: string,
): Promise<void> {
  const now = deps.clock.now().getTime();
  await deps.store.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('instances')
      .set({
        release: JSON.stringify(previousRelease),
        state: 'running',
        last_error: message,
        updated_at: now,
      })
      .where('id', '=', instanceId)
      .execute();
    await trx
      .updateTable('instance_operations')
      .set({
        state: 'failed',
        error: message,
        progress: 'rolled back to the previous release',
        finished_at: now,
      })
      .where('id', '=', operationId)
      .execute();
  });
  await deps.audit.append({
    actor: jobActor,
    action: 'instance.update.rolled-back',
    target: instanceId,
    result: 'failed',
    details: { operationId, error: message },
  });
}

/**
 * A new value in the vault, set where it is checked, then a converge rolls the services onto it. Services
 * whose runtime did not replace them are restarted. SQL always goes on stdin, never in argv.
 */
async function rotateSecret(
  deps: InstanceDeps,
  instance: Selectable<InstanceTable>,
  operationId: string,
  details: OperationDetails,
): Promise<{ changes: string[] }> {
  const name = details.secret as StackSecretName;
  let current = instance;
  let state = details;
  const remember = async (next: OperationDetails, progress: string) => {
    state = next;
    await updateOperation(deps, operationId, { details: JSON.stringify(next), progress });
  };
  if (!state.generated) {
    await deps.vault.generate(instance.id, name, secretKinds[name]);
    await remember({ ...state, generated: true }, `${name}: new value stored`);
  }
  let retire: string | undefined;
  if (name === 'db-password') {
    // The API moves to the other login role with the new password; replicas still running keep the old
    // role and its password until the rollout replaced them, then that password is removed.
    const rotations = state.rotations ?? Number(instance.db_rotations) + 1;
    if (state.rotations === undefined)
      await remember({ ...state, rotations }, 'database: preparing the login role');
    const owner = stackSpecOf(instance).db.user;
    const next = loginRole(owner, rotations);
    retire = loginRole(owner, rotations - 1);
    const password = (await deps.vault.reveal(instance.id, name)).replaceAll("'", "''");
    await runSql(
      deps,
      instance.slug,
      `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${next}') THEN CREATE ROLE "${next}" IN ROLE "${owner}"; END IF; END $$;
ALTER ROLE "${next}" LOGIN PASSWORD '${password}';
ALTER ROLE "${next}" SET role = '${owner}';`,
    );
    current = await deps.store.db
      .updateTable('instances')
      .set({ db_rotations: rotations, updated_at: deps.clock.now().getTime() })
      .where('id', '=', instance.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }
  const { changes } = await convergeStack(deps, current, operationId);
  const users: Record<StackSecretName, ServiceName[]> = {
    'db-password': ['api'],
    'cache-password': ['cache', 'api'],
    'jwt-signing-key': ['api'],
  };
  for (const service of users[name]) {
    if (changes.some((change) => change.startsWith(`${service}:`))) continue;
    await updateOperation(deps, operationId, { progress: `${service}: restarting onto the new value` });
    changes.push(...(await deps.runtime.restart(instance.slug, service)).changes);
  }
  if (retire) {
    await runSql(deps, instance.slug, `ALTER ROLE "${retire}" PASSWORD NULL;`);
    changes.push(`db: login role ${retire} can no longer log in over the network`);
  }
  return { changes };
}

async function runSql(deps: InstanceDeps, slug: string, sql: string): Promise<void> {
  const result = await deps.runtime.exec(slug, 'db', ['psql', '-v', 'ON_ERROR_STOP=1', '-q', '-f', '-'], {
    stdin: `${sql}\n`,
  });
  if (result.code !== 0) {
    throw new RoostError('internal', `changing the database roles failed: ${result.stderr.trim()}`);
  }
}

async function convergeStack(
  deps: InstanceDeps,
  instance: Selectable<InstanceTable>,
  operationId: string,
): Promise<{ changes: string[] }> {
  const existing = new Set((await deps.vault.list(instance.id)).map((secret) => secret.name));
  for (const name of stackSecretNames) {
    if (!existing.has(name)) await deps.vault.generate(instance.id, name, secretKinds[name]);
  }
  // Progress lines are written in order, one at a time; the last one is awaited before the end.
  let progress: Promise<unknown> = Promise.resolve();
  const { changes } = await deps.runtime.converge(
    stackSpecOf(instance),
    vaultSecretSource(deps.vault, instance.id),
    ({ service, message }) => {
      progress = progress
        .then(() => updateOperation(deps, operationId, { progress: `${service}: ${message}` }))
        .catch(() => {});
    },
  );
  await progress;
  for (const listener of deps.lifecycle ?? []) {
    if (!listener.provisioned) continue;
    await updateOperation(deps, operationId, { progress: `${listener.name}: setting up` });
    await listener.provisioned(toInstance(instance));
  }
  const status = await deps.runtime.inspect(instance.slug);
  const state =
    Number(instance.running) === 0 ? 'stopped' : status?.state === 'running' ? 'running' : 'degraded';
  await finish(deps, instance.id, operationId, { state, last_error: null }, `${changes.length} change(s)`);
  return { changes };
}

async function removeStack(
  deps: InstanceDeps,
  instance: Selectable<InstanceTable>,
  operationId: string,
  started: number,
): Promise<{ removed: string[]; secrets: number; certificateId: string }> {
  await updateOperation(deps, operationId, { progress: 'stopping services and erasing files' });
  const { removed } = await deps.runtime.remove(instance.slug);
  await updateOperation(deps, operationId, { progress: 'erasing secrets from the vault' });
  const secretNames = (await deps.vault.list(instance.id)).map((secret) => secret.name);
  const secrets = await deps.vault.remove(instance.id);
  const erasedByDomains: Array<{ what: string; items: string[] }> = [];
  for (const listener of deps.lifecycle ?? []) {
    if (!listener.erase) continue;
    await updateOperation(deps, operationId, { progress: `${listener.name}: erasing` });
    erasedByDomains.push({ what: listener.name, ...(await listener.erase(toInstance(instance))) });
  }
  await updateOperation(deps, operationId, { progress: 'signing the erasure certificate' });
  const certificate = signCertificate(
    {
      version: 1,
      kind: 'roost-erasure-certificate',
      instance: {
        id: instance.id,
        slug: instance.slug,
        customer: instance.customer,
        environment: instance.environment,
      },
      requestedBy: await requesterOf(deps, instance.id, operationId),
      startedAt: new Date(started).toISOString(),
      finishedAt: deps.clock.now().toISOString(),
      erased: [
        { what: 'runtime', items: removed },
        { what: 'vault-secrets', items: secretNames },
        ...erasedByDomains,
      ],
      retained: [
        ...retainedAfterErasure,
        ...(deps.lifecycle ?? []).flatMap((listener) => listener.retained ?? []),
      ],
    },
    await installationSigningKey(deps.vault),
  );
  const now = deps.clock.now();
  const certificateId = newId('cer', now);
  await finish(
    deps,
    instance.id,
    operationId,
    { state: 'decommissioned', decommissioned_at: now.getTime(), last_error: null },
    `removed ${removed.length} item(s) and ${secrets} secret(s); certificate ${certificateId}`,
    async (trx) => {
      // A retried job already holding a certificate keeps the first one (the instance id is unique).
      await trx
        .insertInto('erasure_certificates')
        .values({
          id: certificateId,
          instance_id: instance.id,
          body: JSON.stringify(certificate),
          created_at: now.getTime(),
        })
        .onConflict((conflict) => conflict.column('instance_id').doNothing())
        .execute();
    },
  );
  await deps.audit.append({
    actor: jobActor,
    action: 'instance.decommissioned',
    target: instance.id,
    result: 'ok',
    details: { slug: instance.slug, removed, secrets },
  });
  await deps.audit.append({
    actor: jobActor,
    action: 'instance.certificate',
    target: instance.id,
    result: 'ok',
    details: { slug: instance.slug, certificateId, keyId: keyIdOf(certificate.publicKey) },
  });
  return { removed, secrets, certificateId };
}

/** What outlives the erasure, and why; stated on every certificate. */
const retainedAfterErasure = [
  { what: 'instance row', policy: 'tombstone: slug, customer, dates' },
  { what: 'audit trail', policy: 'kept (append-only)' },
];

/** The person who asked: the audit event that queued this operation names them. */
async function requesterOf(
  deps: InstanceDeps,
  instanceId: string,
  operationId: string,
): Promise<{ id: string; label: string }> {
  const events = await deps.audit.list({ action: 'instance.decommission', target: instanceId });
  const event = events.find((candidate) => candidate.details.operationId === operationId);
  return event ? { id: event.actorId, label: event.actorLabel } : { id: 'unknown', label: 'unknown' };
}

async function finish(
  deps: InstanceDeps,
  instanceId: string,
  operationId: string,
  changes: Partial<Pick<InstanceTable, 'state' | 'last_error' | 'decommissioned_at'>>,
  summary: string,
  alsoInTransaction?: (trx: Kysely<Database>) => Promise<void>,
): Promise<void> {
  const now = deps.clock.now().getTime();
  await deps.store.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('instances')
      .set({ ...changes, updated_at: now })
      .where('id', '=', instanceId)
      .execute();
    await trx
      .updateTable('instance_operations')
      .set({ state: 'succeeded', progress: `done: ${summary}`, error: null, finished_at: now })
      .where('id', '=', operationId)
      .execute();
    await alsoInTransaction?.(trx);
  });
}

function updateOperation(
  deps: InstanceDeps,
  operationId: string,
  changes: Partial<Omit<InstanceOperationTable, 'id' | 'instance_id' | 'kind'>>,
): Promise<unknown> {
  return deps.store.db
    .updateTable('instance_operations')
    .set(changes)
    .where('id', '=', operationId)
    .execute();
}
