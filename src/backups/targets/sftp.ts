import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import ssh2, { type SFTPWrapper } from 'ssh2';
import { RoostError } from '../../core/errors.ts';
import { type BackupTarget, partialSuffix } from './types.ts';

export interface SftpTargetOptions {
  host: string;
  port: number;
  username: string;
  /** The backup folder on the node (absolute, inside the account's chroot). */
  directory: string;
  /** The node's pinned host key, `SHA256:<base64>` as `ssh-keygen -l` prints it; any other key is refused. */
  hostKeyFingerprint: string;
  /** This installation's client key (OpenSSH private key), or how to read it from the vault. */
  privateKey: string | (() => Promise<string>);
  readyTimeoutMs?: number;
}

/** `SHA256:` and the unpadded base64 SHA-256 of an SSH public key blob, as OpenSSH prints it. */
export function sshFingerprint(publicKeyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(publicKeyBlob).digest('base64').replace(/=+$/, '')}`;
}

interface Session {
  sftp: SFTPWrapper;
  end(): void;
}

/** Backups on a backup node over SFTP: key authentication only, pinned host key, atomic uploads. */
export function createSftpTarget(options: SftpTargetOptions): BackupTarget {
  const root = path.posix.normalize(options.directory);
  const resolve = (key: string): string => {
    const file = path.posix.normalize(path.posix.join(root, key));
    if (file !== root && !file.startsWith(`${root}/`))
      throw new RoostError('invalid_input', `backup path ${key} leaves the backup folder`);
    return file;
  };
  const description = `sftp://${options.username}@${options.host}:${options.port}${root}`;

  async function connect(): Promise<Session> {
    const privateKey =
      typeof options.privateKey === 'string' ? options.privateKey : await options.privateKey();
    return new Promise((resolveSession, reject) => {
      const client = new ssh2.Client();
      let presented: string | undefined;
      const fail = (error: Error) => {
        client.end();
        const refusedHost = presented !== undefined && presented !== options.hostKeyFingerprint;
        reject(
          refusedHost
            ? new RoostError(
                'unavailable',
                `the backup node ${options.host}:${options.port} presented host key ${presented}, not the pinned ${options.hostKeyFingerprint}: refused`,
              )
            : new RoostError('unavailable', `cannot reach the backup node ${description}: ${error.message}`),
        );
      };
      client.once('error', fail);
      client.once('ready', () => {
        client.setNoDelay(true); // streamed uploads crawl with Nagle's algorithm on
        client.sftp((error, sftp) => {
          if (error) return fail(error);
          client.removeListener('error', fail);
          client.on('error', () => {}); // later errors surface through the SFTP calls
          resolveSession({ sftp, end: () => client.end() });
        });
      });
      client.connect({
        host: options.host,
        port: options.port,
        username: options.username,
        privateKey,
        readyTimeout: options.readyTimeoutMs ?? 20_000,
        hostVerifier: (key: Buffer) => {
          presented = sshFingerprint(key);
          return presented === options.hostKeyFingerprint;
        },
      });
    });
  }

  async function withSession<T>(work: (sftp: SFTPWrapper) => Promise<T>): Promise<T> {
    const session = await connect();
    try {
      return await work(session.sftp);
    } finally {
      session.end();
    }
  }

  return {
    kind: 'sftp',
    description,
    put: (key, source, producerSucceeded) =>
      withSession(async (sftp) => {
        const file = resolve(key);
        await mkdirs(sftp, root, path.posix.dirname(file));
        const partial = `${file}${partialSuffix}`;
        let bytes = 0;
        source.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
        });
        try {
          await pipeline(source, sftp.createWriteStream(partial, { mode: 0o600 }));
          await producerSucceeded;
        } catch (error) {
          await call((done) => sftp.unlink(partial, done)).catch(() => {});
          throw error;
        }
        // posix-rename replaces an existing file atomically; plain SFTP rename refuses to.
        await call((done) => sftp.ext_openssh_rename(partial, file, done));
        return { bytes };
      }),
    async get(key) {
      const file = resolve(key);
      const session = await connect();
      try {
        await call((done) => session.sftp.stat(file, done));
      } catch {
        session.end();
        throw new RoostError('not_found', `no backup file ${key} on ${description}`);
      }
      const stream = session.sftp.createReadStream(file);
      stream.once('close', () => session.end());
      stream.once('error', () => session.end());
      return stream as unknown as Readable;
    },
    exists: (key) =>
      withSession(async (sftp) => {
        try {
          const stats = await new Promise<{ isFile(): boolean }>((done, fail) =>
            sftp.stat(resolve(key), (error, found) => (error ? fail(error) : done(found))),
          );
          return stats.isFile();
        } catch {
          return false;
        }
      }),
    list: (prefix) => withSession(async (sftp) => (await names(sftp, resolve(prefix))).sort()),
    removeFolder: (prefix) => withSession((sftp) => removeTree(sftp, resolve(prefix))),
    removePartials: (prefix) =>
      withSession(async (sftp) => {
        let removed = 0;
        const walk = async (directory: string): Promise<void> => {
          for (const entry of await entries(sftp, directory)) {
            const full = `${directory}/${entry.filename}`;
            if (entry.longname.startsWith('d')) await walk(full);
            else if (entry.filename.endsWith(partialSuffix)) {
              await call((done) => sftp.unlink(full, done));
              removed++;
            }
          }
        };
        await walk(resolve(prefix));
        return removed;
      }),
    async close() {},
  };
}

function call(operation: (done: (error?: Error | null) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => operation((error) => (error ? reject(error) : resolve())));
}

async function mkdirs(sftp: SFTPWrapper, root: string, directory: string): Promise<void> {
  const parts = path.posix.relative(root, directory).split('/').filter(Boolean);
  let current = root;
  for (const part of parts) {
    current = `${current}/${part}`;
    await call((done) => sftp.mkdir(current, { mode: 0o700 }, done)).catch(async (error) => {
      // Exists already (another upload made it): fine; anything else is a real failure.
      await call((done) => sftp.stat(current, done)).catch(() => {
        throw error;
      });
    });
  }
}

type Entry = { filename: string; longname: string };

function entries(sftp: SFTPWrapper, directory: string): Promise<Entry[]> {
  return new Promise((resolve, reject) =>
    sftp.readdir(directory, (error, list) => {
      if (error) {
        if ((error as Error & { code?: number }).code === 2)
          resolve([]); // no such file
        else reject(error);
      } else resolve(list);
    }),
  );
}

async function names(sftp: SFTPWrapper, directory: string): Promise<string[]> {
  return (await entries(sftp, directory)).map((entry) => entry.filename);
}

async function removeTree(sftp: SFTPWrapper, directory: string): Promise<void> {
  const list = await entries(sftp, directory);
  for (const entry of list) {
    const full = `${directory}/${entry.filename}`;
    if (entry.longname.startsWith('d')) await removeTree(sftp, full);
    else await call((done) => sftp.unlink(full, done));
  }
  await call((done) => sftp.rmdir(directory, done)).catch(() => {});
}

/**
 * A new Ed25519 client key pair in OpenSSH formats (`private`, and `public` for authorized_keys).
 * ssh2's generator drops a public key's leading zero bytes, so about one pair in 256 comes out malformed
 * (its own parser refuses it, and so would OpenSSH): such a pair is thrown away and another one made.
 */
export function generateSshClientKey(comment: string): { privateKey: string; publicKey: string } {
  for (let attempt = 0; attempt < 16; attempt++) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment });
    if (
      !(ssh2.utils.parseKey(pair.private) instanceof Error) &&
      !(ssh2.utils.parseKey(pair.public) instanceof Error)
    )
      return { privateKey: pair.private, publicKey: pair.public };
  }
  throw new RoostError('internal', 'could not make a well-formed SSH key pair');
}

/** The public key line (`ssh-ed25519 AAAA…`) of an OpenSSH private key. */
export function sshPublicKeyOf(privateKey: string): string {
  const parsed = ssh2.utils.parseKey(privateKey);
  if (parsed instanceof Error) throw new RoostError('internal', `unreadable SSH key: ${parsed.message}`);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  return `${key.type} ${key.getPublicSSH().toString('base64')} ${key.comment}`.trim();
}
