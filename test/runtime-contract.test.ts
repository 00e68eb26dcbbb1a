import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLocalRuntime } from '../src/runtime/index.ts';
import { runtimeContract } from './fixtures/runtime-contract.ts';

const postgresBin = '/usr/lib/postgresql/15/bin';
const redisServer = '/usr/bin/redis-server';

runtimeContract('local', async () => {
  for (const binary of [path.join(postgresBin, 'initdb'), path.join(postgresBin, 'postgres'), redisServer]) {
    if (!existsSync(binary)) return { unavailable: `${binary} is missing (run scripts/setup-system)` };
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), 'roost-runtime-'));
  chmodSync(dataDir, 0o711); // the postgres and redis users traverse it to reach their own directories
  const instanceDirectory = (instance: string) => path.join(dataDir, 'runtime', instance);
  const open = () => createLocalRuntime({ dataDir, healthDeadlineMs: 30_000 });
  return {
    runtime: open(),
    reopen: open,
    release: { api: 'contract-1', db: 'postgres-15', cache: 'redis-7' },
    secretFiles: async (_instance, status) =>
      readdirSync(status.secrets.location).map((name) => {
        const file = path.join(status.secrets.location, name);
        return {
          path: file,
          content: readFileSync(file, 'utf8'),
          mode: statSync(file).mode & 0o777,
          onTmpfs: status.secrets.medium === 'tmpfs',
        };
      }),
    // Everything the runtime wrote under Roost's data directory (the contract skips the secret files).
    dataDirectories: () => [dataDir],
    leftovers: (instance, before) => {
      const found: string[] = [];
      if (existsSync(instanceDirectory(instance))) found.push(`directory ${instanceDirectory(instance)}`);
      if (existsSync(before.secrets.location)) found.push(`secrets ${before.secrets.location}`);
      for (const service of before.services) {
        for (const replica of service.replicas) {
          if (existsSync(`/proc/${replica.id}`)) found.push(`${service.name} process ${replica.id}`);
        }
      }
      for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
        try {
          const cwd = readlinkSync(`/proc/${pid}/cwd`);
          if (cwd.startsWith(instanceDirectory(instance))) found.push(`process ${pid} in the directory`);
        } catch {
          // not ours
        }
      }
      return found;
    },
    cleanup: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
});
