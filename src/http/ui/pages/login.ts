import { Hono } from 'hono';
import { html } from 'hono/html';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { completeSecondFactor, login, needsBootstrap } from '../../../auth/index.ts';
import { isRoostError } from '../../../core/errors.ts';
import { type AdminEnv, clientIp } from '../../middleware/actor.ts';
import { checkRequestCsrf } from '../../middleware/csrf.ts';
import { alert, field, formErrorId } from '../components.ts';
import type { Ui } from '../context.ts';
import { stepPath } from '../guard.ts';
import { authPage, csrfField, type Markup } from '../layout.ts';
import { notice } from '../notices.ts';
import { readForm, safeNext, seeOther, sendPage } from '../respond.ts';
import { setSessionCookie } from '../session-cookie.ts';

interface LoginForm {
  email: string;
  next: string;
  error?: { title?: string; message: string };
  notice?: string | undefined;
}

function loginPage(form: LoginForm): Markup {
  const describedBy = form.error ? [formErrorId] : [];
  return authPage({
    title: 'Log in',
    body: html`<h1>Log in to Roost</h1>
${notice(form.notice)}
${form.error ? alert('error', form.error.message, { id: formErrorId, ...(form.error.title ? { title: form.error.title } : {}) }) : ''}
<form method="post" action="/login" class="form" novalidate>
  <input type="hidden" name="next" value="${form.next}">
  ${field({ name: 'email', label: 'Email', type: 'email', value: form.email, autocomplete: 'username', required: true, describedBy, attributes: 'autofocus' })}
  ${field({ name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password', required: true, describedBy })}
  <button type="submit" class="button block">Log in</button>
</form>`,
  });
}

/** `path`, with `?next=` unless it is the overview. */
export function withNext(path: string, next: string): string {
  return next === '/' ? path : `${path}?${new URLSearchParams({ next })}`;
}

function secondFactorPage(
  csrf: string | null,
  next: string,
  label: string,
  error?: { message: string; title?: string },
): Markup {
  return authPage({
    title: 'Second factor',
    body: html`<h1>Enter your code</h1>
<p>Logged in as <strong>${label}</strong>. Open your authenticator app and enter the code it shows for Roost.</p>
${error ? alert('error', error.message, { id: formErrorId, ...(error.title ? { title: error.title } : {}) }) : ''}
<form method="post" action="/login/second-factor" class="form" novalidate>
  ${csrfField(csrf)}
  <input type="hidden" name="next" value="${next}">
  ${field({
    name: 'code',
    label: 'Code',
    hint: 'The 6-digit code from your app, or one of your recovery codes if you lost your phone.',
    autocomplete: 'one-time-code',
    required: true,
    describedBy: error ? [formErrorId] : [],
    attributes: 'autofocus spellcheck="false" autocapitalize="off"',
  })}
  <button type="submit" class="button block">Continue</button>
</form>
<form method="post" action="/logout" class="inline-form">
  ${csrfField(csrf)}
  <p class="hint after-form">Not you? <button type="submit" class="link-button">Log out</button></p>
</form>`,
  });
}

/** `/login` (email and password) and `/login/second-factor` (TOTP or recovery code). */
export function loginPages(ui: Ui): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();

  app.get('/login', async (context) => {
    const actor = context.get('actor');
    const next = safeNext(context.req.query('next'));
    if (actor.kind === 'user') {
      const step = await ui.pendingStep(actor);
      return seeOther(context, step === 'done' ? next : withNext(stepPath(step), next));
    }
    // Nobody to log in yet: the first admin is made on the setup page, with the token serve printed.
    if (await needsBootstrap(ui.access)) return seeOther(context, '/setup');
    return sendPage(context, loginPage({ email: '', next, notice: context.req.query('notice') }));
  });

  app.post('/login', async (context) => {
    const form = await readForm(context);
    const email = form.get('email').trim();
    const password = form.get('password');
    const next = safeNext(form.get('next'));
    const refuse = (status: ContentfulStatusCode, message: string, title?: string) =>
      sendPage(context, loginPage({ email, next, error: { message, ...(title ? { title } : {}) } }), status);
    if (email === '' || password === '') return refuse(400, 'Enter your email and your password.');
    try {
      const result = await login(ui.access, {
        email,
        password,
        ip: clientIp(context),
        userAgent: context.req.header('user-agent') ?? null,
      });
      setSessionCookie(context, result.sessionToken);
      return seeOther(context, result.next === 'done' ? next : withNext(stepPath(result.next), next));
    } catch (error) {
      if (isRoostError(error, 'rate_limited'))
        return refuse(429, sentence(error.message), 'Too many failed log-ins');
      // The same words whatever was wrong, so nobody learns which emails have accounts.
      if (isRoostError(error, 'unauthenticated')) return refuse(401, 'The email or the password is wrong.');
      if (isRoostError(error, 'invalid_input')) return refuse(400, 'Enter a valid email and your password.');
      throw error;
    }
  });

  app.get('/login/second-factor', async (context) => {
    const actor = context.get('actor');
    const next = safeNext(context.req.query('next'));
    if (actor.kind !== 'user') return seeOther(context, withNext('/login', next));
    const step = await ui.pendingStep(actor);
    if (step === 'done') return seeOther(context, next);
    if (step === 'enrol') return seeOther(context, withNext('/enrol', next));
    return sendPage(context, secondFactorPage(context.get('csrf'), next, actor.label));
  });

  app.post('/login/second-factor', async (context) => {
    const actor = context.get('actor');
    const sessionToken = context.get('sessionToken');
    if (actor.kind !== 'user' || !sessionToken) return seeOther(context, '/login?notice=session-ended');
    const form = await readForm(context);
    checkRequestCsrf(context, actor, form.get('_csrf'));
    const next = safeNext(form.get('next'));
    const code = form.get('code').trim();
    const refuse = (status: ContentfulStatusCode, message: string, title?: string) =>
      sendPage(
        context,
        secondFactorPage(context.get('csrf'), next, actor.label, { message, ...(title ? { title } : {}) }),
        status,
      );
    if (code === '') return refuse(400, 'Enter the code from your app.');
    try {
      await completeSecondFactor(ui.access, { sessionToken, code, ip: clientIp(context) });
      return seeOther(context, next);
    } catch (error) {
      if (isRoostError(error, 'rate_limited'))
        return refuse(429, sentence(error.message), 'Too many wrong codes');
      if (isRoostError(error, 'unauthenticated') || isRoostError(error, 'invalid_input')) {
        return refuse(
          401,
          'That code is not right. Check that your phone shows the right time, and enter the current code.',
        );
      }
      throw error;
    }
  });

  return app;
}

/** Operation messages start in lower case (`too many failed logins …`); a page shows a sentence. */
export function sentence(message: string): string {
  const text = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
