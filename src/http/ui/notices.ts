import { html } from 'hono/html';
import { alert } from './components.ts';
import type { Markup } from './layout.ts';

/**
 * Messages shown after a redirect (`?notice=token-revoked`). Only these fixed texts: a link cannot make
 * the page say anything else.
 */
const notices = {
  'logged-out': ['info', 'You are logged out.'],
  'logged-out-everywhere': ['info', 'You are logged out on every device.'],
  'session-ended': [
    'info',
    'Your session has ended (inactivity, its time limit, or a log-out elsewhere). Log in again to continue.',
  ],
  'token-revoked': ['success', 'The token is revoked: requests using it are refused from now on.'],
  'user-created': [
    'success',
    'The user is created. They log in with the password you set and will be asked to set up a second factor if their role needs one.',
  ],
  'user-disabled': ['success', 'The user is disabled; their sessions and API tokens are revoked.'],
  'user-enabled': ['success', 'The user is enabled again. Their old sessions and tokens stay revoked.'],
  'ban-lifted': ['success', 'The ban is lifted.'],
  'setup-done': ['success', 'Roost is set up. Log in with the account you just created.'],
} as const;

export type NoticeName = keyof typeof notices;

export function notice(name: string | undefined): Markup {
  if (!name || !Object.hasOwn(notices, name)) return html``;
  const [kind, text] = notices[name as NoticeName];
  return alert(kind, text);
}
