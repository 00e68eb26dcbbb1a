export { createLocalRuntime, type LocalRuntimeOptions, localRuntimeNote } from './local-runtime.ts';
