import { Counter, type Metric, type Registry } from 'prom-client';

/** One server, method and route pattern: what every request answered there adds to the metrics. */
export interface HttpRouteRecorder {
  record(status: number, seconds: number): void;
}

export interface HttpMetrics {
  /** The recorder of one label set; the same object every time for the same three labels. */
  route(server: string, method: string, route: string): HttpRouteRecorder;
}

const durationName = 'roost_http_request_duration_seconds';
const durationBuckets = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5];

interface RouteTally extends HttpRouteRecorder {
  labels: { server: string; method: string; route: string };
  /** Requests per bucket (not cumulative); the last slot holds those slower than every bound. */
  buckets: number[];
  sum: number;
  count: number;
  /** Requests per status not yet added to the Prometheus counter. */
  pending: Map<number, number>;
}

/**
 * `roost_http_requests_total` and `roost_http_request_duration_seconds`. A request adds to plain numbers of
 * its route's tally (no label validation or hashing per request, which cost more than the rest of the
 * metrics middleware); the scrape turns them into series: counts are added to a prom-client counter, and
 * the histogram is written from the tallies in prom-client's own export shape.
 */
export function createHttpMetrics(registry: Registry): HttpMetrics {
  const tallies = new Map<string, RouteTally>();
  new Counter({
    name: 'roost_http_requests_total',
    help: 'HTTP requests answered',
    labelNames: ['server', 'method', 'route', 'status'],
    registers: [registry],
    collect() {
      for (const tally of tallies.values()) {
        for (const [status, count] of tally.pending)
          this.inc({ ...tally.labels, status: String(status) }, count);
        tally.pending.clear();
      }
    },
  });
  registry.registerMetric(durationHistogram(tallies) as unknown as Metric);
  return {
    route(server, method, route) {
      const key = JSON.stringify([server, method, route]);
      let tally = tallies.get(key);
      if (!tally) {
        tally = newTally({ server, method, route });
        tallies.set(key, tally);
      }
      return tally;
    },
  };
}

function newTally(labels: RouteTally['labels']): RouteTally {
  const tally: RouteTally = {
    labels,
    buckets: durationBuckets.map(() => 0).concat(0),
    sum: 0,
    count: 0,
    pending: new Map(),
    record(status, seconds) {
      let bucket = 0;
      while (bucket < durationBuckets.length && seconds > (durationBuckets[bucket] as number)) bucket++;
      tally.buckets[bucket] = (tally.buckets[bucket] as number) + 1;
      tally.sum += seconds;
      tally.count++;
      tally.pending.set(status, (tally.pending.get(status) ?? 0) + 1);
    },
  };
  return tally;
}

/**
 * The histogram as the registry reads a metric (name, help, type, aggregator, `get()`), with the same
 * series a prom-client Histogram exports: cumulative `_bucket` per bound and `+Inf`, `_sum`, `_count`.
 */
function durationHistogram(tallies: Map<string, RouteTally>) {
  return {
    name: durationName,
    help: 'HTTP request duration',
    type: 'histogram',
    aggregator: 'sum',
    async get() {
      const values: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
      for (const tally of tallies.values()) {
        let cumulative = 0;
        durationBuckets.forEach((bound, index) => {
          cumulative += tally.buckets[index] as number;
          values.push({
            labels: { ...tally.labels, le: bound },
            value: cumulative,
            metricName: `${durationName}_bucket`,
          });
        });
        values.push(
          {
            labels: { ...tally.labels, le: '+Inf' },
            value: tally.count,
            metricName: `${durationName}_bucket`,
          },
          { labels: tally.labels, value: tally.sum, metricName: `${durationName}_sum` },
          { labels: tally.labels, value: tally.count, metricName: `${durationName}_count` },
        );
      }
      return {
        name: durationName,
        help: 'HTTP request duration',
        type: 'histogram',
        values,
        aggregator: 'sum',
      };
    },
    reset() {
      for (const tally of tallies.values()) {
        tally.buckets.fill(0);
        tally.sum = 0;
        tally.count = 0;
      }
    },
  };
}
