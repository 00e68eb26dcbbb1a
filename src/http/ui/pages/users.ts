import { Hono } from 'hono';
import { html, raw } from 'hono/html';
import {
  type Actor,
  can,
  createUser,
  disableUser,
  enableUser,
  isRole,
  listUsers,
  minimumPasswordLength,
  type Role,
  roles,
  type User,
} from '../../../auth/index.ts';
import { isRoostError } from '../../../core/errors.ts';
import type { AdminEnv } from '../../middleware/actor.ts';
import { checkRequestCsrf } from '../../middleware/csrf.ts';
import { field, fieldId, formatTime, formError, postButton } from '../components.ts';
import type { Ui } from '../context.ts';
import { appPage, csrfField, type Markup } from '../layout.ts';
import { notice } from '../notices.ts';
import { readForm, seeOther, sendPage } from '../respond.ts';
import { sentence } from './login.ts';

const roleHelp: Record<Role, string> = {
  admin: 'everything; second factor required',
  operator: 'runs operations, no user management; second factor required',
  'account-manager': 'incidents, status pages, customer communication',
  viewer: 'reads the logbook, status pages and instances',
};

interface UserForm {
  email: string;
  name: string;
  role: string;
  errors?: { email?: string; name?: string; password?: string; form?: string };
}

function userTable(users: User[], actor: Actor, csrf: string | null, timeZone: string): Markup {
  const mayWrite = can(actor, 'users:write');
  return html`<div class="table-wrap"><table>
  <caption>${users.length} ${users.length === 1 ? 'user' : 'users'}, by email (times in ${timeZone})</caption>
  <thead><tr>
    <th scope="col">Name</th><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Second factor</th>
    <th scope="col">State</th><th scope="col">Created</th>${mayWrite ? html`<th scope="col"><span class="visually-hidden">Actions</span></th>` : ''}
  </tr></thead>
  <tbody>
  ${users.map(
    (user) => html`<tr>
    <th scope="row">${user.name}${user.id === actor.id ? html` <span class="muted">(you)</span>` : ''}</th>
    <td>${user.email}</td>
    <td>${user.role}</td>
    <td>${user.totpEnabledAt ? html`<span class="badge ok">on</span>` : html`<span class="badge warn">off</span>`}</td>
    <td>${user.disabledAt ? html`<span class="badge bad">disabled</span>` : html`<span class="badge ok">active</span>`}</td>
    <td class="nowrap">${formatTime(user.createdAt, timeZone, 'compact')}</td>
    ${
      mayWrite
        ? html`<td class="actions-cell">${
            user.disabledAt
              ? postButton({
                  action: `/users/${encodeURIComponent(user.id)}/enable`,
                  csrf,
                  label: 'Enable',
                  accessibleLabel: `Enable ${user.email}`,
                  kind: 'secondary',
                  small: true,
                })
              : postButton({
                  action: `/users/${encodeURIComponent(user.id)}/disable`,
                  csrf,
                  label: 'Disable',
                  accessibleLabel: `Disable ${user.email}`,
                  kind: 'danger',
                  small: true,
                })
          }</td>`
        : ''
    }
  </tr>`,
  )}
  </tbody>
</table></div>`;
}

function createForm(csrf: string | null, form: UserForm): Markup {
  const errors = form.errors ?? {};
  const roleId = fieldId('role');
  return html`<section class="panel" aria-labelledby="create-user-heading">
  <h2 id="create-user-heading">Add a user</h2>
  ${formError(errors.form)}
  <form method="post" action="/users" class="form form-wide" novalidate>
    ${csrfField(csrf)}
    <div class="form-row">
      ${field({ name: 'name', label: 'Name', value: form.name, required: true, autocomplete: 'off', error: errors.name })}
      ${field({ name: 'email', label: 'Email', type: 'email', value: form.email, required: true, autocomplete: 'off', error: errors.email })}
    </div>
    <div class="form-row">
      <div class="field">
        <label for="${roleId}">Role</label>
        <div class="hint" id="${roleId}-hint">
          ${roles.map((role) => html`<span class="role-help"><strong>${role}</strong>: ${roleHelp[role]}</span>`)}
        </div>
        <select id="${roleId}" name="role" aria-describedby="${roleId}-hint">
          ${roles.map((role) => html`<option value="${role}"${role === form.role ? raw(' selected') : ''}>${role}</option>`)}
        </select>
      </div>
      ${field({
        name: 'password',
        label: 'First password',
        type: 'password',
        required: true,
        autocomplete: 'new-password',
        hint: `At least ${minimumPasswordLength} characters. Give it to them in person or through your password manager.`,
        error: errors.password,
      })}
    </div>
    <div class="actions"><button type="submit" class="button">Add user</button></div>
  </form>
</section>`;
}

/** `/users`: everybody with their role and second factor; adding, disabling and enabling for `users:write`. */
export function userPages(ui: Ui): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();

  const render = async (
    actor: Actor,
    csrf: string | null,
    options: { form?: UserForm; notice?: string | undefined },
  ) => {
    const users = await listUsers(ui.access, actor);
    return appPage({
      title: 'Users',
      actor,
      csrf,
      current: '/users',
      body: html`<h1>Users</h1>
<p class="page-intro">Everyone who can log in to Roost. Disabling someone ends their sessions and revokes their API tokens at once.</p>
${notice(options.notice)}
${can(actor, 'users:write') ? createForm(csrf, options.form ?? { email: '', name: '', role: 'viewer' }) : ''}
<h2>People</h2>
${userTable(users, actor, csrf, ui.timeZone)}`,
    });
  };

  app.get('/users', ui.page('users:read'), async (context) =>
    sendPage(
      context,
      await render(context.get('actor'), context.get('csrf'), { notice: context.req.query('notice') }),
    ),
  );

  app.post('/users', ui.page('users:write'), async (context) => {
    const actor = context.get('actor');
    const csrf = context.get('csrf');
    const body = await readForm(context);
    checkRequestCsrf(context, actor, body.get('_csrf'));
    const form: UserForm = {
      email: body.get('email').trim(),
      name: body.get('name').trim(),
      role: body.get('role'),
    };
    const password = body.get('password');
    const refuse = async (errors: NonNullable<UserForm['errors']>, status: 400 | 409) =>
      sendPage(context, await render(actor, csrf, { form: { ...form, errors } }), status);
    const missing: NonNullable<UserForm['errors']> = {};
    if (form.name === '') missing.name = 'Enter a name.';
    if (form.email === '') missing.email = 'Enter an email.';
    if (password === '') missing.password = 'Choose a first password.';
    if (!isRole(form.role)) missing.form = 'Choose a role.';
    if (Object.keys(missing).length > 0) return refuse(missing, 400);
    try {
      await createUser(ui.access, actor, {
        email: form.email,
        name: form.name,
        role: form.role as Role,
        password,
      });
    } catch (error) {
      if (isRoostError(error, 'conflict')) return refuse({ email: sentence(error.message) }, 409);
      if (isRoostError(error, 'invalid_input')) {
        const issues = (error.details?.issues ?? []) as { path?: string }[];
        if (issues.some((issue) => issue.path === 'email'))
          return refuse({ email: 'Enter a valid email address.' }, 400);
        if (issues.some((issue) => issue.path === 'name'))
          return refuse({ name: 'Enter a name of at most 200 characters.' }, 400);
        return refuse({ password: sentence(error.message) }, 400);
      }
      throw error;
    }
    return seeOther(context, '/users?notice=user-created');
  });

  for (const [action, operation, outcome] of [
    ['disable', disableUser, 'user-disabled'],
    ['enable', enableUser, 'user-enabled'],
  ] as const) {
    app.post(`/users/:id/${action}`, ui.page('users:write'), async (context) => {
      const actor = context.get('actor');
      const body = await readForm(context);
      checkRequestCsrf(context, actor, body.get('_csrf'));
      await operation(ui.access, actor, { userId: context.req.param('id') });
      return seeOther(context, `/users?notice=${outcome}`);
    });
  }

  return app;
}
