import assert from 'node:assert/strict';
import { it } from 'node:test';
import ssh2 from 'ssh2';
import { RoostError } from '../core/errors.ts';
import type { Vault } from '../vault/index.ts';
import { installationSshKey, sshKeyName, sshKeyOwner } from './ssh-client-key.ts';

/** The two calls the key needs, over a map. */
function memoryVault(): Vault & { values: Map<string, string> } {
  const values = new Map<string, string>();
  const vault = {
    values,
    reveal: async (owner: string, name: string) => {
      const value = values.get(`${owner}/${name}`);
      if (value === undefined) throw new RoostError('not_found', `no secret ${name}`);
      return value;
    },
    put: async (owner: string, name: string, _kind: string, value: string) => {
      values.set(`${owner}/${name}`, value);
    },
  };
  return vault as unknown as Vault & { values: Map<string, string> };
}

it('replaces a stored installation key that cannot be read (made by the faulty generator) with a good one', async () => {
  // The generator underneath gets about one pair in 256 wrong: find one, as an earlier version stored it.
  let malformed: string | undefined;
  for (let attempt = 0; attempt < 20_000 && malformed === undefined; attempt++) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment: 'roost-backups' });
    if (ssh2.utils.parseKey(pair.private) instanceof Error) malformed = pair.private;
  }
  assert.ok(malformed);
  const vault = memoryVault();
  vault.values.set(`${sshKeyOwner}/${sshKeyName}`, malformed);

  const key = await installationSshKey(vault);
  assert.notEqual(key.privateKey, malformed);
  assert.match(key.publicKey, /^ssh-ed25519 \S+ roost-backups$/);
  assert.equal(vault.values.get(`${sshKeyOwner}/${sshKeyName}`), key.privateKey, 'stored in its place');
  assert.deepEqual(await installationSshKey(vault), key, 'and kept from then on');
});
