import type { Command } from 'commander';
import { ensureBootstrapToken, localActor } from '../../auth/index.ts';
import { describeError, RoostError } from '../../core/errors.ts';
import { createInstance } from '../../instances/index.ts';
import { apiDepsOf, openRoost, type Roost, type ServeRole, serveRoles, serveRoostRoles } from '../../main.ts';
import { commandContext, type GlobalOptions } from '../context.ts';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run Roost: admin UI and API (private), public status pages and job workers')
    .option('--demo', 'also provision a demo instance named "demo" on the local runtime, unless one exists')
    .option(
      '--role <role>',
      'what this process runs: web (admin and status listeners), worker (job workers), probe (monitoring checks, alerts, notifications); repeatable or a comma list; default all',
      (value: string, previous: string[]) => [...previous, ...value.split(',').map((role) => role.trim())],
      [],
    )
    .action(async (options: { demo?: boolean; role: string[] }, command: Command) => {
      const roles = rolesOf(options.role);
      const { config, logger, output } = commandContext(command.optsWithGlobals<GlobalOptions>(), 'stdout');
      const roost = await openRoost(config, logger, { migrate: true });
      let running: Awaited<ReturnType<typeof serveRoostRoles>>;
      try {
        running = await serveRoostRoles(roost, roles);
      } catch (error) {
        await roost.close();
        throw error;
      }
      const where =
        roost.store.dialect === 'sqlite'
          ? `SQLite at ${roost.store.location}`
          : `PostgreSQL at ${roost.store.location}`;
      const { admin, status } = running;
      const bootstrap = admin ? await ensureBootstrapToken(roost) : undefined;
      const firstAdmin =
        admin && bootstrap
          ? [
              `  first admin        open ${admin.url}/setup and enter this one-time token (valid until ${bootstrap.expiresAt.toISOString()}):`,
              `                     ${bootstrap.token}`,
              '                     or run `npx roost user add --role admin --email <you@example.com>` on this machine.',
            ]
          : [];
      output.info(
        [
          `Roost is running (state in ${where}; roles ${roles.join(', ')}).`,
          ...(admin && status
            ? [
                `  admin UI and API   ${admin.url}   (private: keep it on loopback or a VPN)`,
                `  status pages       ${status.url}/s/<instance>`,
                `  health             ${admin.url}/healthz  ${admin.url}/readyz  ${admin.url}/metrics`,
              ]
            : ['  no HTTP listener in this process (role web not given)']),
          ...firstAdmin,
          ...(options.demo ? [await demoInstance(roost)] : []),
          'Stop with Ctrl+C.',
        ].join('\n'),
      );
      await new Promise<void>((resolve) => {
        let stopping = false;
        const stop = (signal: NodeJS.Signals) => {
          if (stopping) process.exit(130); // a second signal: stop now
          stopping = true;
          logger.info({ signal }, 'roost stopping');
          running.stop().then(resolve, (error: unknown) => {
            logger.error({ err: error }, 'roost did not stop cleanly');
            resolve();
          });
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      logger.info('roost stopped');
    });
}

function rolesOf(given: string[]): ServeRole[] {
  if (given.length === 0) return [...serveRoles];
  for (const role of given) {
    if (!(serveRoles as readonly string[]).includes(role))
      throw new RoostError(
        'invalid_input',
        `--role: ${JSON.stringify(role)} is not one of ${serveRoles.join(', ')}`,
        {
          field: 'role',
        },
      );
  }
  return serveRoles.filter((role) => given.includes(role));
}

/** The demo instance: a real stack (sample API, PostgreSQL, Redis) on the local runtime, made once. */
async function demoInstance(roost: Roost): Promise<string> {
  const exists = await roost.store.db
    .selectFrom('instances')
    .select('state')
    .where('slug', '=', 'demo')
    .executeTakeFirst();
  if (exists) return `  demo instance      "demo" is ${exists.state} (roost instance show demo)`;
  try {
    await createInstance(apiDepsOf(roost), localActor(roost.clock), {
      slug: 'demo',
      customer: 'Demo customer',
      environment: 'staging',
      runtime: 'local',
    });
    return '  demo instance      "demo" is being provisioned on the local runtime (roost instance show demo)';
  } catch (error) {
    return `  demo instance      not created: ${describeError(error)}`;
  }
}
