import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { html } from 'hono/html';
import { allPermissions } from '../../auth/permissions.ts';
import { field, formatTime } from './components.ts';
import { appPage } from './layout.ts';
import { safeNext } from './respond.ts';

describe('admin UI building blocks', () => {
  it('escapes what users typed, and ties hints and errors to the input', async () => {
    const markup = String(
      await field({
        name: 'name',
        label: 'Name',
        value: '"><script>alert(1)</script>',
        hint: 'A hint',
        error: 'Too <b>long</b>',
      }),
    );
    assert.ok(!markup.includes('<script>'), markup);
    assert.match(markup, /value="&quot;&gt;&lt;script&gt;/);
    assert.match(markup, /<label for="field-name">Name<\/label>/);
    assert.match(markup, /aria-describedby="field-name-hint field-name-error"/);
    assert.match(markup, /aria-invalid="true"/);
    assert.match(markup, /<p class="field-error" id="field-name-error">Too &lt;b&gt;long&lt;\/b&gt;<\/p>/);
  });

  it('marks the current navigation item and shows only permitted sections', async () => {
    const actor = {
      kind: 'user' as const,
      id: 'usr_1',
      label: '<eve>@example.com',
      role: 'viewer' as const,
      permissions: new Set(['instances:read', 'tokens:read'] as const),
      secondFactorAt: null,
      ip: null,
    };
    const markup = String(
      await appPage({ title: 'T', actor, csrf: 'token-1', current: '/tokens', body: html`` }),
    );
    assert.match(markup, /<a href="\/tokens" aria-current="page">API tokens<\/a>/);
    assert.match(markup, /<a href="\/instances">Instances<\/a>/);
    assert.ok(!markup.includes('href="/users"'), 'no Users item without users:read');
    assert.ok(markup.includes('&lt;eve&gt;@example.com'));
    assert.match(markup, /<nav aria-label="Main">/);
    assert.match(markup, /<main id="main"/);
    assert.match(markup, /<input type="hidden" name="_csrf" value="token-1">/);
    const admin = { ...actor, role: 'admin' as const, permissions: new Set(allPermissions) };
    assert.ok(
      String(await appPage({ title: 'T', actor: admin, csrf: null, current: '/', body: html`` })).includes(
        'href="/users"',
      ),
    );
  });

  it('returns only to local paths after logging in', () => {
    assert.equal(safeNext('/tokens?x=1'), '/tokens?x=1');
    for (const unsafe of [
      undefined,
      '',
      'https://evil.example/',
      '//evil.example/',
      '/\\evil.example',
      'javascript:alert(1)',
      '/login',
      '/logout',
    ]) {
      assert.equal(safeNext(unsafe), '/', String(unsafe));
    }
  });

  it('shows times in the configured zone, with the instant kept', async () => {
    const at = new Date('2026-07-01T12:34:56Z');
    assert.equal(
      String(await formatTime(at, 'Europe/Paris', 'compact')),
      '<time datetime="2026-07-01T12:34:56.000Z">2026-07-01 14:34:56</time>',
    );
    assert.match(String(await formatTime(at, 'Europe/Paris')), /1 Jul 2026, 14:34 CEST/);
    assert.match(String(await formatTime(null, 'Europe/Paris')), /never/);
  });
});
