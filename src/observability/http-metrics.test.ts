import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Registry } from 'prom-client';
import { createHttpMetrics } from './http-metrics.ts';

it('exports per-route tallies as a Prometheus counter and histogram, counting each request once', async () => {
  const registry = new Registry();
  const http = createHttpMetrics(registry);
  const me = http.route('admin', 'GET', '/api/v1/me');
  assert.equal(http.route('admin', 'GET', '/api/v1/me'), me, 'one recorder per label set');
  me.record(200, 0.0004);
  me.record(200, 0.003);
  me.record(401, 2);
  http.route('status', 'GET', '/healthz').record(200, 7);

  const first = await registry.metrics();
  const meLabels = 'server="admin",method="GET",route="/api/v1/me"';
  assert.match(first, new RegExp(`roost_http_requests_total\\{${meLabels},status="200"\\} 2\\n`));
  assert.match(first, new RegExp(`roost_http_requests_total\\{${meLabels},status="401"\\} 1\\n`));
  assert.match(first, /# TYPE roost_http_request_duration_seconds histogram/);
  const bucket = (le: string) =>
    Number(
      new RegExp(`roost_http_request_duration_seconds_bucket\\{${meLabels},le="${le}"\\} (\\S+)`).exec(
        first,
      )?.[1],
    );
  assert.deepEqual(
    ['0.001', '0.005', '0.01', '1', '5', '\\+Inf'].map(bucket),
    [1, 2, 2, 2, 3, 3],
    'buckets are cumulative',
  );
  assert.match(first, new RegExp(`roost_http_request_duration_seconds_sum\\{${meLabels}\\} 2.0034\\n`));
  assert.match(first, new RegExp(`roost_http_request_duration_seconds_count\\{${meLabels}\\} 3\\n`));
  assert.match(
    first,
    /roost_http_request_duration_seconds_bucket\{server="status",method="GET",route="\/healthz",le="5"\} 0\n/,
    'slower than every bound: only in +Inf',
  );

  me.record(200, 0.002);
  const second = await registry.metrics();
  assert.match(
    second,
    new RegExp(`roost_http_requests_total\\{${meLabels},status="200"\\} 3\\n`),
    'not added twice',
  );
  assert.match(second, new RegExp(`roost_http_request_duration_seconds_count\\{${meLabels}\\} 4\\n`));
});
