// The runtime contract on the swarm driver, against the machine's Docker engine in swarm mode.
import { existsSync } from 'node:fs';
import { createSwarmRuntime, type ServiceName, serviceNames } from '../src/runtime/index.ts';
import { runtimeContract, type SecretFile } from './fixtures/runtime-contract.ts';
import { containersOf, dockerSocket, objectsLabelled, swarmNode } from './fixtures/swarm.ts';

runtimeContract('swarm', async () => {
  const node = await swarmNode();
  if ('unavailable' in node) return node;
  const { docker } = node;
  const open = () => createSwarmRuntime({ socketPath: dockerSocket, healthDeadlineMs: 90_000 });
  const runtime = open();
  return {
    runtime,
    reopen: open,
    release: node.release,
    secretFiles: async (instance) => {
      const files: SecretFile[] = [];
      for (const service of serviceNames as readonly ServiceName[]) {
        // Each file: path, octal mode, content in base64; then the mounts under /run/secrets.
        const listing = await runtime.exec(instance, service, [
          'sh',
          '-c',
          'for f in /run/secrets/*; do echo "file $f $(stat -c %a "$f") $(base64 -w0 "$f")"; done; grep " /run/secrets/" /proc/mounts',
        ]);
        const lines = listing.stdout.split('\n');
        for (const line of lines.filter((entry) => entry.startsWith('file '))) {
          const [, file = '', mode = '0', content = ''] = line.split(' ');
          files.push({
            path: `${service}:${file}`,
            content: Buffer.from(content, 'base64').toString('utf8'),
            mode: Number.parseInt(mode, 8),
            onTmpfs: lines.some((mount) => mount.split(' ')[1] === file && mount.split(' ')[2] === 'tmpfs'),
          });
        }
      }
      return files;
    },
    // What the engine keeps on this node for the instance: container configs (environment included) and
    // logs, and the database volume.
    dataDirectories: async (instance) => {
      const containers = (await containersOf(docker, instance)).map(
        (container) => `/var/lib/docker/containers/${container.Id}`,
      );
      const volume = (await docker.getVolume(`${instance}-db-data`).inspect()) as { Mountpoint: string };
      return [...containers, volume.Mountpoint].filter((directory) => existsSync(directory));
    },
    leftovers: (instance) => objectsLabelled(docker, instance),
    cleanup: async () => {},
  };
});
