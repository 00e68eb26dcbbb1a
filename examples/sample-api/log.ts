// One JSON object per line on stdout, so Roost's log ingest can parse every line without a grammar.
// Callers pass only non-secret fields; nothing here tries to redact.

export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

export function createLogger(write: (line: string) => void = (line) => process.stdout.write(line)): Logger {
  const emit = (level: string, event: string, fields: LogFields = {}) => {
    write(`${JSON.stringify({ event, level, ...fields, ts: new Date().toISOString() })}\n`);
  };
  return {
    info: (event, fields) => emit('info', event, fields),
    warn: (event, fields) => emit('warn', event, fields),
    error: (event, fields) => emit('error', event, fields),
  };
}

/** The message of an error, on one line, for logs and status checks. */
export function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message || error.name : String(error);
  return message.replace(/\s+/g, ' ').slice(0, 300);
}
