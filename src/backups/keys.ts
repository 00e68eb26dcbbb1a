import type { Kysely } from 'kysely';
import { generateKey, readKey } from 'openpgp';
import { RoostError } from '../core/errors.ts';
import type { Instance } from '../instances/index.ts';
import type { Database } from '../store/index.ts';
import type { BackupDeps } from './deps.ts';

/**
 * The private key is a vault secret owned by `backup-key:<instance id>`, not by the instance id: the
 * instance's own secrets are erased first at decommission, the backup domain then erases its key itself.
 */
export const privateKeyName = 'openpgp-private-key';
export const keyOwnerOf = (instanceId: string): string => `backup-key:${instanceId}`;

export interface InstanceKey {
  instanceId: string;
  fingerprint: string;
  publicKey: string;
}

/**
 * A v4 Curve25519 (ECDH + EdDSA legacy) key: Debian 12's gpg 2.2 reads it, and a v4 key without the
 * SEIPDv2 feature keeps every encrypter on SEIPDv1, which gpg 2.2 decrypts.
 */
export async function generateInstanceKey(
  slug: string,
  now: Date,
): Promise<{ fingerprint: string; publicKey: string; privateKey: string }> {
  const { publicKey, privateKey } = await generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ name: `Roost backups of ${slug}`, email: `backups+${slug}@roost.invalid` }],
    date: now,
    format: 'armored',
  });
  return { fingerprint: await fingerprintOf(publicKey), publicKey, privateKey };
}

export async function fingerprintOf(armoredKey: string): Promise<string> {
  const key = await readKey({ armoredKey });
  return key.getFingerprint().toUpperCase();
}

/** Makes the instance's key pair once; a second call (a retried converge) finds it and does nothing. */
export async function ensureInstanceKey(
  deps: Pick<BackupDeps, 'store' | 'vault' | 'clock'>,
  instance: Pick<Instance, 'id' | 'slug'>,
): Promise<InstanceKey> {
  const existing = await findInstanceKey(deps.store.db, instance.id);
  if (existing) return existing;
  const now = deps.clock.now();
  const key = await generateInstanceKey(instance.slug, now);
  // The private key first: a crash in between leaves a vault secret the next call overwrites.
  await deps.vault.put(keyOwnerOf(instance.id), privateKeyName, 'openpgp-private-key', key.privateKey);
  await deps.store.db
    .insertInto('backup_keys')
    .values({
      instance_id: instance.id,
      fingerprint: key.fingerprint,
      public_key: key.publicKey,
      created_at: now.getTime(),
    })
    .onConflict((conflict) => conflict.column('instance_id').doNothing())
    .execute();
  const stored = await findInstanceKey(deps.store.db, instance.id);
  if (!stored) throw new RoostError('internal', `the backup key of ${instance.slug} was not stored`);
  return stored;
}

export async function findInstanceKey(
  db: Kysely<Database>,
  instanceId: string,
): Promise<InstanceKey | undefined> {
  const row = await db
    .selectFrom('backup_keys')
    .selectAll()
    .where('instance_id', '=', instanceId)
    .executeTakeFirst();
  return row && { instanceId, fingerprint: row.fingerprint, publicKey: row.public_key };
}

export async function requireInstanceKey(db: Kysely<Database>, instance: Instance): Promise<InstanceKey> {
  const key = await findInstanceKey(db, instance.id);
  if (!key)
    throw new RoostError(
      'conflict',
      `instance ${instance.slug} has no backup key yet: it is made when the instance is provisioned`,
      { slug: instance.slug },
    );
  return key;
}
