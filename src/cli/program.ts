import { Command, Option } from 'commander';
import { registerAudit } from './commands/audit.ts';
import { registerBackups } from './commands/backups.ts';
import { registerBans } from './commands/bans.ts';
import { registerConfig } from './commands/config.ts';
import { registerContacts } from './commands/contacts.ts';
import { registerDoctor } from './commands/doctor.ts';
import { registerIncidents } from './commands/incidents.ts';
import { registerInstances } from './commands/instances.ts';
import { registerJobs } from './commands/jobs.ts';
import { registerMigrate } from './commands/migrate.ts';
import { registerMigrations } from './commands/migrations.ts';
import { registerMonitoring } from './commands/monitoring.ts';
import { registerNodes } from './commands/nodes.ts';
import { registerServe } from './commands/serve.ts';
import { registerStatus } from './commands/status.ts';
import { registerTokens } from './commands/tokens.ts';
import { registerUsers } from './commands/users.ts';
import { registerVault } from './commands/vault.ts';

export function createProgram(version: string): Command {
  const program = new Command('roost')
    .description('Roost: operations platform for teams that run one private stack per customer')
    .version(version, '-V, --version')
    .option('--config <file>', 'configuration file (default: ./roost.config.json when present)')
    .option('--data-dir <dir>', 'data directory (ROOST_DATA_DIR, default ./.roost)')
    .option(
      '--database-url <url>',
      'postgres://… or sqlite:<file> (ROOST_DATABASE_URL; default SQLite in the data directory)',
    )
    .option(
      '--admin-listen <host:port>',
      'admin UI and API address (ROOST_ADMIN_LISTEN, default 127.0.0.1:7070)',
    )
    .option('--status-listen <host:port>', 'public status pages address (ROOST_STATUS_LISTEN, default :7080)')
    .option(
      '--time-zone <zone>',
      'time zone for schedules and business hours (ROOST_TIME_ZONE, default Europe/Paris)',
    )
    .addOption(
      new Option('--log-level <level>', 'log level (ROOST_LOG_LEVEL)').choices([
        'fatal',
        'error',
        'warn',
        'info',
        'debug',
        'trace',
        'silent',
      ]),
    )
    .option('--url <server>', 'run the command against a remote Roost server (ROOST_URL) through its API')
    .option(
      '--token <token|@file>',
      'API token for --url (ROOST_TOKEN); @file reads it from a file, out of the process list',
    )
    .option('--json', 'machine-readable output')
    .option('--debug', 'debug logs, and stack traces on errors')
    .showHelpAfterError('(run roost --help for usage)')
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 1 failure, 2 usage or configuration error, 3 not found, 4 conflict.\nSecrets (ROOST_MASTER_KEY, ROOST_MASTER_PASSPHRASE) are read from the environment only, never from flags.',
    );
  registerServe(program);
  registerMigrate(program);
  registerDoctor(program);
  registerConfig(program);
  registerVault(program);
  registerJobs(program);
  registerUsers(program);
  registerTokens(program);
  registerBans(program);
  registerAudit(program);
  registerInstances(program);
  registerContacts(program);
  registerIncidents(program);
  registerStatus(program);
  registerMonitoring(program);
  registerNodes(program);
  registerBackups(program);
  registerMigrations(program);
  return program;
}
