import { type Config, type LoadedConfig, loadConfig } from '../config/index.ts';
import { createLogger, type Logger } from '../observability/index.ts';
import { createOutput, type Output } from './output.ts';

/** Global flags every command accepts. */
export interface GlobalOptions {
  config?: string;
  dataDir?: string;
  databaseUrl?: string;
  adminListen?: string;
  statusListen?: string;
  timeZone?: string;
  logLevel?: string;
  url?: string;
  token?: string;
  json?: boolean;
  debug?: boolean;
}

export interface CommandContext {
  loaded: LoadedConfig;
  config: Config;
  logger: Logger;
  output: Output;
}

const flagKeys: [keyof GlobalOptions, string, string][] = [
  ['dataDir', 'dataDir', '--data-dir'],
  ['databaseUrl', 'databaseUrl', '--database-url'],
  ['adminListen', 'admin.listen', '--admin-listen'],
  ['statusListen', 'status.listen', '--status-listen'],
  ['timeZone', 'timeZone', '--time-zone'],
  ['logLevel', 'logLevel', '--log-level'],
  ['url', 'client.url', '--url'],
  ['token', 'client.token', '--token'],
];

/**
 * Builds the configuration (defaults < file < environment < flags) and the command's logger. Commands
 * other than `serve` log to standard error so their standard output stays a clean result.
 */
export function commandContext(
  options: GlobalOptions,
  logTo: 'stdout' | 'stderr' = 'stderr',
): CommandContext {
  const flags: Record<string, { value: string; flag: string }> = {};
  for (const [option, key, flag] of flagKeys) {
    const value = options[option];
    if (typeof value === 'string') flags[key] = { value, flag };
  }
  const loaded = loadConfig({ configFile: options.config, env: process.env, flags });
  const level = options.debug
    ? 'debug'
    : logTo === 'stderr' && !options.logLevel
      ? 'warn'
      : loaded.config.logLevel;
  const logger = createLogger({ level, destination: logTo === 'stdout' ? process.stdout : process.stderr });
  return { loaded, config: loaded.config, logger, output: createOutput(options.json === true) };
}
