import { Hono } from 'hono';
import { html, raw } from 'hono/html';
import {
  type Actor,
  type ApiToken,
  can,
  createToken,
  defaultTokenDays,
  domains,
  listTokens,
  maximumTokenDays,
  type Permission,
  revokeToken,
} from '../../../auth/index.ts';
import { isRoostError } from '../../../core/errors.ts';
import type { AdminEnv } from '../../middleware/actor.ts';
import { checkRequestCsrf } from '../../middleware/csrf.ts';
import { field, formatTime, formError, postButton } from '../components.ts';
import type { Ui } from '../context.ts';
import { appPage, csrfField, type Markup } from '../layout.ts';
import { notice } from '../notices.ts';
import { readForm, seeOther, sendPage } from '../respond.ts';
import { sentence } from './login.ts';

interface TokenForm {
  name: string;
  scopes: string[];
  days: string;
  error?: string;
}

function tokenState(token: ApiToken, now: Date, timeZone: string): Markup {
  if (token.revokedAt)
    return html`<span class="badge bad">revoked</span> ${formatTime(token.revokedAt, timeZone)}`;
  if (token.expiresAt && token.expiresAt <= now) return html`<span class="badge">expired</span>`;
  return html`<span class="badge ok">active</span>`;
}

function tokenTable(
  tokens: ApiToken[],
  actor: Actor,
  csrf: string | null,
  now: Date,
  timeZone: string,
): Markup {
  if (tokens.length === 0) return html`<p class="empty panel">You have no API tokens yet.</p>`;
  const mayRevoke = can(actor, 'tokens:write');
  return html`<div class="table-wrap"><table>
  <caption>Your API tokens, newest first (times in ${timeZone})</caption>
  <thead><tr>
    <th scope="col">Name</th><th scope="col">Scopes</th><th scope="col">Expires</th>
    <th scope="col">Last used</th><th scope="col">State</th>${mayRevoke ? html`<th scope="col"><span class="visually-hidden">Actions</span></th>` : ''}
  </tr></thead>
  <tbody>
  ${tokens.map((token) => {
    const live = !token.revokedAt && !(token.expiresAt && token.expiresAt <= now);
    return html`<tr>
    <th scope="row" class="break">${token.name}<span class="cell-sub">created ${formatTime(token.createdAt, timeZone, 'compact')}</span></th>
    <td><span class="scopes">${token.scopes.map((scope) => html`<span class="badge">${scope}</span>`)}</span></td>
    <td class="nowrap">${formatTime(token.expiresAt, timeZone, 'compact')}</td>
    <td class="nowrap">${formatTime(token.lastUsedAt, timeZone, 'compact')}</td>
    <td class="nowrap">${tokenState(token, now, timeZone)}</td>
    ${
      mayRevoke
        ? html`<td class="actions-cell">${
            live
              ? postButton({
                  action: `/tokens/${encodeURIComponent(token.id)}/revoke`,
                  csrf,
                  label: 'Revoke',
                  accessibleLabel: `Revoke token ${token.name}`,
                  kind: 'danger',
                  small: true,
                })
              : ''
          }</td>`
        : ''
    }
  </tr>`;
  })}
  </tbody>
</table></div>`;
}

/** Scope checkboxes: a row per domain, read and write columns, only what the actor holds. */
function scopePicker(actor: Actor, checked: string[]): Markup {
  const box = (permission: Permission, text: string) =>
    can(actor, permission)
      ? html`<label class="check"><input type="checkbox" name="scopes" value="${permission}"${checked.includes(permission) ? raw(' checked') : ''}><span class="visually-hidden">${permission.split(':')[0]}:</span>${text}</label>`
      : html`<span class="muted" aria-hidden="true">—</span><span class="visually-hidden">not available</span>`;
  const rows = domains.filter((domain) => can(actor, `${domain}:read`) || can(actor, `${domain}:write`));
  const extra = (['secrets:reveal', 'keys:export'] as const).filter((permission) => can(actor, permission));
  return html`<fieldset>
  <legend>Scopes</legend>
  <p class="hint" id="scopes-hint">What the token may do; only permissions you hold yourself. Give it the least it needs.</p>
  <div class="table-wrap fit"><table class="scope-table" aria-describedby="scopes-hint">
    <thead><tr><th scope="col">Area</th><th scope="col">Read</th><th scope="col">Write</th></tr></thead>
    <tbody>
    ${rows.map(
      (domain) =>
        html`<tr><th scope="row">${domain}</th><td>${box(`${domain}:read`, 'read')}</td><td>${box(`${domain}:write`, 'write')}</td></tr>`,
    )}
    </tbody>
  </table></div>
  ${
    extra.length > 0
      ? html`<p class="hint">Key material (needs a second factor entered in the last 5 minutes at use):</p>
  <div class="actions">${extra.map((permission) => html`<label class="check"><input type="checkbox" name="scopes" value="${permission}"${checked.includes(permission) ? raw(' checked') : ''}>${permission}</label>`)}</div>`
      : ''
  }
</fieldset>`;
}

function createForm(actor: Actor, csrf: string | null, form: TokenForm): Markup {
  return html`<section class="panel" aria-labelledby="create-token-heading">
  <h2 id="create-token-heading">Create a token</h2>
  ${formError(form.error)}
  <form method="post" action="/tokens" class="form form-wide" novalidate>
    ${csrfField(csrf)}
    <div class="form-row">
      ${field({ name: 'name', label: 'Name', value: form.name, required: true, hint: 'What uses it, e.g. “deploy from CI”.', attributes: 'maxlength="100"' })}
      ${field({
        name: 'expiresInDays',
        label: 'Expires after (days)',
        type: 'number',
        value: form.days,
        required: true,
        hint: `1 to ${maximumTokenDays}.`,
        attributes: `min="1" max="${maximumTokenDays}" inputmode="numeric"`,
      })}
    </div>
    ${scopePicker(actor, form.scopes)}
    <div class="actions"><button type="submit" class="button">Create token</button></div>
  </form>
</section>`;
}

/** `/tokens`: one's own API tokens; a new token is shown once, right after it is made. */
export function tokenPages(ui: Ui): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();

  const render = async (
    actor: Actor,
    csrf: string | null,
    options: { form?: TokenForm; created?: { token: string; record: ApiToken }; notice?: string | undefined },
  ) => {
    const tokens = await listTokens(ui.access, actor);
    const now = ui.deps.clock.now();
    const mayCreate = can(actor, 'tokens:write') && actor.kind === 'user';
    const created = options.created;
    return appPage({
      title: 'API tokens',
      actor,
      csrf,
      current: '/tokens',
      body: html`<h1>API tokens</h1>
<p class="page-intro">Tokens let scripts and the <code>roost</code> CLI call the API as you (<code>Authorization: Bearer …</code>),
limited to the scopes you choose, until they expire or you revoke them.</p>
${notice(options.notice)}
${
  created
    ? html`<section class="alert alert-success" role="status" aria-labelledby="new-token-heading">
  <h2 class="alert-title" id="new-token-heading">Token “${created.record.name}” created</h2>
  <p>Copy it now: <strong>it is shown only this once</strong>. Roost keeps only a hash of it.</p>
  <code class="secret-box" id="new-token">${created.token}</code>
  <p>It expires ${formatTime(created.record.expiresAt, ui.timeZone)}.</p>
</section>`
    : ''
}
${mayCreate ? createForm(actor, csrf, options.form ?? { name: '', scopes: [], days: String(defaultTokenDays) }) : ''}
<h2>Your tokens</h2>
${tokenTable(tokens, actor, csrf, now, ui.timeZone)}`,
    });
  };

  app.get('/tokens', ui.page('tokens:read'), async (context) =>
    sendPage(
      context,
      await render(context.get('actor'), context.get('csrf'), { notice: context.req.query('notice') }),
    ),
  );

  app.post('/tokens', ui.page('tokens:write'), async (context) => {
    const actor = context.get('actor');
    const csrf = context.get('csrf');
    const body = await readForm(context);
    checkRequestCsrf(context, actor, body.get('_csrf'));
    const form: TokenForm = {
      name: body.get('name').trim(),
      scopes: body.all('scopes'),
      days: body.get('expiresInDays').trim(),
    };
    const refuse = async (message: string, status: 400 | 403) =>
      sendPage(context, await render(actor, csrf, { form: { ...form, error: message } }), status);
    if (form.name === '') return refuse('Give the token a name.', 400);
    if (form.scopes.length === 0) return refuse('Choose at least one scope.', 400);
    const days = Number(form.days);
    if (!Number.isInteger(days) || days < 1 || days > maximumTokenDays)
      return refuse(`The expiry is a whole number of days from 1 to ${maximumTokenDays}.`, 400);
    try {
      const created = await createToken(ui.access, actor, {
        name: form.name,
        scopes: form.scopes as Permission[],
        expiresInDays: days,
      });
      return sendPage(context, await render(actor, csrf, { created }));
    } catch (error) {
      if (isRoostError(error, 'invalid_input')) return refuse(sentence(error.message), 400);
      if (isRoostError(error, 'forbidden') && error.details?.scope)
        return refuse(sentence(error.message), 403);
      throw error;
    }
  });

  app.post('/tokens/:id/revoke', ui.page('tokens:write'), async (context) => {
    const actor = context.get('actor');
    const body = await readForm(context);
    checkRequestCsrf(context, actor, body.get('_csrf'));
    await revokeToken(ui.access, actor, { tokenId: context.req.param('id') });
    return seeOther(context, '/tokens?notice=token-revoked');
  });

  return app;
}
