// One contract for every BackupTarget: a local directory and SFTP to a real OpenSSH server (key-only,
// chrooted, pinned host key). The same cases run against both.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import {
  type BackupTarget,
  createLocalTarget,
  createSftpTarget,
  installationSshKey,
} from '../src/backups/index.ts';
import { isRoostError } from '../src/core/errors.ts';
import { startTestRoost, type TestRoost } from './fixtures/roost.ts';
import { serviceUnavailable } from './fixtures/services.ts';
import { sshdUnavailable, startSshd, type TestSshd } from './fixtures/sshd.ts';

async function text(stream: Readable): Promise<string> {
  let out = '';
  for await (const chunk of stream) out += (chunk as Buffer).toString();
  return out;
}

interface Subject {
  target: BackupTarget;
  /** Names of every file on the storage side, `.partial` ones included. */
  storedFiles(): string[];
}

function filesUnder(directory: string): string[] {
  return readdirSync(directory, { recursive: true, encoding: 'utf8', withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(directory, path.join(entry.parentPath, entry.name)))
    .sort();
}

function contract(name: string, open: () => Promise<Subject | string>) {
  describe(`backup target contract: ${name}`, () => {
    let subject: Subject | undefined;
    let skipReason: string | undefined;
    before(async () => {
      const opened = await open();
      if (typeof opened === 'string') skipReason = opened;
      else subject = opened;
    });
    const ready = (
      t: { skip(message: string): void } & Parameters<typeof serviceUnavailable>[0],
    ): Subject | undefined => {
      if (!subject) serviceUnavailable(t, name, skipReason ?? 'not started');
      return subject;
    };

    it('stores a stream under its name and reads it back; lists and tests existence', async (t) => {
      const s = ready(t);
      if (!s) return;
      const body = 'x'.repeat(3 * 1024 * 1024 + 17); // several SFTP packets and write buffers
      const { bytes } = await s.target.put('acme/bkp_1/database.dump', Readable.from([Buffer.from(body)]));
      assert.equal(bytes, body.length);
      await s.target.put('acme/bkp_1/manifest.json', Readable.from([Buffer.from('{}')]));
      assert.equal(await text(await s.target.get('acme/bkp_1/database.dump')), body);
      assert.deepEqual(await s.target.list('acme/bkp_1'), ['database.dump', 'manifest.json']);
      assert.deepEqual(await s.target.list('acme'), ['bkp_1']);
      assert.deepEqual(await s.target.list('nothing-here'), []);
      assert.equal(await s.target.exists('acme/bkp_1/manifest.json'), true);
      assert.equal(await s.target.exists('acme/bkp_1/missing'), false);
      await assert.rejects(s.target.get('acme/bkp_1/missing'), (error) => isRoostError(error, 'not_found'));
    });

    it('replaces an existing file atomically', async (t) => {
      const s = ready(t);
      if (!s) return;
      await s.target.put('acme/bkp_2/file', Readable.from([Buffer.from('first')]));
      await s.target.put('acme/bkp_2/file', Readable.from([Buffer.from('second')]));
      assert.equal(await text(await s.target.get('acme/bkp_2/file')), 'second');
    });

    it('shows nothing under the name until the producer succeeded; a failed producer leaves no file', async (t) => {
      const s = ready(t);
      if (!s) return;
      const source = new PassThrough();
      let succeed: () => void = () => {};
      const producer = new Promise<void>((resolve) => {
        succeed = resolve;
      });
      const writing = s.target.put('acme/bkp_3/slow', source, producer);
      source.end(Buffer.from('complete'));
      // Written, but the producer has not said it succeeded: only a .partial exists.
      for (let tries = 0; !s.storedFiles().includes('acme/bkp_3/slow.partial') && tries < 200; tries++)
        await new Promise((resolve) => setTimeout(resolve, 10));
      assert.equal(await s.target.exists('acme/bkp_3/slow'), false);
      succeed();
      await writing;
      assert.equal(await text(await s.target.get('acme/bkp_3/slow')), 'complete');

      const failing = new PassThrough();
      const failed = Promise.reject(new Error('gpg failed'));
      failed.catch(() => {});
      failing.end(Buffer.from('half'));
      await assert.rejects(s.target.put('acme/bkp_3/failed', failing, failed), /gpg failed/);
      assert.equal(await s.target.exists('acme/bkp_3/failed'), false);
      assert.deepEqual(
        s.storedFiles().filter((file) => file.startsWith('acme/bkp_3/')),
        ['acme/bkp_3/slow'],
      );
    });

    it('removes left-over partial files and whole folders', async (t) => {
      const s = ready(t);
      if (!s) return;
      const source = new PassThrough();
      // A producer that never finishes while we look, like a process killed mid-upload.
      let abandon: (error: Error) => void = () => {};
      const pending = new Promise<void>((_resolve, reject) => {
        abandon = reject;
      });
      const interrupted = s.target.put('acme/bkp_4/interrupted', source, pending).catch(() => {});
      source.end(Buffer.from('half'));
      for (let tries = 0; !s.storedFiles().includes('acme/bkp_4/interrupted.partial') && tries < 200; tries++)
        await new Promise((resolve) => setTimeout(resolve, 10));
      assert.equal(await s.target.removePartials('acme'), 1);
      abandon(new Error('abandoned'));
      await interrupted;
      await s.target.removeFolder('acme/bkp_1');
      await s.target.removeFolder('acme/bkp_1'); // idempotent
      assert.equal(
        s.storedFiles().some((file) => file.startsWith('acme/bkp_1/') || file.endsWith('.partial')),
        false,
      );
      await assert.rejects(s.target.put('../escape', Readable.from([Buffer.from('x')])), (error) =>
        isRoostError(error, 'invalid_input'),
      );
    });
  });
}

const localRoot = mkdtempSync(path.join(tmpdir(), 'roost-target-'));
after(() => rmSync(localRoot, { recursive: true, force: true }));
contract('local directory', async () => ({
  target: createLocalTarget(localRoot),
  storedFiles: () => filesUnder(localRoot),
}));

let sshd: TestSshd | undefined;
let roost: TestRoost | undefined;
let sftpOptions: Parameters<typeof createSftpTarget>[0] | undefined;
after(async () => {
  await sshd?.stop();
  await roost?.close();
});
contract('sftp to OpenSSH', async () => {
  const reason = sshdUnavailable();
  if (reason) return reason;
  sshd = await startSshd();
  roost = await startTestRoost();
  const key = await installationSshKey(roost.roost.vault);
  assert.deepEqual(await installationSshKey(roost.roost.vault), key, 'one key per installation');
  sshd.authorize(key.publicKey);
  sftpOptions = {
    host: sshd.host,
    port: sshd.port,
    username: sshd.username,
    directory: sshd.directory,
    hostKeyFingerprint: sshd.hostKeyFingerprint(),
    privateKey: key.privateKey,
  };
  const local = sshd.localDirectory;
  return { target: createSftpTarget(sftpOptions), storedFiles: () => filesUnder(local) };
});

describe('sftp target: who may connect', () => {
  it('refuses a key the node does not know, and a node whose host key changed', async (t) => {
    if (!sshd || !sftpOptions || !roost)
      return serviceUnavailable(t, 'sshd', sshdUnavailable() ?? 'not started');
    const stranger = createSftpTarget({
      ...sftpOptions,
      privateKey: (await import('../src/backups/targets/sftp.ts')).generateSshClientKey('x').privateKey,
    });
    await assert.rejects(
      stranger.list(''),
      (error) => isRoostError(error, 'unavailable') && /cannot reach the backup node/.test(error.message),
    );
    const pinned = sftpOptions.hostKeyFingerprint;
    await sshd.changeHostKey();
    assert.notEqual(sshd.hostKeyFingerprint(), pinned);
    await assert.rejects(
      createSftpTarget(sftpOptions).list(''),
      (error) =>
        isRoostError(error, 'unavailable') &&
        /presented host key SHA256:\S+, not the pinned/.test(error.message),
    );
  });
});
