// Step-up in the instance page's migration form: moving a production instance needs an admin whose second
// factor is fresh; an admin whose code is older is asked for it inline, and the move is queued in the same
// submission once the code is confirmed. Every refusal shows the instance page again with the form and why,
// and queues nothing. No worker runs here: a queued migration only waits for one.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { localActor } from '../src/auth/index.ts';
import { createAdminAppFor } from '../src/main.ts';
import { listMigrations, migrationQueue } from '../src/migration/index.ts';
import { insertInstanceRow } from '../src/status/instance-row.ts';
import { uniqueSlug } from './fixtures/instances.ts';
import { enrolledLogin, enrolledSession, startTestRoost, type TestRoost, uiPage } from './fixtures/roost.ts';

describe('the migration form asks a stale admin for a second-factor code', () => {
  let test: TestRoost;
  let app: ReturnType<typeof createAdminAppFor>;
  let admin: Awaited<ReturnType<typeof enrolledLogin>>;
  let operator: string;
  let productionId: string;
  const production = uniqueSlug('mgs');
  const staging = uniqueSlug('mgs');

  before(async () => {
    test = await startTestRoost();
    app = createAdminAppFor(test.roost);
    admin = await enrolledLogin(test.roost, 'admin');
    operator = await enrolledSession(test.roost, 'operator');
    // Bare rows, running on the local runtime with nothing behind them: enough to queue a move.
    productionId = await insertInstanceRow(test.roost.store, test.clock, production);
    await insertInstanceRow(test.roost.store, test.clock, staging);
    await test.roost.store.db
      .updateTable('instances')
      .set({ environment: 'staging' })
      .where('slug', '=', staging)
      .execute();
  });
  after(async () => {
    await test?.close();
  });

  const request = (path: string, session: string, fields?: Record<string, string>) =>
    uiPage(app, path, session, fields);
  const instancePage = (slug: string, session = admin.sessionToken) => request(`/instances/${slug}`, session);
  const migrate = (slug: string, fields: Record<string, string>, session = admin.sessionToken) =>
    request(`/instances/${slug}/migrate`, session, fields);

  /** The code input of the step-up fieldset, when the page has one. */
  const codeInput = (text: string) => /<input id="field-secondFactorCode"[^>]*>/.exec(text)?.[0];
  const queued = async () => ({
    migrations: (await test.roost.store.db.selectFrom('instance_migrations').select('id').execute()).length,
    operations: (await test.roost.store.db.selectFrom('instance_operations').select('id').execute()).length,
    jobs: (await test.roost.jobs.list({ queue: migrationQueue })).length,
  });
  const nothing = { migrations: 0, operations: 0, jobs: 0 };

  it('asks for no code while the factor is fresh, nor ever on a non-production instance', async () => {
    const fresh = await instancePage(production);
    assert.equal(fresh.status, 200);
    assert.match(fresh.text, /id="migrate-heading">Move to another runtime</);
    assert.match(
      fresh.text,
      /is a production instance: moving it needs an admin who entered their second-factor/,
    );
    assert.equal(codeInput(fresh.text), undefined, 'the factor was proved at log-in, just now');

    test.clock.advance(6 * 60_000);
    const stale = await instancePage(staging);
    assert.equal(stale.status, 200);
    assert.match(stale.text, /Move to another runtime/);
    assert.equal(codeInput(stale.text), undefined, 'staging needs no fresh second factor');
    assert.doesNotMatch(stale.text, /is a production instance/);
  });

  it('shows the code field, labelled and described, on a production instance once the factor is stale', async () => {
    const page = await instancePage(production);
    assert.equal(page.status, 200);
    const input = codeInput(page.text);
    assert.ok(input, 'the form asks for the code up front');
    assert.match(page.text, /<label for="field-secondFactorCode">Code from your authenticator app<\/label>/);
    assert.match(page.text, /Moving a production instance needs a code entered in the last 5 minutes/);
    assert.match(input, /name="secondFactorCode"/);
    assert.match(input, /autocomplete="one-time-code"/);
    assert.match(input, /aria-describedby="field-secondFactorCode-hint"/);
    assert.doesNotMatch(input, /aria-invalid/);
    assert.match(page.text, /<label for="field-to">Target runtime<\/label>/);
    assert.match(page.text, /<select id="field-to" name="to" aria-describedby="field-to-hint">/);
  });

  it('refuses a stale factor without a code (403), asks for the code and queues nothing', async () => {
    const refused = await migrate(production, { to: 'swarm' });
    assert.equal(refused.status, 403);
    assert.match(
      refused.text,
      /Moving a production instance needs a second-factor code entered in the last 5 minutes\. Enter the code your app shows now/,
    );
    assert.match(refused.text, /Nothing was moved\./);
    assert.match(refused.text, /id="form-error"/);
    const input = codeInput(refused.text);
    assert.ok(input, 'the page is the instance page with the form and its code field');
    assert.match(input, /aria-invalid="true"/);
    assert.match(input, /aria-describedby="field-secondFactorCode-hint form-error"/);
    assert.match(refused.text, /<option value="swarm" selected>swarm<\/option>/, 'the target is kept');
    assert.deepEqual(await queued(), nothing);
    const denied = await test.roost.audit.list({ action: 'instance.migrate', target: productionId });
    assert.deepEqual(
      denied.map((event) => event.result),
      ['denied'],
    );
  });

  it('refuses an unknown target (400) on its field, and queues nothing', async () => {
    const refused = await migrate(production, { to: 'mars' });
    assert.equal(refused.status, 400);
    assert.match(
      refused.text,
      /<p class="field-error" id="field-to-error">Expected one of local, swarm, got/,
    );
    assert.match(
      refused.text,
      /<select id="field-to" name="to" aria-describedby="field-to-hint field-to-error" aria-invalid="true">/,
    );
    assert.doesNotMatch(refused.text, /id="form-error"/, 'the error is on the field');
    assert.ok(codeInput(refused.text), 'the code is still asked for');
    assert.deepEqual(await queued(), nothing);
  });

  it('refuses a wrong code (401) with the code field marked, and queues nothing', async () => {
    const current = await admin.code();
    const refused = await migrate(production, {
      to: 'swarm',
      secondFactorCode: current === '000000' ? '111111' : '000000',
    });
    assert.equal(refused.status, 401);
    assert.match(refused.text, /That code was not accepted: it is wrong, expired or already used\./);
    assert.match(refused.text, /Nothing was moved\./);
    const input = codeInput(refused.text);
    assert.ok(input);
    assert.match(input, /aria-invalid="true"/);
    assert.match(input, /autofocus/);
    assert.doesNotMatch(input, /value=/, 'the code is not sent back');
    assert.deepEqual(await queued(), nothing);
    const failed = await test.roost.audit.list({ action: 'second-factor.verify' });
    assert.equal(failed[0]?.result, 'failed', 'a wrong code counts as a failed log-in');
  });

  it('refuses an operator on production (403) without asking for a code, and queues nothing', async () => {
    const page = await instancePage(production, operator);
    assert.equal(page.status, 200);
    assert.match(page.text, /Move to another runtime/);
    assert.equal(codeInput(page.text), undefined, 'a code would not help an operator');
    const refused = await migrate(production, { to: 'swarm' }, operator);
    assert.equal(refused.status, 403);
    assert.match(refused.text, /Only an admin with a fresh second factor may move a production instance\./);
    assert.match(refused.text, /id="migrate-heading"/, 'the form is shown again');
    assert.equal(codeInput(refused.text), undefined);
    assert.deepEqual(await queued(), nothing);
  });

  it('queues the move in the same submission as the current code, and nothing more', async () => {
    const moved = await migrate(production, { to: 'swarm', secondFactorCode: await admin.code() });
    assert.equal(moved.status, 303, moved.text);
    assert.equal(moved.location, `/instances/${production}?notice=migrating`);
    const migrations = await listMigrations(test.roost, localActor(test.clock), { slug: production });
    assert.equal(migrations.length, 1);
    const [migration] = migrations;
    assert.equal(migration?.state, 'queued');
    assert.equal(migration?.source, 'local');
    assert.equal(migration?.target, 'swarm');
    assert.equal(migration?.requestedBy.id, admin.user.id);
    const jobs = await test.roost.jobs.list({ queue: migrationQueue });
    assert.deepEqual(
      jobs.map((job) => [job.state, job.payload]),
      [['queued', { migrationId: migration?.id }]],
      'only a job waiting for a worker',
    );
    const step = await test.roost.audit.list({ action: 'session.second-factor' });
    assert.equal(step[0]?.details.purpose, 'step-up');
    const started = await test.roost.audit.list({ action: 'instance.migrate', target: productionId });
    assert.deepEqual(
      started.map((event) => event.result),
      ['ok', 'denied', 'denied'],
      'newest first: the move, the operator, the stale factor',
    );
    const row = await test.roost.store.db
      .selectFrom('instances')
      .select(['runtime', 'state'])
      .where('id', '=', productionId)
      .executeTakeFirstOrThrow();
    assert.deepEqual({ ...row }, { runtime: 'local', state: 'running' }, 'nothing moved yet');

    const page = await request(moved.location ?? '', admin.sessionToken);
    assert.equal(page.status, 200);
    assert.match(page.text, /The migration has started/);
    assert.doesNotMatch(page.text, /id="migrate-heading"/, 'the form waits for the move to end');
  });

  it('tells why when the form is gone: another operation is in progress (409)', async () => {
    const refused = await migrate(production, { to: 'swarm', secondFactorCode: '' });
    assert.equal(refused.status, 409);
    assert.match(refused.text, /The migration was not started/);
    assert.match(refused.text, /has an operation in progress \(migrate/);
    assert.equal((await queued()).migrations, 1);
  });
});
