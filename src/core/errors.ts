/** Error codes every operation may throw; the edge (HTTP, CLI) maps them once. */
export type ErrorCode =
  | 'invalid_input'
  | 'invalid_config'
  | 'not_found'
  | 'conflict'
  | 'forbidden'
  | 'unauthenticated'
  | 'rate_limited'
  | 'unavailable'
  | 'internal';

export class RoostError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RoostError';
    this.code = code;
    this.details = details;
  }
}

export function isRoostError(value: unknown, code?: ErrorCode): value is RoostError {
  return value instanceof RoostError && (code === undefined || value.code === code);
}

/** A one-line description of any thrown value, for logs and CLI output. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
