import { z } from 'zod';
import { RoostError } from '../core/errors.ts';
import type { Actor } from './actor.ts';

/** Validates an operation's input; the first problem becomes a one-line `invalid_input` message. */
export function parseInput<Schema extends z.ZodType>(schema: Schema, input: unknown): z.output<Schema> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  const first = issues[0];
  throw new RoostError(
    'invalid_input',
    first ? `${first.path || 'input'}: ${first.message}` : 'invalid input',
    { issues },
  );
}

/** An email as stored: trimmed, lower case. */
export const emailSchema = z.string().trim().toLowerCase().pipe(z.email().max(320));

/** Emails are compared lower-cased and trimmed. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Some acts belong to a person logged in through a session, never to a token or the local CLI. */
export function requireUserSession(actor: Actor, what: string): void {
  if (actor.kind === 'anonymous') throw new RoostError('unauthenticated', 'log in first');
  if (actor.kind !== 'user')
    throw new RoostError('forbidden', `${what} needs a person logged in to the admin UI`);
}

/** A session that still owes its second factor (or its enrolment) carries no permission and may change nothing. */
export function requireCompleteLogin(actor: Actor): void {
  if (actor.permissions.size === 0) {
    throw new RoostError(
      'forbidden',
      'finish logging in first: enter your second-factor code or set one up',
      {
        reason: 'second_factor_required',
      },
    );
  }
}
