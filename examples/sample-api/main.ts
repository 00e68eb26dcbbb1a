// The sample tenant application: `node examples/sample-api/main.ts`. See README.md beside this file.
import { setTimeout as sleep } from 'node:timers/promises';
import { serve } from '@hono/node-server';
import { createApp } from './app.ts';
import { connectCache } from './cache.ts';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { connectDatabase } from './database.ts';
import { createLogger, describeError } from './log.ts';
import { hashPassword } from './passwords.ts';
import { checkStatus } from './status.ts';

const stopDeadlineMs = 10_000;
const logger = createLogger();

let config: Config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`sample-api: ${error.message}\n`);
  process.exit(2);
}

const database = connectDatabase(config.database, (error) =>
  logger.warn('database_connection_lost', { error: describeError(error) }),
);
const cache = connectCache(config.redis, {
  unavailable: (error) => logger.warn('cache_unavailable', { error: describeError(error) }),
  ready: () => logger.info('cache_ready'),
});

// Listen at once and prepare the database behind it, so /status can say "down, and why" while the
// database is still starting instead of refusing connections.
let databaseProblem: string | undefined = 'the schema is not created yet';
const app = createApp({
  config,
  database,
  cache,
  logger,
  status: () =>
    checkStatus(
      {
        database: async () => {
          if (databaseProblem !== undefined) throw new Error(databaseProblem);
          await database.ping();
        },
        cache: () => cache.ping(),
      },
      config.version,
      config.checkTimeoutMs,
    ),
});

const server = serve({ fetch: app.fetch, port: config.port, hostname: config.bind }, (address) => {
  logger.info('started', {
    version: config.version,
    port: address.port,
    bind: config.bind,
    pid: process.pid,
  });
});
server.on('error', (error) => {
  logger.error('listen_failed', { port: config.port, bind: config.bind, error: describeError(error) });
  process.exit(1);
});

const stopping = new AbortController();
const stop = async (signal: string) => {
  if (stopping.signal.aborted) return;
  stopping.abort();
  logger.info('stopping', { signal });
  const forced = setTimeout(() => {
    logger.error('stop_forced', { after_ms: stopDeadlineMs });
    process.exit(1);
  }, stopDeadlineMs);
  forced.unref();
  // Finishes the requests in flight; idle keep-alive connections are closed by close() itself.
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await cache.close();
  await database.close();
  clearTimeout(forced);
  logger.info('stopped', { signal });
};
process.once('SIGTERM', () => void stop('SIGTERM'));
process.once('SIGINT', () => void stop('SIGINT'));

await prepareDatabase();

/** Creates the schema and the seed user, retrying until the database answers or the process stops. */
async function prepareDatabase(): Promise<void> {
  for (let attempt = 1; !stopping.signal.aborted; attempt++) {
    try {
      await database.createSchema();
      if (config.seed) {
        await database.upsertUser(config.seed.username, await hashPassword(config.seed.password));
        logger.info('user_seeded', { username: config.seed.username });
      }
      databaseProblem = undefined;
      logger.info('database_ready', { attempts: attempt });
      return;
    } catch (error) {
      const problem = describeError(error);
      if (problem !== databaseProblem) logger.warn('database_unavailable', { attempt, error: problem });
      databaseProblem = problem;
      await sleep(Math.min(250 * attempt, 5_000), undefined, { signal: stopping.signal }).catch(() => {});
    }
  }
}
