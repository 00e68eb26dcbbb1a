import type { Selectable } from 'kysely';
import type { SecretSource, StackSpec } from '../runtime/index.ts';
import type { InstanceTable } from '../store/index.ts';
import type { Vault } from '../vault/index.ts';
import type { Release } from './records.ts';

/** Identical in every environment (R4): environments differ only by data. */
const limits = { memoryMb: 256, cpus: 0.5 };

/** What the runtime converges for an instance row; the database name and user derive from the slug. */
export function stackSpecOf(row: Selectable<InstanceTable>): StackSpec {
  const identifier = row.slug.replaceAll('-', '_');
  return {
    instance: row.slug,
    environment: row.environment,
    release: JSON.parse(row.release) as Release,
    api: { replicas: Number(row.replicas), env: {} },
    db: {
      engine: 'postgres',
      database: identifier,
      user: identifier,
      login: loginRole(identifier, Number(row.db_rotations)),
    },
    cache: { engine: 'redis' },
    limits: { api: limits, db: limits, cache: limits },
    labels: { 'roost.instance': row.slug, 'roost.instance-id': row.id, 'roost.environment': row.environment },
    running: Number(row.running) === 1,
  };
}

/**
 * The role the API logs in as: the owner until the first rotation, then `<owner>_r1` and `<owner>_r2` in
 * turn, so the running replicas keep a valid login while the next one rolls out (zero downtime).
 */
export function loginRole(owner: string, rotations: number): string {
  return rotations === 0 ? owner : `${owner}_r${((rotations - 1) % 2) + 1}`;
}

/** Secret values come from the vault at converge time; the instance id owns them. */
export function vaultSecretSource(vault: Vault, instanceId: string): SecretSource {
  return { read: (name) => vault.reveal(instanceId, name) };
}
