import { randomBytes } from 'node:crypto';
import { setTimeout } from 'node:timers/promises';
import { sql } from 'kysely';
import { isRoostError, RoostError } from '../core/errors.ts';
import type { Logger } from '../observability/index.ts';
import type { Store } from '../store/index.ts';
import type { Vault } from '../vault/index.ts';
import { genesisHash } from './chain.ts';

export const chainKeyOwner = 'roost';
export const chainKeyName = 'audit-chain-key';
const chainKeyKind = 'hmac-key';
// Distinct from the migration lock (7_070_001) and the append lock (7_070_002).
const createLockKey = 7_070_004;
const creatorWaitMs = 10_000;

interface ChainKeyDeps {
  store: Store;
  vault: Vault;
  logger?: Logger | undefined;
}

/**
 * The chain's HMAC key from the vault, created on first use. `vault.put` overwrites, and a second key
 * would break the chain, so processes starting together on a fresh database elect one creator: on
 * PostgreSQL under an advisory lock, on SQLite (where the vault shares our one connection, so no lock can
 * be held around its write) by inserting the empty head row, the others waiting for the key to appear.
 */
export async function loadChainKey(deps: ChainKeyDeps): Promise<Buffer> {
  const existing = await readChainKey(deps.vault);
  if (existing) return existing;
  const { db, dialect } = deps.store;
  if (dialect === 'sqlite') {
    const elected = await db
      .insertInto('audit_head')
      .values({ id: 1, seq: 0, hash: genesisHash })
      .onConflict((conflict) => conflict.column('id').doNothing())
      .executeTakeFirst();
    if (elected.numInsertedOrUpdatedRows === 1n) return createChainKey(deps);
    return (await waitForChainKey(deps)) ?? createChainKey(deps);
  }
  return db.connection().execute(async (connection) => {
    await sql`SELECT pg_advisory_lock(${createLockKey})`.execute(connection);
    try {
      return (await readChainKey(deps.vault)) ?? (await createChainKey(deps));
    } finally {
      await sql`SELECT pg_advisory_unlock(${createLockKey})`.execute(connection);
    }
  });
}

async function createChainKey(deps: ChainKeyDeps): Promise<Buffer> {
  const events = await deps.store.db.selectFrom('audit_events').select('seq').limit(1).execute();
  if (events.length > 0) {
    // A vanished key cannot be recovered; new events still chain, the older ones will fail verification.
    deps.logger?.error(
      { owner: chainKeyOwner, name: chainKeyName },
      'the audit chain key is missing from the vault although events exist; a new key was made and earlier events cannot be verified',
    );
  }
  await deps.vault.put(chainKeyOwner, chainKeyName, chainKeyKind, randomBytes(32).toString('base64'));
  const stored = await readChainKey(deps.vault);
  if (!stored) throw new RoostError('internal', 'the audit chain key was stored but cannot be read back');
  deps.logger?.info({ owner: chainKeyOwner, name: chainKeyName }, 'audit chain key created');
  return stored;
}

/** Waits for another process's key while the head is still empty; gives up after a creator died midway. */
async function waitForChainKey(deps: ChainKeyDeps): Promise<Buffer | undefined> {
  const deadline = performance.now() + creatorWaitMs;
  while (performance.now() < deadline) {
    const head = await deps.store.db
      .selectFrom('audit_head')
      .select('seq')
      .where('id', '=', 1)
      .executeTakeFirst();
    if (head && Number(head.seq) > 0) return undefined;
    const key = await readChainKey(deps.vault);
    if (key) return key;
    await setTimeout(25);
  }
  return undefined;
}

async function readChainKey(vault: Vault): Promise<Buffer | undefined> {
  let value: string;
  try {
    value = await vault.reveal(chainKeyOwner, chainKeyName);
  } catch (error) {
    if (isRoostError(error, 'not_found')) return undefined;
    throw error;
  }
  const key = Buffer.from(value, 'base64');
  if (key.length !== 32) {
    throw new RoostError('internal', `the vault's ${chainKeyOwner}/${chainKeyName} is not a 32-byte key`);
  }
  return key;
}
