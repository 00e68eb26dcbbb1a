import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { type ErrorCode, isRoostError } from '../core/errors.ts';
import type { Logger } from '../observability/index.ts';
import { jsonResponse } from './json.ts';

/** The one table from error codes to HTTP statuses. */
export const httpStatusOf: Record<ErrorCode, ContentfulStatusCode> = {
  invalid_input: 400,
  invalid_config: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

/** One error body shape: `{ error: { code, message, details } }`; internal errors never leak their text. */
export function errorResponse(context: Context, error: unknown, logger: Logger): Response {
  if (isRoostError(error) && error.code !== 'internal') {
    const status = error.details?.reason === 'unsupported_media_type' ? 415 : httpStatusOf[error.code];
    return jsonResponse(
      { error: { code: error.code, message: error.message, details: error.details ?? {} } },
      status,
    );
  }
  logger.error({ err: error, path: context.req.path }, 'request failed');
  return jsonResponse({ error: { code: 'internal', message: 'internal error', details: {} } }, 500);
}
