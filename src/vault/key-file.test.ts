import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createKeyFile, readKeyFile, writeKeyFile } from './key-file.ts';
import { toMasterKey } from './master-key.ts';

describe('master key file', () => {
  it('is created once with mode 0600, replaced atomically and leaves no temporary file', async (t) => {
    const directory = mkdtempSync(path.join(tmpdir(), 'roost-key-'));
    t.after(() => rmSync(directory, { recursive: true, force: true }));
    const file = path.join(directory, 'nested', 'master.key');
    const [first, second] = [toMasterKey(randomBytes(32)), toMasterKey(randomBytes(32))];

    assert.equal(await readKeyFile(file), undefined);
    assert.equal(await createKeyFile(file, [first]), true);
    assert.equal(await createKeyFile(file, [second]), false, 'never replaces an existing key file');
    assert.deepEqual(await readKeyFile(file), [first]);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(path.dirname(file)).mode & 0o777, 0o711);

    await writeKeyFile(file, [second, first]);
    assert.deepEqual(await readKeyFile(file), [second, first]);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(path.dirname(file)), ['master.key']);
  });
});
