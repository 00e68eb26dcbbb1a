import { Hono } from 'hono';
import { html } from 'hono/html';
import { consumeBootstrapToken, login, minimumPasswordLength, needsBootstrap } from '../../../auth/index.ts';
import { isRoostError } from '../../../core/errors.ts';
import { type AdminEnv, clientIp } from '../../middleware/actor.ts';
import { field, formError, formErrorId } from '../components.ts';
import type { Ui } from '../context.ts';
import { stepPath } from '../guard.ts';
import { authPage, type Markup } from '../layout.ts';
import { readForm, seeOther, sendPage } from '../respond.ts';
import { setSessionCookie } from '../session-cookie.ts';
import { sentence } from './login.ts';

interface SetupForm {
  email: string;
  name: string;
  errors?: {
    token?: string;
    email?: string;
    name?: string;
    password?: string;
    repeat?: string;
    form?: string;
  };
}

function setupPage(form: SetupForm): Markup {
  const errors = form.errors ?? {};
  const describedBy = errors.form ? [formErrorId] : [];
  return authPage({
    title: 'Set up Roost',
    body: html`<h1>Set up Roost</h1>
<p>Create the first admin account. The one-time bootstrap token was printed by <code>roost serve</code> when it
started with no users; it is valid for 24 hours.</p>
${formError(errors.form)}
<form method="post" action="/setup" class="form" novalidate>
  ${field({ name: 'token', label: 'Bootstrap token', type: 'password', autocomplete: 'off', required: true, error: errors.token, describedBy, attributes: 'spellcheck="false"' })}
  ${field({ name: 'name', label: 'Your name', value: form.name, autocomplete: 'name', required: true, error: errors.name })}
  ${field({ name: 'email', label: 'Email', type: 'email', value: form.email, autocomplete: 'username', required: true, error: errors.email })}
  ${field({
    name: 'password',
    label: 'Password',
    type: 'password',
    autocomplete: 'new-password',
    required: true,
    hint: `At least ${minimumPasswordLength} characters; a passphrase of several words is best.`,
    error: errors.password,
  })}
  ${field({ name: 'repeat', label: 'Repeat the password', type: 'password', autocomplete: 'new-password', required: true, error: errors.repeat })}
  <button type="submit" class="button block">Create the admin account</button>
</form>`,
  });
}

/** `/setup`: the first admin, with the bootstrap token; refused as soon as any user exists. */
export function setupPages(ui: Ui): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();

  app.get('/setup', async (context) => {
    if (context.get('actor').kind !== 'anonymous') return seeOther(context, '/');
    if (!(await needsBootstrap(ui.access))) return seeOther(context, '/login');
    return sendPage(context, setupPage({ email: '', name: '' }));
  });

  app.post('/setup', async (context) => {
    const form = await readForm(context);
    const values = {
      token: form.get('token').trim(),
      email: form.get('email').trim(),
      name: form.get('name').trim(),
      password: form.get('password'),
    };
    const refuse = (errors: NonNullable<SetupForm['errors']>, status: 400 | 401 | 409 = 400) =>
      sendPage(context, setupPage({ email: values.email, name: values.name, errors }), status);
    const missing: NonNullable<SetupForm['errors']> = {};
    if (values.token === '') missing.token = 'Enter the bootstrap token.';
    if (values.name === '') missing.name = 'Enter your name.';
    if (values.email === '') missing.email = 'Enter your email.';
    if (values.password === '') missing.password = 'Choose a password.';
    else if (values.password !== form.get('repeat')) missing.repeat = 'The two passwords differ.';
    if (Object.keys(missing).length > 0) return refuse(missing);
    const ip = clientIp(context);
    try {
      await consumeBootstrapToken(ui.access, { ...values, ip });
    } catch (error) {
      if (isRoostError(error, 'conflict'))
        return refuse({ form: 'Roost already has users. Log in, or ask an admin for an account.' }, 409);
      if (isRoostError(error, 'unauthenticated'))
        return refuse({ token: 'This token is wrong, already used or expired.' }, 401);
      if (isRoostError(error, 'invalid_input')) {
        const issues = (error.details?.issues ?? []) as { path?: string }[];
        if (issues.some((issue) => issue.path === 'email'))
          return refuse({ email: 'Enter a valid email address.' });
        if (issues.some((issue) => issue.path === 'name'))
          return refuse({ name: 'Enter your name (at most 200 characters).' });
        return refuse({ password: sentence(error.message) });
      }
      throw error;
    }
    const result = await login(ui.access, {
      email: values.email,
      password: values.password,
      ip,
      userAgent: context.req.header('user-agent') ?? null,
    });
    setSessionCookie(context, result.sessionToken);
    return seeOther(context, result.next === 'done' ? '/' : stepPath(result.next));
  });

  return app;
}
