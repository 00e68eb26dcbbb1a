/**
 * One extra status process (see processes.ts): serves the public status listener from its own page cache
 * until its parent goes away or sends SIGTERM.
 */
import { openRoost, statusServerOf } from '../../main.ts';
import { createLogger } from '../../observability/index.ts';
import { listen } from '../server.ts';
import type { StatusProcessStart } from './processes.ts';

process.once('message', async ({ config, address }: StatusProcessStart) => {
  const logger = createLogger({ level: config.logLevel, destination: process.stdout });
  const roost = await openRoost(config, logger, { migrate: false });
  const server = statusServerOf(roost);
  const running = await listen(server.app, address, { fastPath: server.fastPath, reusePort: true });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await running.close();
    await server.close();
    await roost.close();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('disconnect', stop);
  process.send?.({ listening: true });
});
