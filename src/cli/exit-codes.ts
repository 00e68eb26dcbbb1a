import type { ErrorCode } from '../core/errors.ts';

/** Documented exit codes: 0 ok, 1 failure, 2 usage or configuration error, 3 not found, 4 conflict. */
export const exitCodes = { ok: 0, failure: 1, usage: 2, notFound: 3, conflict: 4 } as const;

export const exitCodeOf: Record<ErrorCode, number> = {
  invalid_input: exitCodes.usage,
  invalid_config: exitCodes.usage,
  not_found: exitCodes.notFound,
  conflict: exitCodes.conflict,
  forbidden: exitCodes.failure,
  unauthenticated: exitCodes.failure,
  rate_limited: exitCodes.failure,
  unavailable: exitCodes.failure,
  internal: exitCodes.failure,
};
