import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeEachDialect } from '../../test/fixtures/store.ts';
import type { Actor } from '../auth/actor.ts';
import { rolePermissions } from '../auth/index.ts';
import { isRoostError } from '../core/errors.ts';
import { openStatusDeps } from '../status/test-fixture.ts';
import { addContact, assignAccountManager, contactsLifecycle, listContacts, removeContact } from './index.ts';
import { insertUserRow } from './test-users.ts';

const viewer: Actor = {
  kind: 'user',
  id: 'usr_viewer',
  label: 'viewer@example.com',
  role: 'viewer',
  permissions: new Set(rolePermissions.viewer),
  secondFactorAt: null,
  ip: null,
};

describeEachDialect('instance contacts', (use) => {
  it('keeps customer contacts and assigned account managers, falling back to every manager', async (t) => {
    const deps = await openStatusDeps(await use(t));
    if (!deps) return;
    await deps.addInstance('globex-prod', 'Globex');
    await insertUserRow(deps.store, deps.clock, 'anna@roost.test', 'account-manager');
    await insertUserRow(deps.store, deps.clock, 'boris@roost.test', 'account-manager');
    await insertUserRow(deps.store, deps.clock, 'olga@roost.test', 'operator');
    await insertUserRow(deps.store, deps.clock, 'gone@roost.test', 'account-manager', { disabled: true });

    let listed = await listContacts(deps, viewer, { slug: 'globex-prod' });
    assert.equal(listed.fallback, true, 'nobody assigned: every account manager');
    assert.deepEqual(
      listed.accountManagers.map((manager) => manager.email),
      ['anna@roost.test', 'boris@roost.test'],
    );

    await assignAccountManager(deps, deps.local, { slug: 'globex-prod', user: 'Boris@roost.test' });
    const contact = await addContact(deps, deps.local, {
      slug: 'globex-prod',
      name: 'Grace Ops',
      email: ' Grace@Globex.example ',
      receives: ['postmortems', 'incidents'],
    });
    assert.equal(contact.email, 'grace@globex.example');
    assert.deepEqual(contact.receives, ['incidents', 'postmortems']);
    await addContact(deps, deps.local, { slug: 'globex-prod', name: 'Hal', email: 'hal@globex.example' });
    listed = await listContacts(deps, viewer, { slug: 'globex-prod' });
    assert.equal(listed.fallback, false);
    assert.deepEqual(
      listed.accountManagers.map((manager) => manager.email),
      ['boris@roost.test'],
    );
    assert.deepEqual(
      listed.contacts.map((entry) => [entry.email, entry.receives.join(',')]),
      [
        ['grace@globex.example', 'incidents,postmortems'],
        ['hal@globex.example', 'incidents,postmortems,maintenances'],
      ],
    );

    // Bad input names the field; nothing is written.
    const refused = async (promise: Promise<unknown>, code: string, pattern: RegExp) =>
      assert.rejects(promise, (error) => {
        assert.ok(isRoostError(error, code as never), String(error));
        assert.match(`${error.message} ${JSON.stringify(error.details ?? {})}`, pattern);
        return true;
      });
    await refused(
      addContact(deps, deps.local, { slug: 'globex-prod', name: 'X', email: 'not-an-address' }),
      'invalid_input',
      /email/,
    );
    await refused(
      addContact(deps, deps.local, {
        slug: 'globex-prod',
        name: 'X',
        email: 'x@globex.example',
        receives: [],
      }),
      'invalid_input',
      /receives/,
    );
    await refused(
      addContact(deps, deps.local, { slug: 'globex-prod', name: 'Hal again', email: 'HAL@globex.example' }),
      'conflict',
      /already a contact/,
    );
    await refused(
      addContact(deps, deps.local, { slug: 'nowhere', name: 'X', email: 'x@globex.example' }),
      'not_found',
      /nowhere/,
    );
    await refused(
      assignAccountManager(deps, deps.local, { slug: 'globex-prod', user: 'olga@roost.test' }),
      'invalid_input',
      /not an active account manager/,
    );
    await refused(
      assignAccountManager(deps, deps.local, { slug: 'globex-prod', user: 'gone@roost.test' }),
      'invalid_input',
      /not an active account manager/,
    );
    await refused(
      addContact(deps, viewer, { slug: 'globex-prod', name: 'X', email: 'x@globex.example' }),
      'forbidden',
      /status:write/,
    );
    assert.equal((await listContacts(deps, viewer, { slug: 'globex-prod' })).contacts.length, 2);

    assert.deepEqual(
      await removeContact(deps, deps.local, { slug: 'globex-prod', email: 'hal@globex.example' }),
      {
        removed: 'contact',
        email: 'hal@globex.example',
      },
    );
    assert.equal(
      (await removeContact(deps, deps.local, { slug: 'globex-prod', email: 'boris@roost.test' })).removed,
      'account-manager',
    );
    await refused(
      removeContact(deps, deps.local, { slug: 'globex-prod', email: 'hal@globex.example' }),
      'not_found',
      /neither a contact nor an account manager/,
    );
    listed = await listContacts(deps, viewer, { slug: 'globex-prod' });
    assert.equal(listed.fallback, true);
    assert.deepEqual(
      listed.contacts.map((entry) => entry.email),
      ['grace@globex.example'],
    );
    const actions = (await deps.store.db.selectFrom('audit_events').select('action').execute())
      .map((row) => row.action)
      .filter((action) => action.startsWith('instance.'));
    assert.deepEqual(actions.sort(), [
      'instance.account-manager.assign',
      'instance.account-manager.remove',
      'instance.contact.add',
      'instance.contact.add',
      'instance.contact.remove',
    ]);
  });

  it('erases the contacts and assignments of a decommissioned instance', async (t) => {
    const deps = await openStatusDeps(await use(t));
    if (!deps) return;
    const id = await deps.addInstance('initrode-prod', 'Initrode');
    const kept = await deps.addInstance('initrode-staging', 'Initrode');
    await insertUserRow(deps.store, deps.clock, 'milton@roost.test', 'account-manager');
    await assignAccountManager(deps, deps.local, { slug: 'initrode-prod', user: 'milton@roost.test' });
    await addContact(deps, deps.local, {
      slug: 'initrode-prod',
      name: 'Bill',
      email: 'bill@initrode.example',
    });
    await addContact(deps, deps.local, {
      slug: 'initrode-staging',
      name: 'Bill',
      email: 'bill@initrode.example',
    });
    await deps.store.db
      .insertInto('contact_deliveries')
      .values({
        entry_id: 'mnt_x:72h',
        contact_id: (await listContacts(deps, deps.local, { slug: 'initrode-prod' })).contacts[0]?.id ?? '',
        sent_at: 0,
      })
      .execute();
    const erased = await contactsLifecycle(deps.store).erase?.({ id } as never);
    assert.deepEqual(erased?.items, [
      '1 customer contact(s) with their delivery records',
      '1 account manager assignment(s)',
    ]);
    const left = await deps.store.db.selectFrom('instance_contacts').select('instance_id').execute();
    assert.deepEqual(
      left.map((row) => row.instance_id),
      [kept],
    );
    assert.equal(
      (await deps.store.db.selectFrom('contact_deliveries').select('entry_id').execute()).length,
      0,
    );
    assert.equal(
      (await deps.store.db.selectFrom('instance_account_managers').select('user_id').execute()).length,
      0,
    );
  });
});
