import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { RoostError } from '../core/errors.ts';
import { type CommandStage, spawnStage } from './stages.ts';

/** tmpfs when the machine has one: a private key imported for a restore never reaches a disk. */
function scratchRoot(): string {
  return existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
}

const common = ['--batch', '--no-tty', '--quiet', '--no-autostart', '--trust-model', 'always'];

/** A throw-away GNUPGHOME: nothing of Roost's keys stays in a keyring after the stage ends. */
export interface GpgHome {
  directory: string;
  close(): Promise<void>;
}

async function openHome(): Promise<GpgHome> {
  const directory = await mkdtemp(path.join(scratchRoot(), 'roost-gpg-'));
  return {
    directory,
    close: async () => {
      await runGpgconf(directory);
      await rm(directory, { recursive: true, force: true });
    },
  };
}

function runGpgconf(directory: string): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn('gpgconf', ['--homedir', directory, '--kill', 'gpg-agent'], { stdio: 'ignore' });
    child.on('error', () => resolve());
    child.on('close', () => resolve());
  });
}

/** A stage whose set-up is done: `start` spawns it at once, without awaiting anything. */
export interface PreparedStage {
  /** `from`, `to`: another process's pipe or an open file (default: pipes from and to Node). */
  start(from?: Readable | number, to?: number): CommandStage;
  /** Undoes the set-up when the stage is not started after all. */
  discard(): Promise<void>;
}

/**
 * Encrypts to the instance's public key with Debian's gpg: only the public key is needed (a file given as
 * recipient), no compression (zstd did that), SEIPDv1 with MDC as gpg 2.2 writes it.
 */
export async function prepareEncryption(publicKey: string): Promise<PreparedStage> {
  const home = await openHome();
  const recipient = path.join(home.directory, 'recipient.asc');
  try {
    await writeFile(recipient, publicKey, { mode: 0o600 });
  } catch (error) {
    await home.close();
    throw error;
  }
  return {
    start(from, to) {
      const stage = spawnStage(
        'gpg',
        [
          '--homedir',
          home.directory,
          ...common,
          '--recipient-file',
          recipient,
          '--compress-algo',
          'none',
          '--encrypt',
        ],
        from,
        to,
      );
      stage.done.finally(() => home.close()).catch(() => {});
      return stage;
    },
    discard: () => home.close(),
  };
}

export async function startEncryption(publicKey: string, from?: Readable): Promise<CommandStage> {
  return (await prepareEncryption(publicKey)).start(from);
}

/** Decrypts with the private key imported into a throw-away home on tmpfs; the agent is stopped after. */
export async function prepareDecryption(privateKey: string): Promise<PreparedStage> {
  const home = await openHome();
  try {
    await importKey(home.directory, privateKey);
  } catch (error) {
    await home.close();
    throw error;
  }
  return {
    start(from) {
      const stage = spawnStage(
        'gpg',
        ['--homedir', home.directory, ...common.slice(0, 3), '--decrypt'],
        from,
      );
      stage.done.finally(() => home.close()).catch(() => {});
      return stage;
    },
    discard: () => home.close(),
  };
}

function importKey(directory: string, privateKey: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('gpg', ['--homedir', directory, '--batch', '--no-tty', '--quiet', '--import'], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => {
      stderr += data.toString();
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new RoostError('internal', `gpg could not import the backup key: ${stderr.trim()}`)),
    );
    child.stdin.end(privateKey); // on stdin, never in argv or a file on disk
  });
}
