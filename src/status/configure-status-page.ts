import { z } from 'zod';
import { type Actor, authorize } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import type { StatusDeps } from './deps.ts';
import { findLiveInstance } from './records.ts';
import { bumpStatusRevision } from './revision.ts';

const configureStatusPageInput = z.object({
  slug: z.string().max(100),
  /** The customer's name as the page shows it. */
  name: z.string().trim().min(1).max(200).optional(),
  /** An https URL of the customer's logo; null removes it. */
  logoUrl: z
    .url({ protocol: /^https$/ })
    .max(2_000)
    .nullable()
    .optional(),
  /** Monthly uptime target in percent (99 by default, R26). */
  slaTarget: z.number().min(50).max(100).optional(),
});

export interface StatusPageSettings {
  instanceId: string;
  slug: string;
  name: string;
  logoUrl: string | null;
  slaTarget: number;
}

/** Sets what an instance's status page shows about its customer and its SLA target (`status:write`). */
export async function configureStatusPage(
  deps: StatusDeps,
  actor: Actor,
  input: z.input<typeof configureStatusPageInput>,
): Promise<StatusPageSettings> {
  authorize(actor, 'status:write');
  const parsed = parseInput(configureStatusPageInput, input);
  const now = deps.clock.now();
  return deps.store.db.transaction().execute(async (trx) => {
    const instance = await findLiveInstance(trx, parsed.slug);
    await bumpStatusRevision(trx, [instance.id], now);
    const changes = {
      ...(parsed.name !== undefined ? { name: parsed.name } : {}),
      ...(parsed.logoUrl !== undefined ? { logo_url: parsed.logoUrl } : {}),
      ...(parsed.slaTarget !== undefined ? { sla_target: parsed.slaTarget } : {}),
    };
    const row = await trx
      .updateTable('status_pages')
      .set({ ...changes, updated_at: now.getTime() })
      .where('instance_id', '=', instance.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await deps.audit.append(
      {
        actor,
        action: 'status.page.configure',
        target: instance.id,
        result: 'ok',
        details: { slug: parsed.slug, ...changes },
      },
      { db: trx },
    );
    return {
      instanceId: instance.id,
      slug: instance.slug,
      name: row.name,
      logoUrl: row.logo_url,
      slaTarget: Number(row.sla_target),
    };
  });
}
