import { z } from 'zod';
import { type Actor, authorize } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import { RoostError } from '../core/errors.ts';
import type { ErasureCertificate } from './certificate.ts';
import type { InstanceDeps } from './deps.ts';
import { findInstance, slugSchema } from './records.ts';

const getCertificateInput = z.object({ slug: slugSchema });

/** The signed erasure certificate of a decommissioned instance, exactly as issued (`instances:read`). */
export async function getCertificate(
  deps: Pick<InstanceDeps, 'store'>,
  actor: Actor,
  input: z.input<typeof getCertificateInput>,
): Promise<ErasureCertificate> {
  authorize(actor, 'instances:read');
  const { slug } = parseInput(getCertificateInput, input);
  const instance = await findInstance(deps.store.db, slug);
  const row = await deps.store.db
    .selectFrom('erasure_certificates')
    .select('body')
    .where('instance_id', '=', instance.id)
    .executeTakeFirst();
  if (!row)
    throw new RoostError(
      'not_found',
      `instance ${slug} has no erasure certificate (it is ${instance.state})`,
      {
        slug,
        state: instance.state,
      },
    );
  return JSON.parse(row.body) as ErasureCertificate;
}
