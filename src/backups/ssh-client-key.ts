import { isRoostError } from '../core/errors.ts';
import type { Vault } from '../vault/index.ts';
import { generateSshClientKey, sshPublicKeyOf } from './targets/sftp.ts';

/** One SSH client key per Roost installation for its backup nodes; the private half lives in the vault. */
export const sshKeyOwner = 'roost';
export const sshKeyName = 'backup-ssh-client-key';

/** The installation's key, made on first use; `publicKey` goes into the backup nodes' authorized_keys. */
export async function installationSshKey(vault: Vault): Promise<{ privateKey: string; publicKey: string }> {
  let stored: string | undefined;
  try {
    stored = await vault.reveal(sshKeyOwner, sshKeyName);
  } catch (error) {
    if (!isRoostError(error, 'not_found')) throw error;
  }
  if (stored !== undefined) {
    try {
      return { privateKey: stored, publicKey: sshPublicKeyOf(stored) };
    } catch {
      // A malformed key from an earlier version's generator (see generateSshClientKey): it could never
      // log in anywhere and its public half could not be shown, so no node trusts it. Replaced below.
    }
  }
  const created = generateSshClientKey('roost-backups');
  await vault.put(sshKeyOwner, sshKeyName, 'ssh-private-key', created.privateKey);
  // Two first uses racing both write; read back so both use the key that stays.
  const privateKey = await vault.reveal(sshKeyOwner, sshKeyName);
  return { privateKey, publicKey: sshPublicKeyOf(privateKey) };
}
