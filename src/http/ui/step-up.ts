import type { Context } from 'hono';
import { html } from 'hono/html';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { type Actor, can, confirmSecondFactor, hasFreshSecondFactor } from '../../auth/index.ts';
import { isRoostError } from '../../core/errors.ts';
import type { AdminEnv } from '../middleware/actor.ts';
import { field, formErrorId } from './components.ts';
import type { Ui } from './context.ts';
import type { Markup } from './layout.ts';
import { sentence } from './pages/login.ts';

/** The form field carrying a step-up code. */
export const stepUpFieldName = 'secondFactorCode';

/** Whether a form guarded by a fresh second factor should ask this admin for a code now. */
export function needsStepUp(ui: Ui, actor: Actor): boolean {
  return actor.kind === 'user' && can(actor, 'keys:export') && !hasFreshSecondFactor(actor, ui.deps.clock);
}

/**
 * The code asked for inline, in the form it guards: entered with the rest, it is confirmed first and the
 * action runs in the same submission. `invalid` ties it to the form's error (shown above the form).
 */
export function stepUpFieldset(options: { why: string; invalid: boolean }): Markup {
  return html`<fieldset class="step-up">
  <legend>Second factor</legend>
  ${field({
    name: stepUpFieldName,
    label: 'Code from your authenticator app',
    hint: `${options.why} The 6-digit code your app shows now, or one of your recovery codes.`,
    autocomplete: 'one-time-code',
    describedBy: options.invalid ? [formErrorId] : [],
    attributes: `inputmode="numeric" maxlength="40" spellcheck="false" autocapitalize="off"${options.invalid ? ' autofocus' : ''}`,
  })}
</fieldset>`;
}

export type StepUpResult = { actor: Actor } | { refusal: string; status: ContentfulStatusCode };

/**
 * Confirms a step-up code with the log-in's check, throttling and audit (a wrong, expired or replayed code
 * counts as a failed log-in); the actor returned has a fresh second factor for the rest of the request.
 */
export async function confirmStepUp(
  ui: Ui,
  context: Context<AdminEnv>,
  code: string,
  nothingDone: string,
): Promise<StepUpResult> {
  try {
    return { actor: (await confirmSecondFactor(ui.access, context.get('actor'), { code })).actor };
  } catch (error) {
    if (isRoostError(error, 'rate_limited'))
      return { refusal: `${sentence(error.message)} ${nothingDone}`, status: 429 };
    if (isRoostError(error, 'unauthenticated') || isRoostError(error, 'invalid_input'))
      return {
        refusal: `That code was not accepted: it is wrong, expired or already used. Check that your phone shows the right time and enter the code your app shows now. ${nothingDone}`,
        status: 401,
      };
    throw error;
  }
}
