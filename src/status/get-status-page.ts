import { z } from 'zod';
import { type Actor, authorize } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import type { StatusPageSettings } from './configure-status-page.ts';
import type { StatusDeps } from './deps.ts';
import { type Component, findLiveInstance, pageAndComponents } from './records.ts';

const getStatusPageInput = z.object({ slug: z.string().max(100) });

/** An instance's status page settings and components in page order (`status:read`). */
export async function getStatusPage(
  deps: Pick<StatusDeps, 'store'>,
  actor: Actor,
  input: z.input<typeof getStatusPageInput>,
): Promise<{ settings: StatusPageSettings; components: Component[] }> {
  authorize(actor, 'status:read');
  const { slug } = parseInput(getStatusPageInput, input);
  const { db } = deps.store;
  const instance = await findLiveInstance(db, slug);
  const { page, components } = await pageAndComponents(db, instance.id);
  return {
    settings: {
      instanceId: instance.id,
      slug: instance.slug,
      name: page?.name ?? instance.customer,
      logoUrl: page?.logo_url ?? null,
      slaTarget: page ? Number(page.sla_target) : 99,
    },
    components,
  };
}
