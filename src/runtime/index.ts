export {
  type DatabaseEngine,
  databaseEngines,
  type EngineName,
  engineNames,
  mongodbEngine,
  postgresEngine,
} from './engines.ts';
export { createLocalRuntime, type LocalRuntimeOptions, localRuntimeNote } from './local/index.ts';
export { slugPattern, validateStackSpec } from './spec.ts';
export { createSwarmRuntime, type SwarmRuntimeOptions } from './swarm/index.ts';
export * from './types.ts';
