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

/** How a form guarded by a fresh second factor words its refusals. */
export interface GuardedAction {
  /** `Restoring into a production instance`: what needs the fresh factor. */
  what: string;
  /** `start the restore again; your choices are kept.` */
  again: string;
  /** `Nothing was restored.` */
  nothingDone: string;
  /** Said to someone who is not an admin with a fresh second factor. */
  adminOnly: string;
}

/**
 * A `forbidden` refusal of a guarded action in the form's words: a stale second factor asks for the code
 * (field `code`), a missing permission says who may; undefined for what the form does not answer (CSRF,
 * anything but `forbidden`).
 */
export function forbiddenRefusal(
  error: unknown,
  action: GuardedAction,
): { message: string; field?: 'code'; status: ContentfulStatusCode } | undefined {
  if (!isRoostError(error, 'forbidden') || error.details?.reason === 'csrf') return undefined;
  if (error.details?.reason === 'second_factor_required')
    return {
      message: `${action.what} needs a second-factor code entered in the last 5 minutes. Enter the code your app shows now and ${action.again} ${action.nothingDone}`,
      field: 'code',
      status: 403,
    };
  const message =
    error.details?.permission === 'keys:export'
      ? action.adminOnly
      : `${sentence(error.message)} ${action.nothingDone}`;
  return { message, status: 403 };
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
