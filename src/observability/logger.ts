import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger } from 'pino';

/**
 * Field names whose values never reach a log line, wherever they sit in the logged object (two levels
 * deep). Secret values must not be logged at all; this is the net under that rule.
 */
const secretFields = [
  'password',
  'passphrase',
  'secret',
  'token',
  'apiToken',
  'masterKey',
  'previousMasterKeys',
  'masterPassphrase',
  'privateKey',
  'authorization',
  'cookie',
];

export const redactPaths = secretFields.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]);

export interface LoggerOptions {
  level: string;
  /** Where lines go; standard output by default (serve), standard error for CLI commands. */
  destination?: DestinationStream | NodeJS.WritableStream;
}

/** The one logger factory: JSON lines with secret fields redacted. */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'roost', pid: process.pid },
      redact: { paths: redactPaths, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    (options.destination ?? process.stdout) as DestinationStream,
  );
}
