export type { HttpMetrics, HttpRouteRecorder } from './http-metrics.ts';
export { createLogger, type Logger, type LoggerOptions, redactPaths } from './logger.ts';
export { createMetrics, type Metrics } from './metrics.ts';
export { checkReadiness, type Readiness } from './readiness.ts';
