// An instance operation whose worker dies at every attempt (so no attempt records its failure): once its
// job is dead, the converge queue's dead handler fails it as a last failed attempt does (the operation and
// the instance `failed`, with the reason), and the instance takes its next operation instead of refusing
// every one as "in progress".
//
// No stack is ever started: the dying attempts never get that far, and the decommission that follows has
// nothing to stop on the local runtime.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Actor, localActor } from '../src/auth/index.ts';
import {
  createInstance,
  decommissionInstance,
  getInstance,
  type InstanceDeps,
  registerInstanceJobs,
} from '../src/instances/index.ts';
import { createJobs, type Jobs } from '../src/jobs/index.ts';
import { apiDepsOf } from '../src/main.ts';
import { operationSettled, uniqueSlug } from './fixtures/instances.ts';
import { dieAtEveryAttempt, usedUpAttempts } from './fixtures/jobs.ts';
import { startTestRoost, type TestRoost } from './fixtures/roost.ts';

const slug = uniqueSlug('dji');

describe('an instance operation whose job dies', () => {
  let test: TestRoost;
  let local: Actor;
  let deps: InstanceDeps;
  /** The process that works the converge queue; it only ticks until the instance is free again. */
  let keeper: Jobs;

  before(async () => {
    test = await startTestRoost();
    local = localActor(test.clock);
    keeper = createJobs(
      { store: test.roost.store, clock: test.clock, logger: test.roost.logger },
      { timeZone: 'UTC', leaseSeconds: 60, tickIntervalMs: 3_600_000 },
    );
    deps = { ...apiDepsOf(test.roost), jobs: keeper, lifecycle: test.roost.lifecycle };
    registerInstanceJobs(deps);
  });

  after(async () => {
    if (test) {
      await keeper?.stop();
      await test.roost.runtime.remove(slug).catch(() => {});
      await test.close();
    }
  });

  it('fails as a last failed attempt fails it, and the instance takes its next operation', async () => {
    const { operation } = await createInstance(deps, local, {
      slug,
      customer: 'Acme',
      environment: 'staging',
    });
    const job = await dieAtEveryAttempt({
      store: test.roost.store,
      clock: test.clock,
      keeper,
      jobId: operation.jobId as string,
      // As the converge job marks it, before its worker died.
      attempt: async () => {
        await test.roost.store.db
          .updateTable('instance_operations')
          .set({ state: 'running', started_at: test.clock.now().getTime(), progress: 'db: starting' })
          .where('id', '=', operation.id)
          .execute();
      },
    });
    assert.equal(job.state, 'dead');

    const details = await getInstance(deps, local, { slug });
    const failed = details.operations.find((candidate) => candidate.id === operation.id);
    assert.equal(failed?.state, 'failed');
    assert.match(failed?.error ?? '', new RegExp(`^${usedUpAttempts('instance operation', 3)}$`));
    assert.equal(failed?.progress, 'failed');
    assert.ok(failed?.finishedAt);
    assert.equal(details.instance.state, 'failed', 'as a converge that failed its last attempt leaves it');
    assert.equal(details.instance.lastError, failed?.error);
    assert.equal((await keeper.tick()).dead, 0, 'handed once');

    // Free: the next operation is accepted (not "in progress") and runs to the end.
    const { operation: removal } = await decommissionInstance(deps, local, { slug });
    keeper.start();
    try {
      const removed = await operationSettled(deps, local, slug, removal.id);
      assert.equal(removed.instance.state, 'decommissioned');
    } finally {
      await keeper.stop();
    }
  });
});
