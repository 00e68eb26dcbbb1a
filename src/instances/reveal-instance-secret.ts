import { z } from 'zod';
import { type Actor, authorize, requireFreshSecondFactor } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import { RoostError } from '../core/errors.ts';
import { stackSecretNames } from '../runtime/index.ts';
import type { InstanceDeps } from './deps.ts';
import { findInstance, slugSchema } from './records.ts';

const revealInstanceSecretInput = z.object({ slug: slugSchema, name: z.enum(stackSecretNames) });

/** Reveals one of an instance's secrets: admins with a second factor from the last 5 minutes; audited. */
export async function revealInstanceSecret(
  deps: Pick<InstanceDeps, 'store' | 'vault' | 'clock' | 'audit'>,
  actor: Actor,
  input: z.input<typeof revealInstanceSecretInput>,
): Promise<{ slug: string; name: string; value: string }> {
  authorize(actor, 'secrets:reveal');
  const { slug, name } = parseInput(revealInstanceSecretInput, input);
  const row = await findInstance(deps.store.db, slug);
  const target = `${row.id}/${name}`;
  try {
    requireFreshSecondFactor(actor, deps.clock);
  } catch (error) {
    await deps.audit.append({
      actor,
      action: 'instance.secret.reveal',
      target,
      result: 'denied',
      details: { slug, reason: 'second_factor_required' },
    });
    throw error;
  }
  if (row.state === 'decommissioned') throw new RoostError('not_found', `instance ${slug} is decommissioned`);
  const value = await deps.vault.reveal(row.id, name);
  await deps.audit.append({
    actor,
    action: 'instance.secret.reveal',
    target,
    result: 'ok',
    details: { slug },
  });
  return { slug, name, value };
}
