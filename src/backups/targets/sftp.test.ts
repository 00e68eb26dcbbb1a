import assert from 'node:assert/strict';
import { it } from 'node:test';
import ssh2 from 'ssh2';
import { generateSshClientKey, sshPublicKeyOf } from './sftp.ts';

it('makes SSH client keys that parse, every time (the generator underneath gets one in 256 wrong)', () => {
  // 1,500 pairs: with one malformed pair in 256 left in, this fails with a probability above 99.7%.
  for (let index = 0; index < 1_500; index++) {
    const { privateKey, publicKey } = generateSshClientKey('roost-backups');
    const parsed = ssh2.utils.parseKey(publicKey);
    assert.ok(
      !(parsed instanceof Error),
      `public key ${index}: ${parsed instanceof Error ? parsed.message : ''}`,
    );
    assert.equal(sshPublicKeyOf(privateKey), publicKey);
  }
});
