import type { Context } from 'hono';
import { html } from 'hono/html';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Actor } from '../../auth/actor.ts';
import { isRoostError } from '../../core/errors.ts';
import type { Logger } from '../../observability/index.ts';
import { httpStatusOf } from '../errors.ts';
import type { AdminEnv } from '../middleware/actor.ts';
import { loginRedirect } from './guard.ts';
import { appPage, authPage, type Markup } from './layout.ts';
import { sendPage } from './respond.ts';

interface Explanation {
  title: string;
  text: string;
  status: ContentfulStatusCode;
}

function explain(error: unknown): Explanation {
  if (!isRoostError(error) || error.code === 'internal') {
    return {
      title: 'Something went wrong',
      text: 'Roost could not finish this request. The error is logged; try again, and tell an admin if it keeps happening.',
      status: 500,
    };
  }
  const status = httpStatusOf[error.code];
  if (error.code === 'forbidden' && error.details?.reason === 'csrf') {
    return {
      title: 'Request refused',
      text: 'This form did not come from a page of this Roost, or the page was open too long. Go back, reload the page and try again.',
      status,
    };
  }
  if (error.code === 'forbidden') {
    const permission =
      typeof error.details?.permission === 'string'
        ? ` It needs the permission ${error.details.permission}.`
        : '';
    return {
      title: 'You do not have access to this',
      text: `Your role does not allow this page or action.${permission} Ask an admin if you need it.`,
      status,
    };
  }
  if (error.code === 'not_found') return { title: 'Not found', text: error.message, status };
  if (error.code === 'rate_limited') return { title: 'Too many attempts', text: error.message, status };
  return { title: 'This did not work', text: error.message, status };
}

/**
 * The error page of the admin UI: what went wrong in words, a way back, never a stack trace. Unknown
 * errors are logged; a missing login sends the visitor to the log-in page instead.
 */
export function uiErrorResponse(
  context: Context<AdminEnv>,
  error: unknown,
  logger: Logger,
): Promise<Response> | Response {
  if (isRoostError(error, 'unauthenticated') && context.req.method === 'GET') return loginRedirect(context);
  if (!isRoostError(error) || error.code === 'internal')
    logger.error({ err: error, path: context.req.path }, 'page failed');
  const explanation = explain(error);
  return sendPage(context, errorPage(context, explanation), explanation.status);
}

/** The 404 page of paths the UI does not know. */
export function uiNotFound(context: Context<AdminEnv>): Promise<Response> {
  return sendPage(
    context,
    errorPage(context, {
      title: 'Page not found',
      text: 'There is no page at this address. Check the link, or start from the overview.',
      status: 404,
    }),
    404,
  );
}

function errorPage(context: Context<AdminEnv>, explanation: Explanation): Markup {
  // Undefined when the error came before the actor was resolved.
  const actor: Actor | undefined = context.get('actor');
  const body = html`<h1>${explanation.title}</h1>
<p>${explanation.text}</p>
<p class="muted">HTTP ${explanation.status}</p>
<p><a class="button secondary" href="/">Back to the overview</a></p>`;
  if (actor && actor.kind !== 'anonymous' && actor.permissions.size > 0) {
    return appPage({ title: explanation.title, actor, csrf: context.get('csrf') ?? null, current: '', body });
  }
  return authPage({ title: explanation.title, body });
}
