import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { createHttpMetrics, type HttpMetrics } from './http-metrics.ts';

export interface Metrics {
  registry: Registry;
  /** Requests answered and their durations, by server, method, route pattern (and status). */
  http: HttpMetrics;
  jobRuns: Counter<'queue' | 'outcome'>;
  jobDuration: Histogram<'queue'>;
  /** Called on every scrape; returns the number of jobs per queue and state. */
  setQueueDepthSource(source: () => Promise<{ queue: string; state: string; count: number }[]>): void;
}

/** One registry per process, passed down; no global default registry. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'roost_' });
  let depthSource: () => Promise<{ queue: string; state: string; count: number }[]> = async () => [];
  new Gauge({
    name: 'roost_job_queue_depth',
    help: 'Jobs per queue and state',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await depthSource()) this.set({ queue: row.queue, state: row.state }, row.count);
    },
  });
  return {
    registry,
    http: createHttpMetrics(registry),
    jobRuns: new Counter({
      name: 'roost_job_runs_total',
      help: 'Job runs by outcome (succeeded, retried, dead)',
      labelNames: ['queue', 'outcome'],
      registers: [registry],
    }),
    jobDuration: new Histogram({
      name: 'roost_job_duration_seconds',
      help: 'Job run duration',
      labelNames: ['queue'],
      buckets: [0.01, 0.1, 0.5, 1, 5, 30, 120, 600, 3600],
      registers: [registry],
    }),
    setQueueDepthSource(source) {
      depthSource = source;
    },
  };
}
