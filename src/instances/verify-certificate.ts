import { type Actor, authorize } from '../auth/actor.ts';
import { type CertificateVerdict, installationPublicKey, keyIdOf, verifyCertificate } from './certificate.ts';
import type { InstanceDeps } from './deps.ts';

/**
 * Checks a certificate's signature with the key it carries and that the key is this installation's
 * (`instances:read`). An installation that never signed anything trusts no key.
 */
export async function verifyInstallationCertificate(
  deps: Pick<InstanceDeps, 'vault'>,
  actor: Actor,
  certificate: unknown,
): Promise<CertificateVerdict> {
  authorize(actor, 'instances:read');
  const trusted = await installationPublicKey(deps.vault);
  const verdict = verifyCertificate(certificate, trusted, "this installation's key");
  if (verdict.valid && trusted === undefined)
    return {
      valid: false,
      reason: `signed by ${verdict.keyId}, but this installation has never signed a certificate`,
    };
  return verdict;
}

/** The installation's public key, to verify certificates elsewhere; undefined until the first is signed. */
export async function installationKey(
  deps: Pick<InstanceDeps, 'vault'>,
  actor: Actor,
): Promise<{ keyId: string; publicKey: string } | undefined> {
  authorize(actor, 'instances:read');
  const publicKey = await installationPublicKey(deps.vault);
  return publicKey === undefined ? undefined : { keyId: keyIdOf(publicKey), publicKey };
}
