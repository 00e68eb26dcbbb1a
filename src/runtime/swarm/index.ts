export { createSwarmRuntime, type SwarmRuntimeOptions } from './swarm-runtime.ts';
