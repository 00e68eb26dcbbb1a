export { environmentKeys, type LoadedConfig, type LoadOptions, loadConfig } from './load.ts';
export { redactConfig, redactUrl } from './redact.ts';
export { type Config, type ConfigInput, configSchema, type ListenAddress } from './schema.ts';
