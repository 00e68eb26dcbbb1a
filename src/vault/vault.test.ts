import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { it } from 'node:test';
import { describeEachDialect } from '../../test/fixtures/store.ts';
import { ManualClock } from '../core/clock.ts';
import { isRoostError } from '../core/errors.ts';
import { openStore, type Store } from '../store/index.ts';
import { generateSecret, masterKeyId, openVault, secretKinds } from './index.ts';

const lowScrypt = { cost: 2 ** 14, blockSize: 8, parallelization: 1 };

function newKey(): string {
  return randomBytes(32).toString('base64');
}

async function vaultRows(store: Store) {
  return {
    dataKeys: await store.db.selectFrom('vault_data_keys').selectAll().orderBy('id').execute(),
    meta: await store.db.selectFrom('vault_meta').selectAll().orderBy('name').execute(),
    secrets: await store.db.selectFrom('vault_secrets').selectAll().orderBy('id').execute(),
  };
}

function rejectsWith(code: string, message: RegExp) {
  return (error: unknown) => {
    assert.ok(isRoostError(error), `expected a RoostError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.match(error.message, message);
    assert.doesNotMatch(error.message, /\n/, 'one line');
    return true;
  };
}

describeEachDialect('vault', (use, dialect) => {
  it('reveals what it stored, replaces in place, lists metadata and removes', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const clock = new ManualClock();
    const keyFile = path.join(opened.directory, 'master.key');
    const vault = await openVault({ store: opened.store, clock }, { keyFile });
    assert.equal(vault.keySource, 'key-file');
    assert.equal(vault.keyFile, keyFile);
    assert.match(vault.currentKeyId(), /^mk_[0-9a-f]{16}$/);

    const first = await vault.put('ins_a', 'db-password', 'database-password', 'pässwörd ✓');
    assert.match(first.id, /^sec_/);
    assert.equal(await vault.reveal('ins_a', 'db-password'), 'pässwörd ✓');
    clock.advance(1_000);
    const replaced = await vault.put('ins_a', 'db-password', 'database-password', 'second');
    assert.equal(replaced.id, first.id, 'a replaced secret keeps its id');
    assert.equal(await vault.reveal('ins_a', 'db-password'), 'second');
    await vault.put('ins_a', 'cache-password', 'cache-password', 'c');
    await vault.put('ins_b', 'db-password', 'database-password', 'b');

    const listed = await vault.list('ins_a');
    assert.deepEqual(
      listed.map(({ owner, name, kind }) => ({ owner, name, kind })),
      [
        { owner: 'ins_a', name: 'cache-password', kind: 'cache-password' },
        { owner: 'ins_a', name: 'db-password', kind: 'database-password' },
      ],
    );
    const password = listed.find((secret) => secret.name === 'db-password');
    assert.equal(password?.createdAt, Date.parse('2026-01-01T00:00:00Z'));
    assert.equal(password?.updatedAt, Date.parse('2026-01-01T00:00:01Z'));
    assert.equal(Object.hasOwn(password ?? {}, 'value'), false);
    assert.equal((await vault.list()).length, 3);

    assert.equal(await vault.remove('ins_a', 'cache-password'), 1);
    assert.equal(await vault.remove('ins_a'), 1);
    assert.deepEqual(
      (await vault.list()).map((secret) => secret.owner),
      ['ins_b'],
    );
    await assert.rejects(
      vault.reveal('ins_a', 'db-password'),
      rejectsWith('not_found', /ins_a\/db-password/),
    );
    await assert.rejects(vault.put('', 'x', 'k', 'v'), rejectsWith('invalid_input', /owner/));
  });

  it('generates unique values of the right strength per kind and never returns them', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const vault = await openVault(
      { store: opened.store, clock: new ManualClock() },
      { masterKey: newKey(), keyFile: '' },
    );
    const shapes = {
      'database-password': /^[A-Za-z0-9]{43}$/,
      'cache-password': /^[A-Za-z0-9]{43}$/,
      'jwt-signing-key': /^[A-Za-z0-9_-]{86}$/,
      'api-token': /^rst_[A-Za-z0-9_-]{43}$/,
    };
    const seen = new Set<string>();
    for (const kind of secretKinds) {
      for (const owner of ['ins_1', 'ins_2', 'ins_3']) {
        const result = await vault.generate(owner, kind, kind);
        assert.deepEqual(Object.keys(result), ['id']);
        const value = await vault.reveal(owner, kind);
        assert.match(value, shapes[kind]);
        seen.add(value);
      }
    }
    assert.equal(seen.size, secretKinds.length * 3);
    assert.deepEqual(
      (await vault.list('ins_1')).map((secret) => secret.kind).sort(),
      [...secretKinds].sort(),
    );
    await assert.rejects(
      vault.generate('ins_1', 'x', 'ssh-key' as never),
      rejectsWith('invalid_input', /ssh-key/),
    );
  });

  it('refuses a ciphertext with a flipped byte', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const { db } = opened.store;
    const vault = await openVault(
      { store: opened.store, clock: new ManualClock() },
      { masterKey: newKey(), keyFile: '' },
    );
    await vault.put('ins_a', 'token', 'api-token', generateSecret('api-token'));
    const row = await db
      .selectFrom('vault_secrets')
      .select('ciphertext')
      .where('owner', '=', 'ins_a')
      .executeTakeFirstOrThrow();
    const bytes = Buffer.from(row.ciphertext, 'base64');
    bytes[20] = (bytes[20] ?? 0) ^ 0x01;
    await db
      .updateTable('vault_secrets')
      .set({ ciphertext: bytes.toString('base64') })
      .where('owner', '=', 'ins_a')
      .execute();
    await assert.rejects(
      vault.reveal('ins_a', 'token'),
      rejectsWith(
        'internal',
        /^secret ins_a\/token failed authentication: the ciphertext was altered or belongs to another owner\/name$/,
      ),
    );
  });

  it('refuses a ciphertext moved to another owner or name', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const { db } = opened.store;
    const vault = await openVault(
      { store: opened.store, clock: new ManualClock() },
      { masterKey: newKey(), keyFile: '' },
    );
    await vault.put('ins_a', 'db-password', 'database-password', 'a-secret');
    await vault.put('ins_b', 'db-password', 'database-password', 'b-secret');
    await vault.put('ins_a', 'cache-password', 'cache-password', 'a-cache');
    const source = await db
      .selectFrom('vault_secrets')
      .select(['ciphertext', 'data_key_id'])
      .where('owner', '=', 'ins_a')
      .where('name', '=', 'db-password')
      .executeTakeFirstOrThrow();
    await db.updateTable('vault_secrets').set(source).where('owner', '=', 'ins_b').execute();
    await db
      .updateTable('vault_secrets')
      .set(source)
      .where('owner', '=', 'ins_a')
      .where('name', '=', 'cache-password')
      .execute();
    await assert.rejects(
      vault.reveal('ins_b', 'db-password'),
      rejectsWith('internal', /secret ins_b\/db-password failed authentication/),
    );
    await assert.rejects(
      vault.reveal('ins_a', 'cache-password'),
      rejectsWith('internal', /secret ins_a\/cache-password failed authentication/),
    );
    assert.equal(await vault.reveal('ins_a', 'db-password'), 'a-secret');
  });

  it('refuses a wrong master key on open, naming the expected and the configured key', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const deps = { store: opened.store, clock: new ManualClock() };
    const right = newKey();
    const wrong = newKey();
    await openVault(deps, { masterKey: right, keyFile: '' });
    const before = await vaultRows(opened.store);
    const expected = masterKeyId(Buffer.from(right, 'base64'));
    const configured = masterKeyId(Buffer.from(wrong, 'base64'));
    await assert.rejects(
      openVault(deps, { masterKey: wrong, keyFile: '' }),
      rejectsWith(
        'invalid_config',
        new RegExp(
          `wrapped by master key ${expected}, but the configured master key is ${configured} from ROOST_MASTER_KEY`,
        ),
      ),
    );
    const keyFile = path.join(opened.directory, 'other', 'master.key');
    await assert.rejects(
      openVault(deps, { masterKey: wrong, keyFile, source: 'roost.config.json' }),
      rejectsWith('invalid_config', /from roost\.config\.json/),
    );
    assert.deepEqual(await vaultRows(opened.store), before);
    assert.equal(existsSync(path.dirname(keyFile)), false);
  });

  it('refuses to start without the key file of an existing vault and writes nothing', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const deps = { store: opened.store, clock: new ManualClock() };
    const keyFile = path.join(opened.directory, 'data', 'master.key');
    const vault = await openVault(deps, { keyFile });
    await vault.put('ins_a', 'db-password', 'database-password', 'kept');
    const before = await vaultRows(opened.store);
    await rm(path.dirname(keyFile), { recursive: true });
    await assert.rejects(
      openVault(deps, { keyFile }),
      rejectsWith(
        'invalid_config',
        new RegExp(
          `wrapped by master key ${vault.currentKeyId()}, but the master key file ${keyFile} does not exist.*nothing was written`,
        ),
      ),
    );
    assert.equal(
      existsSync(path.dirname(keyFile)),
      false,
      'neither the key file nor its directory was created',
    );
    assert.deepEqual(await vaultRows(opened.store), before);
  });

  it('creates the key file once, with mode 0600, and reopens with it', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const deps = { store: opened.store, clock: new ManualClock() };
    const keyFile = path.join(opened.directory, 'data', 'master.key');
    const vault = await openVault(deps, { keyFile });
    assert.equal((await stat(keyFile)).mode & 0o777, 0o600);
    await vault.put('roost', 'smtp-password', 'password', 'p');
    const again = await openVault(deps, { keyFile });
    assert.equal(again.currentKeyId(), vault.currentKeyId());
    assert.equal(await again.reveal('roost', 'smtp-password'), 'p');
    assert.equal((await vaultRows(opened.store)).dataKeys.length, 1);
  });

  it('derives the master key from a passphrase with a stored salt and cost, and refuses a wrong one', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const deps = { store: opened.store, clock: new ManualClock() };
    const keyFile = path.join(opened.directory, 'master.key');
    const passphrase = 'correct horse battery staple';
    const vault = await openVault(deps, { masterPassphrase: passphrase, keyFile, scrypt: lowScrypt });
    assert.equal(vault.keySource, 'passphrase');
    assert.equal(vault.keyFile, undefined);
    assert.equal(existsSync(keyFile), false);
    await vault.put('ins_a', 'db-password', 'database-password', 'from a passphrase');

    const meta = (await vaultRows(opened.store)).meta.find((row) => row.name === 'passphrase_kdf');
    const [record] = JSON.parse(meta?.value ?? '[]');
    assert.equal(record.algorithm, 'scrypt');
    assert.equal(Buffer.from(record.salt, 'base64').length, 16);
    assert.deepEqual(
      { cost: record.cost, blockSize: record.blockSize, parallelization: record.parallelization },
      lowScrypt,
    );

    const again = await openVault(deps, { masterPassphrase: passphrase, keyFile });
    assert.equal(again.currentKeyId(), vault.currentKeyId());
    assert.equal(await again.reveal('ins_a', 'db-password'), 'from a passphrase');
    await assert.rejects(
      openVault(deps, { masterPassphrase: 'incorrect horse battery staple', keyFile }),
      rejectsWith(
        'invalid_config',
        new RegExp(
          `wrapped by master key ${vault.currentKeyId()}, but the configured master key is mk_[0-9a-f]+ from ROOST_MASTER_PASSPHRASE`,
        ),
      ),
    );
    await assert.rejects(
      openVault(deps, { keyFile }),
      rejectsWith('invalid_config', /master key file .* does not exist/),
    );
  });

  it('refuses contradictory key settings', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const deps = { store: opened.store, clock: new ManualClock() };
    await assert.rejects(
      openVault(deps, { masterKey: newKey(), masterPassphrase: 'a passphrase long enough', keyFile: '' }),
      rejectsWith('invalid_config', /not both/),
    );
    await assert.rejects(
      openVault(deps, { previousMasterKeys: [newKey()], keyFile: '' }),
      rejectsWith('invalid_config', /ROOST_MASTER_KEY_PREVIOUS is set without ROOST_MASTER_KEY/),
    );
    await assert.rejects(
      openVault(deps, { masterKey: Buffer.alloc(16).toString('base64'), keyFile: '' }),
      rejectsWith('invalid_config', /^ROOST_MASTER_KEY is not a master key: expected 32 bytes/),
    );
    assert.equal((await vaultRows(opened.store)).dataKeys.length, 0);
  });

  // node:sqlite is synchronous: two connections of one process cannot interleave write transactions,
  // whereas roost serve and the CLI are two processes. PostgreSQL shows the race within one process.
  if (dialect === 'postgres') {
    it('two processes creating the vault at the same moment share one master key', async (t) => {
      const opened = await use(t);
      if (!opened) return;
      const clock = new ManualClock();
      const keyFile = path.join(opened.directory, 'master.key');
      const other = await openStore({ databaseUrl: opened.url, dataDir: opened.directory });
      t.after(() => other.close().catch(() => {}));
      const [a, b] = await Promise.all([
        openVault({ store: opened.store, clock }, { keyFile }),
        openVault({ store: other, clock }, { keyFile }),
      ]);
      assert.equal(a.currentKeyId(), b.currentKeyId());
      const { dataKeys } = await vaultRows(opened.store);
      assert.deepEqual(
        dataKeys.map((key) => [key.master_key_id, key.active]),
        [[a.currentKeyId(), 1]],
      );
      await a.put('ins_a', 'db-password', 'database-password', 'shared');
      assert.equal(await b.reveal('ins_a', 'db-password'), 'shared');
    });
  }
});
