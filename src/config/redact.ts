import type { Config } from './schema.ts';

/** The effective configuration with secrets replaced, safe to print or log. */
export function redactConfig(config: Config): Record<string, unknown> {
  return {
    ...config,
    databaseUrl: config.databaseUrl === undefined ? undefined : redactUrl(config.databaseUrl),
    masterKey: config.masterKey === undefined ? undefined : '[redacted]',
    previousMasterKeys: config.previousMasterKeys.map(() => '[redacted]'),
    masterPassphrase: config.masterPassphrase === undefined ? undefined : '[redacted]',
    client: { ...config.client, token: config.client.token === undefined ? undefined : '[redacted]' },
  };
}

/** Hides the password of a connection URL. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]+):[^@]*@/i, '$1:[redacted]@');
}
