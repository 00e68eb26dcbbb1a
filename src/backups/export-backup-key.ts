import { z } from 'zod';
import { type Actor, authorize, requireFreshSecondFactor } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import { RoostError } from '../core/errors.ts';
import type { BackupDeps } from './deps.ts';
import { findInstanceKey, keyOwnerOf, privateKeyName } from './keys.ts';

const exportBackupKeyInput = z.object({ slug: z.string().min(1).max(100) });

/**
 * The instance's private OpenPGP key (armoured), for the admins' password manager: `keys:export` (admins)
 * with a second factor from the last 5 minutes; every attempt is audited, refused ones too.
 */
export async function exportBackupKey(
  deps: Pick<BackupDeps, 'store' | 'vault' | 'clock' | 'audit'>,
  actor: Actor,
  input: z.input<typeof exportBackupKeyInput>,
): Promise<{ slug: string; fingerprint: string; privateKey: string }> {
  const { slug } = parseInput(exportBackupKeyInput, input);
  const instance = await deps.store.db
    .selectFrom('instances')
    .select('id')
    .where('slug', '=', slug)
    .executeTakeFirst();
  const target = instance ? `${instance.id}/backup-key` : slug;
  const deny = async (reason: string) =>
    deps.audit.append({
      actor,
      action: 'backup.key.export',
      target,
      result: 'denied',
      details: { slug, reason },
    });
  try {
    authorize(actor, 'keys:export');
    requireFreshSecondFactor(actor, deps.clock);
  } catch (error) {
    await deny(
      error instanceof RoostError &&
        error.code === 'forbidden' &&
        error.details?.reason === 'second_factor_required'
        ? 'second_factor_required'
        : 'forbidden',
    );
    throw error;
  }
  if (!instance) throw new RoostError('not_found', `no instance ${slug}`, { slug });
  const key = await findInstanceKey(deps.store.db, instance.id);
  if (!key) throw new RoostError('not_found', `instance ${slug} has no backup key`, { slug });
  const privateKey = await deps.vault.reveal(keyOwnerOf(instance.id), privateKeyName);
  await deps.audit.append({
    actor,
    action: 'backup.key.export',
    target,
    result: 'ok',
    details: { slug, fingerprint: key.fingerprint },
  });
  return { slug, fingerprint: key.fingerprint, privateKey };
}
