import { Hono } from 'hono';
import { html, raw } from 'hono/html';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import QRCode from 'qrcode';
import {
  confirmEnrolment,
  getUser,
  hasFreshSecondFactor,
  startEnrolment,
  type TotpEnrolment,
} from '../../../auth/index.ts';
import { isRoostError } from '../../../core/errors.ts';
import type { AdminEnv } from '../../middleware/actor.ts';
import { checkRequestCsrf } from '../../middleware/csrf.ts';
import { alert, field, formError, formErrorId } from '../components.ts';
import type { Ui } from '../context.ts';
import { authPage, csrfField, type Markup } from '../layout.ts';
import { readForm, safeNext, seeOther, sendPage } from '../respond.ts';
import { confirmStepUp, stepUpFieldName, stepUpFieldset } from '../step-up.ts';
import { sentence, withNext } from './login.ts';

const nothingChanged = 'Your second factor was not changed.';

/** `ABCD EFGH …`: easier to type into an app by hand. */
function grouped(secret: string): string {
  return secret.replace(/(.{4})/g, '$1 ').trim();
}

function enrolPage(options: {
  csrf: string | null;
  next: string;
  label: string;
  enrolment: TotpEnrolment;
  error?: string;
}): Markup {
  const { enrolment } = options;
  return authPage({
    title: 'Set up a second factor',
    wide: true,
    body: html`<h1>Set up your second factor</h1>
<p>Your role needs a second factor: a 6-digit code from an authenticator app on your phone (for example
Aegis, FreeOTP, Google Authenticator or 1Password), asked for at every log-in.</p>
${options.error ? alert('error', options.error, { id: formErrorId }) : ''}
${options.error ? html`<p class="hint">Still refused? <a href="/enrol">Start again with a new key</a> and remove the old one from your app.</p>` : ''}
<h2>1. Add Roost to your app</h2>
<div class="enrol-grid">
  <div class="qr" role="img" aria-label="QR code for adding Roost (${options.label}) to an authenticator app">${raw(enrolment.qrSvg)}</div>
  <div>
    <p>Scan the QR code with the app. If you cannot scan it, add an account by hand with this key:</p>
    <code class="secret-box" id="totp-secret" aria-label="Key for manual entry">${grouped(enrolment.secret)}</code>
    <p class="hint">Time-based, 6 digits, every 30 seconds.</p>
  </div>
</div>
<h2>2. Enter the code the app shows</h2>
<form method="post" action="/enrol" class="form" novalidate>
  ${csrfField(options.csrf)}
  <input type="hidden" name="next" value="${options.next}">
  <input type="hidden" name="secret" value="${enrolment.secret}">
  <input type="hidden" name="otpauthUrl" value="${enrolment.otpauthUrl}">
  ${field({
    name: 'code',
    label: 'Code from the app',
    autocomplete: 'one-time-code',
    required: true,
    describedBy: options.error ? [formErrorId] : [],
    attributes: 'inputmode="numeric" spellcheck="false"',
  })}
  <div class="actions"><button type="submit" class="button">Turn on the second factor</button></div>
</form>
<form method="post" action="/logout" class="inline-form">
  ${csrfField(options.csrf)}
  <p class="hint after-form">Not now? <button type="submit" class="link-button">Log out</button></p>
</form>`,
  });
}

function recoveryCodesPage(codes: string[], sessionsEnded: number, next: string): Markup {
  const ended =
    sessionsEnded === 0
      ? ''
      : ` Your ${sessionsEnded === 1 ? 'other session was' : `${sessionsEnded} other sessions were`} logged out.`;
  return authPage({
    title: 'Your recovery codes',
    wide: true,
    body: html`<h1>Save your recovery codes</h1>
${alert('success', `Your second factor is on.${ended}`)}
<p>If you lose your phone, each of these codes lets you log in once instead of a code from the app.
<strong>They are shown only now:</strong> keep them in your password manager or print them.</p>
<ul class="codes" id="recovery-codes" aria-label="Recovery codes">
  ${codes.map((code) => html`<li>${code}</li>`)}
</ul>
<p><a class="button" href="${next}" id="continue">I have saved them, continue</a></p>`,
  });
}

/**
 * Replacing a second factor that is on needs one entered in the last 5 minutes: the page asks for a current
 * code (or a recovery code) with the step-up fieldset, and the enrolment starts once it is confirmed.
 */
function stepUpPage(options: { csrf: string | null; next: string; error?: string }): Markup {
  return authPage({
    title: 'Replace your second factor',
    body: html`<h1>Your second factor is on</h1>
<p>To set it up again, for example on a new phone, first enter a code from your current app, or one of your
recovery codes. Then you add Roost to the new app; the old one stops working once the new one is confirmed.</p>
${formError(options.error)}
<form method="post" action="/enrol/step-up" class="form" novalidate>
  ${csrfField(options.csrf)}
  <input type="hidden" name="next" value="${options.next}">
  ${stepUpFieldset({
    why: 'Replacing your second factor needs a code entered in the last 5 minutes, and yours is older.',
    invalid: options.error !== undefined,
  })}
  <div class="actions"><button type="submit" class="button">Continue</button></div>
</form>
<p class="hint after-form">Lost the phone and your recovery codes? Ask an admin to reset your second factor.</p>
<p><a class="button secondary" href="/">Back to the overview</a></p>`,
  });
}

/**
 * A failed confirmation shows the same key again, so someone who already added it to their app keeps it;
 * only a key of the right form with its own otpauth URL is shown, and the QR code is drawn from it again.
 */
async function sameEnrolment(secret: string, otpauthUrl: string): Promise<TotpEnrolment | undefined> {
  if (!/^[A-Z2-7]{16,128}=*$/.test(secret) || !otpauthUrl.startsWith('otpauth://totp/')) return undefined;
  let url: URL;
  try {
    url = new URL(otpauthUrl);
  } catch {
    return undefined;
  }
  if (url.searchParams.get('secret') !== secret) return undefined;
  const qrSvg = await QRCode.toString(otpauthUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return { secret, otpauthUrl, qrSvg };
}

/** `/enrol`: TOTP set-up with a QR code and the key in text, then the recovery codes, once. */
export function enrolPages(ui: Ui): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();

  app.get('/enrol', async (context) => {
    const actor = context.get('actor');
    const next = safeNext(context.req.query('next'));
    if (actor.kind !== 'user') return seeOther(context, '/login');
    if ((await ui.pendingStep(actor)) === 'second-factor') return seeOther(context, '/login/second-factor');
    try {
      const enrolment = await startEnrolment(ui.access, actor);
      return sendPage(context, enrolPage({ csrf: context.get('csrf'), next, label: actor.label, enrolment }));
    } catch (error) {
      // Replacing a second factor that is on needs a code entered in the last 5 minutes: ask for one. A form
      // with its code field, as the restore and migration forms show theirs (200); refusals carry their status.
      if (!isRoostError(error, 'forbidden') || error.details?.reason !== 'second_factor_required')
        throw error;
      return sendPage(context, stepUpPage({ csrf: context.get('csrf'), next }));
    }
  });

  // The code confirmed here (checked, throttled and audited as at log-in) makes the session's second factor
  // fresh, so `GET /enrol` then starts the enrolment; a redirect, so a reload does not post a used code again.
  app.post('/enrol/step-up', async (context) => {
    const actor = context.get('actor');
    if (actor.kind !== 'user') return seeOther(context, '/login?notice=session-ended');
    const form = await readForm(context);
    checkRequestCsrf(context, actor, form.get('_csrf'));
    const next = safeNext(form.get('next'));
    if ((await ui.pendingStep(actor)) === 'second-factor') return seeOther(context, '/login/second-factor');
    const enrol = withNext('/enrol', next);
    // Nothing to step up from: no factor yet (a first enrolment), or one entered in the last 5 minutes.
    const user = await getUser(ui.access, actor, actor.id);
    if (user.totpEnabledAt === null || hasFreshSecondFactor(actor, ui.deps.clock))
      return seeOther(context, enrol);
    const refuse = (message: string, status: ContentfulStatusCode) =>
      sendPage(context, stepUpPage({ csrf: context.get('csrf'), next, error: message }), status);
    const code = form.get(stepUpFieldName).trim();
    if (code === '')
      return refuse(`Enter the code your app shows now, or a recovery code. ${nothingChanged}`, 400);
    const confirmed = await confirmStepUp(ui, context, code, nothingChanged);
    if ('refusal' in confirmed) return refuse(confirmed.refusal, confirmed.status);
    return seeOther(context, enrol);
  });

  app.post('/enrol', async (context) => {
    const actor = context.get('actor');
    if (actor.kind !== 'user') return seeOther(context, '/login?notice=session-ended');
    const form = await readForm(context);
    checkRequestCsrf(context, actor, form.get('_csrf'));
    const next = safeNext(form.get('next'));
    try {
      const { recoveryCodes, sessionsEnded } = await confirmEnrolment(ui.access, actor, {
        code: form.get('code'),
      });
      return sendPage(context, recoveryCodesPage(recoveryCodes, sessionsEnded, next));
    } catch (error) {
      if (!isRoostError(error, 'invalid_input')) throw error;
      const message =
        error.details?.reason === 'wrong_code'
          ? 'That code is not right. Check that your phone shows the right time, and enter the current code.'
          : 'Enter the 6-digit code your app shows.';
      const enrolment =
        (await sameEnrolment(form.get('secret'), form.get('otpauthUrl'))) ??
        (await startEnrolment(ui.access, actor));
      return sendPage(
        context,
        enrolPage({
          csrf: context.get('csrf'),
          next,
          label: actor.label,
          enrolment,
          error: sentence(message),
        }),
        400,
      );
    }
  });

  return app;
}
