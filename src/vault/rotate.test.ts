import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { it, type TestContext } from 'node:test';
import { describeEachDialect, type TestStore } from '../../test/fixtures/store.ts';
import { ManualClock } from '../core/clock.ts';
import { isRoostError } from '../core/errors.ts';
import { openStore, type Store } from '../store/index.ts';
import { masterKeyId, openVault } from './index.ts';

/** Another process's connection to the same database, as `roost serve` and the CLI have. */
async function secondStore(t: TestContext, opened: TestStore): Promise<Store> {
  const store = await openStore({ databaseUrl: opened.url, dataDir: opened.directory });
  t.after(() => store.close().catch(() => {}));
  return store;
}

async function dataKeys(store: Store) {
  return store.db.selectFrom('vault_data_keys').selectAll().orderBy('created_at').orderBy('id').execute();
}

async function keyFileIds(file: string): Promise<string[]> {
  const lines = (await readFile(file, 'utf8')).split('\n').filter((line) => line !== '');
  return lines.map((line) => masterKeyId(Buffer.from(line, 'base64')));
}

function newKey(): string {
  return randomBytes(32).toString('base64');
}

describeEachDialect('vault rotation', (use) => {
  it('key file: a new key re-wraps every data key while a server opened before keeps working', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const clock = new ManualClock();
    const keyFile = path.join(opened.directory, 'data', 'master.key');
    const cli = await openVault({ store: opened.store, clock }, { keyFile });
    const oldKeyId = cli.currentKeyId();
    await cli.put('ins_a', 'db-password', 'database-password', 'old-a');
    await cli.put('ins_b', 'db-password', 'database-password', 'old-b');
    // One server has the data key in memory, the other has not touched it yet.
    const warm = await openVault({ store: await secondStore(t, opened), clock }, { keyFile });
    assert.equal(await warm.reveal('ins_a', 'db-password'), 'old-a');
    const server = await openVault({ store: await secondStore(t, opened), clock }, { keyFile });
    const before = await dataKeys(opened.store);

    clock.advance(60_000);
    const progress: [number, number][] = [];
    const result = await cli.rotate((done, total) => progress.push([done, total]));

    assert.notEqual(result.masterKeyId, oldKeyId);
    assert.equal(cli.currentKeyId(), result.masterKeyId);
    assert.equal(result.rewrapped, 1);
    assert.deepEqual(progress, [
      [0, 1],
      [1, 1],
    ]);
    const after = await dataKeys(opened.store);
    assert.equal(after.length, 2, 'the old data key stays for decrypting, a new one is active');
    assert.deepEqual(
      after.map((key) => key.master_key_id),
      [result.masterKeyId, result.masterKeyId],
    );
    assert.equal(after[0]?.id, before[0]?.id);
    assert.notEqual(after[0]?.wrapped, before[0]?.wrapped);
    assert.equal(after[0]?.rewrapped_at, clock.now().getTime());
    assert.deepEqual(
      after.map((key) => key.active),
      [0, 1],
    );
    assert.deepEqual(await keyFileIds(keyFile), [result.masterKeyId], 'the old key is gone from the file');
    assert.equal((await stat(keyFile)).mode & 0o777, 0o600);

    assert.equal(await server.reveal('ins_b', 'db-password'), 'old-b');
    assert.equal(server.currentKeyId(), result.masterKeyId, 'the server re-read the key file');
    assert.equal(await warm.reveal('ins_b', 'db-password'), 'old-b');
    await warm.put('ins_c', 'db-password', 'database-password', 'new-c');
    await server.put('ins_d', 'db-password', 'database-password', 'new-d');
    assert.equal(await server.reveal('ins_c', 'db-password'), 'new-c');
    assert.equal(await cli.reveal('ins_d', 'db-password'), 'new-d');
    const written = await opened.store.db
      .selectFrom('vault_secrets')
      .select('data_key_id')
      .where('owner', 'in', ['ins_c', 'ins_d'])
      .execute();
    assert.deepEqual(
      written.map((row) => row.data_key_id),
      [after[1]?.id, after[1]?.id],
    );

    const again = await server.rotate();
    assert.equal(again.rewrapped, 2);
    assert.equal(await cli.reveal('ins_a', 'db-password'), 'old-a');
    assert.equal(await warm.reveal('ins_d', 'db-password'), 'new-d');
  });

  it('key file: a rotation interrupted after writing the key file is finished by the next one', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const clock = new ManualClock();
    const keyFile = path.join(opened.directory, 'master.key');
    const vault = await openVault({ store: opened.store, clock }, { keyFile });
    await vault.put('ins_a', 'db-password', 'database-password', 'kept');
    const original = await readFile(keyFile, 'utf8');
    await writeFile(keyFile, `${newKey()}\n${original}`, { mode: 0o600 });

    const reopened = await openVault({ store: opened.store, clock }, { keyFile });
    const result = await reopened.rotate();
    assert.deepEqual(await keyFileIds(keyFile), [result.masterKeyId]);
    assert.equal(await vault.reveal('ins_a', 'db-password'), 'kept');
  });

  it('environment: re-wraps everything under ROOST_MASTER_KEY while a server with the same settings runs', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const clock = new ManualClock();
    const oldKey = newKey();
    const newKey_ = newKey();
    const oldId = masterKeyId(Buffer.from(oldKey, 'base64'));
    const newId = masterKeyId(Buffer.from(newKey_, 'base64'));
    const first = await openVault({ store: opened.store, clock }, { masterKey: oldKey, keyFile: '' });
    await first.put('ins_a', 'db-password', 'database-password', 'old-a');
    await first.put('ins_b', 'jwt', 'jwt-signing-key', 'old-b');

    const settings = { masterKey: newKey_, previousMasterKeys: [oldKey], keyFile: '' };
    const server = await openVault({ store: await secondStore(t, opened), clock }, settings);
    assert.equal(server.keySource, 'environment');
    assert.equal(server.currentKeyId(), newId);
    assert.equal(
      await server.reveal('ins_b', 'jwt'),
      'old-b',
      'the previous key still opens the old data key',
    );
    const cli = await openVault({ store: opened.store, clock }, settings);
    assert.deepEqual(
      (await dataKeys(opened.store)).map((key) => key.master_key_id),
      [oldId],
    );

    const result = await cli.rotate();
    assert.deepEqual(result, { masterKeyId: newId, rewrapped: 1 });
    const after = await dataKeys(opened.store);
    assert.deepEqual(
      after.map((key) => key.master_key_id),
      [newId, newId],
    );

    assert.equal(await server.reveal('ins_a', 'db-password'), 'old-a');
    await server.put('ins_c', 'db-password', 'database-password', 'new-c');
    assert.equal(await cli.reveal('ins_c', 'db-password'), 'new-c');

    const withoutPrevious = await openVault(
      { store: opened.store, clock },
      { masterKey: newKey_, keyFile: '' },
    );
    assert.equal(await withoutPrevious.reveal('ins_b', 'jwt'), 'old-b');
    await assert.rejects(
      openVault({ store: opened.store, clock }, { masterKey: oldKey, keyFile: '' }),
      (error) =>
        isRoostError(error, 'invalid_config') && error.message.includes(`wrapped by master key ${newId}`),
    );
    assert.deepEqual(
      await cli.rotate(),
      { masterKeyId: newId, rewrapped: 0 },
      'a second run has nothing to do',
    );
    assert.equal((await dataKeys(opened.store)).length, 2);
  });

  it('passphrase: a rotation takes a new salt and the raised cost, and a running server follows', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const clock = new ManualClock();
    const settings = { masterPassphrase: 'correct horse battery staple', keyFile: '' };
    const low = { cost: 2 ** 14, blockSize: 8, parallelization: 1 };
    const vault = await openVault({ store: opened.store, clock }, { ...settings, scrypt: low });
    await vault.put('ins_a', 'db-password', 'database-password', 'old-a');
    const server = await openVault({ store: await secondStore(t, opened), clock }, settings);
    const readKdf = async () => {
      const row = await opened.store.db
        .selectFrom('vault_meta')
        .select('value')
        .where('name', '=', 'passphrase_kdf')
        .executeTakeFirstOrThrow();
      return JSON.parse(row.value) as { salt: string; cost: number }[];
    };
    const [before] = await readKdf();

    const raised = await openVault(
      { store: opened.store, clock },
      { ...settings, scrypt: { ...low, cost: 2 ** 15 } },
    );
    const result = await raised.rotate();
    assert.notEqual(result.masterKeyId, vault.currentKeyId());
    const records = await readKdf();
    assert.equal(records.length, 1);
    assert.equal(records[0]?.cost, 2 ** 15);
    assert.notEqual(records[0]?.salt, before?.salt);

    await server.put('ins_b', 'db-password', 'database-password', 'new-b');
    assert.equal(server.currentKeyId(), result.masterKeyId);
    assert.equal(await server.reveal('ins_a', 'db-password'), 'old-a');
    const reopened = await openVault({ store: opened.store, clock }, settings);
    assert.equal(await reopened.reveal('ins_b', 'db-password'), 'new-b');
  });

  it('runs one rotation at a time and takes over an abandoned lock', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const clock = new ManualClock();
    const vault = await openVault({ store: opened.store, clock }, { masterKey: newKey(), keyFile: '' });
    const startedAt = clock.now().getTime();
    await opened.store.db
      .insertInto('vault_meta')
      .values({
        name: 'rotation_lock',
        value: JSON.stringify({ holder: 'other', startedAt, expiresAt: startedAt + 15 * 60_000 }),
      })
      .execute();
    await assert.rejects(
      vault.rotate(),
      (error) => isRoostError(error, 'conflict') && /another vault rotation/.test(error.message),
    );
    clock.advance(15 * 60_000 + 1);
    assert.equal((await vault.rotate()).rewrapped, 0);
    const lock = await opened.store.db
      .selectFrom('vault_meta')
      .select('name')
      .where('name', '=', 'rotation_lock')
      .executeTakeFirst();
    assert.equal(lock, undefined, 'released');
  });
});
