import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'server' | 'method' | 'route' | 'status'>;
  httpDuration: Histogram<'server' | 'method' | 'route'>;
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
    httpRequests: new Counter({
      name: 'roost_http_requests_total',
      help: 'HTTP requests answered',
      labelNames: ['server', 'method', 'route', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'roost_http_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames: ['server', 'method', 'route'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers: [registry],
    }),
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
