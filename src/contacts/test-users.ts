// Users as bare rows for the contact and incident tests: these domains need a user to exist with a role, not
// to log in.
import type { Clock } from '../core/clock.ts';
import { newId } from '../core/ids.ts';
import type { Store } from '../store/index.ts';

export async function insertUserRow(
  store: Store,
  clock: Clock,
  email: string,
  role: string,
  options: { disabled?: boolean } = {},
): Promise<string> {
  const now = clock.now().getTime();
  const id = newId('usr', clock.now());
  await store.db
    .insertInto('users')
    .values({
      id,
      email,
      name: email.split('@')[0] ?? email,
      role,
      password_hash: 'scrypt$1$1$1$AA==$AA==',
      password_changed_at: now,
      totp_enabled_at: null,
      disabled_at: options.disabled ? now : null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return id;
}
