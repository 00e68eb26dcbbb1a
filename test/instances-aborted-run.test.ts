// An instance operation whose run is told to stop (its job's lease went to another worker, or the worker is
// stopping) starts no further step and records nothing, even on its last attempt: the operation stays
// running for the job's next run, and the instance is neither finished nor failed by the stale run.
//
// No stack is started: the runtime's converge is replaced by one that loses the lease while it works.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Actor, localActor } from '../src/auth/index.ts';
import { createInstance, type InstanceDeps, runOperation } from '../src/instances/index.ts';
import { createJobs, type Jobs } from '../src/jobs/index.ts';
import { apiDepsOf } from '../src/main.ts';
import { uniqueSlug } from './fixtures/instances.ts';
import { startTestRoost, type TestRoost } from './fixtures/roost.ts';

describe('an instance operation whose run is told to stop', () => {
  let test: TestRoost;
  let local: Actor;
  let deps: InstanceDeps;
  /** Queues the operation's job; it never works it (the test runs the handler itself). */
  let jobs: Jobs;

  before(async () => {
    test = await startTestRoost();
    local = localActor(test.clock);
    jobs = createJobs(
      { store: test.roost.store, clock: test.clock, logger: test.roost.logger },
      { timeZone: 'UTC', leaseSeconds: 60, tickIntervalMs: 3_600_000 },
    );
    deps = { ...apiDepsOf(test.roost), jobs, lifecycle: test.roost.lifecycle };
  });

  after(async () => {
    await jobs?.stop();
    await test?.close();
  });

  it('stops before its next step and leaves the operation running, even on its last attempt', async () => {
    const slug = uniqueSlug('abr');
    const { operation } = await createInstance(deps, local, {
      slug,
      customer: 'Acme',
      environment: 'staging',
    });
    const queued = await jobs.get(operation.jobId as string);
    assert.ok(queued);
    const controller = new AbortController();
    let converged = 0;
    let provisioned = 0;
    const runDeps: InstanceDeps = {
      ...deps,
      runtime: {
        ...deps.runtime,
        converge: async () => {
          converged++;
          controller.abort(new Error('lease lost to another worker'));
          return { changes: ['api: created'] };
        },
      },
      lifecycle: [{ name: 'counting listener', provisioned: async () => void provisioned++ }],
    };

    await assert.rejects(
      runOperation(runDeps, { ...queued, attempts: queued.maxAttempts }, controller.signal),
      /lease lost to another worker/,
    );
    assert.equal(converged, 1);
    assert.equal(provisioned, 0, 'no step after the signal aborted');
    const row = await test.roost.store.db
      .selectFrom('instance_operations')
      .select(['state', 'error', 'finished_at'])
      .where('id', '=', operation.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      { state: row.state, error: row.error, finished: row.finished_at },
      { state: 'running', error: null, finished: null },
      'neither finished nor failed: the next run takes it over',
    );
    const instance = await test.roost.store.db
      .selectFrom('instances')
      .select(['state', 'last_error'])
      .where('slug', '=', slug)
      .executeTakeFirstOrThrow();
    assert.notEqual(instance.state, 'failed');
    assert.notEqual(instance.state, 'running');
    assert.equal(instance.last_error, null);
  });
});
