import { z } from 'zod';
import { type Actor, authorize } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import type { MigrationDeps } from './deps.ts';
import { dnsKeyName, dnsKeyOwner } from './dns.ts';

const setDnsKeyInput = z.object({
  /** The TSIG secret, base64 as `tsig-keygen` prints it. */
  secret: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9+/]{16,}={0,2}$/, 'the base64 secret of a TSIG key (tsig-keygen -a hmac-sha256)'),
});

/** Stores the TSIG secret of the name switch in the vault (`settings:write`, admins); audited, never shown. */
export async function setDnsKey(
  deps: Pick<MigrationDeps, 'vault' | 'audit'>,
  actor: Actor,
  input: z.input<typeof setDnsKeyInput>,
): Promise<{ stored: true }> {
  authorize(actor, 'settings:write');
  const { secret } = parseInput(setDnsKeyInput, input);
  await deps.vault.put(dnsKeyOwner, dnsKeyName, 'tsig-key', secret);
  await deps.audit.append({
    actor,
    action: 'dns.key.set',
    target: dnsKeyOwner,
    result: 'ok',
    details: { name: dnsKeyName },
  });
  return { stored: true };
}
