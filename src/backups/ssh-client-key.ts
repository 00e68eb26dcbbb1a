import { isRoostError } from '../core/errors.ts';
import type { Vault } from '../vault/index.ts';
import { generateSshClientKey, sshPublicKeyOf } from './targets/sftp.ts';

/** One SSH client key per Roost installation for its backup nodes; the private half lives in the vault. */
export const sshKeyOwner = 'roost';
export const sshKeyName = 'backup-ssh-client-key';

/** The installation's key, made on first use; `publicKey` goes into the backup nodes' authorized_keys. */
export async function installationSshKey(vault: Vault): Promise<{ privateKey: string; publicKey: string }> {
  try {
    const privateKey = await vault.reveal(sshKeyOwner, sshKeyName);
    return { privateKey, publicKey: sshPublicKeyOf(privateKey) };
  } catch (error) {
    if (!isRoostError(error, 'not_found')) throw error;
  }
  const created = generateSshClientKey('roost-backups');
  await vault.put(sshKeyOwner, sshKeyName, 'ssh-private-key', created.privateKey);
  // Two first uses racing both write; read back so both use the key that stays.
  const privateKey = await vault.reveal(sshKeyOwner, sshKeyName);
  return { privateKey, publicKey: sshPublicKeyOf(privateKey) };
}
