import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import { pino } from 'pino';
import { openTestStore } from '../../test/fixtures/store.ts';
import { ManualClock } from '../core/clock.ts';
import { openVault, secretKinds } from './index.ts';

it('vault [sqlite]: secret values and the master key appear neither in the database files nor in the logs', async (t) => {
  const opened = await openTestStore('sqlite', t);
  if (!opened) return;
  t.after(() => opened.close());
  let logs = '';
  const logger = pino(
    { level: 'trace' },
    {
      write: (line: string) => {
        logs += line;
      },
    },
  );
  const keyFile = path.join(opened.directory, 'master.key');
  const vault = await openVault({ store: opened.store, clock: new ManualClock(), logger }, { keyFile });

  const values: string[] = [];
  for (const kind of secretKinds) {
    await vault.generate('ins_leak', kind, kind);
    values.push(await vault.reveal('ins_leak', kind));
  }
  const masterKeys = [readFileSync(keyFile, 'utf8').trim()];
  await vault.rotate();
  masterKeys.push(readFileSync(keyFile, 'utf8').trim());
  for (const kind of secretKinds)
    assert.equal(await vault.reveal('ins_leak', kind), values[secretKinds.indexOf(kind)]);

  const databaseFile = opened.url.slice('sqlite:'.length);
  assert.ok(existsSync(`${databaseFile}-wal`), 'the store runs in WAL mode');
  const files = [readFileSync(databaseFile), readFileSync(`${databaseFile}-wal`)];
  const haystacks = [...files, Buffer.from(logs)];
  const needles = [
    ...values.map((value) => Buffer.from(value)),
    ...masterKeys.flatMap((key) => [Buffer.from(key), Buffer.from(key, 'base64')]),
  ];
  for (const [index, haystack] of haystacks.entries()) {
    for (const needle of needles) {
      assert.equal(
        haystack.includes(needle),
        false,
        `a secret was found in ${['roost.db', 'roost.db-wal', 'the logs'][index]}`,
      );
    }
  }

  // The search would find what is there: the ciphertexts in the files, the secret names in the logs.
  const stored = await opened.store.db.selectFrom('vault_secrets').select('ciphertext').execute();
  for (const { ciphertext } of stored) assert.ok(files.some((file) => file.includes(ciphertext)));
  assert.match(logs, /"owner":"ins_leak"/);
  assert.match(logs, /vault master key rotated/);
});
