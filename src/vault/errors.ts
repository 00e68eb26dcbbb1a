import { RoostError } from '../core/errors.ts';
import type { KeySource } from './key-sources.ts';
import type { MasterKey } from './master-key.ts';

/** One-line errors that say which key is expected and where the configured one came from. */
export function wrongMasterKey(source: KeySource, keys: MasterKey[], expectedIds: string[]): RoostError {
  const [current, ...previous] = keys;
  const alsoPrevious =
    previous.length > 0 ? ` (previous keys: ${previous.map((key) => key.id).join(', ')})` : '';
  return new RoostError(
    'invalid_config',
    `wrong master key: the vault's data keys are wrapped by master key ${expectedIds.join(', ')}, but the configured master key is ${current?.id ?? 'none'} from ${source.origin}${alsoPrevious}; configure the master key this vault was created with`,
    { expected: expectedIds, configured: current?.id, source: source.origin },
  );
}

export function missingMasterKey(source: KeySource, expectedIds: string[]): RoostError {
  const missing =
    source.kind === 'key-file'
      ? `the master key file ${source.keyFile} does not exist`
      : `${source.origin} was given but this vault was not created with a passphrase (no scrypt salt in vault_meta)`;
  return new RoostError(
    'invalid_config',
    `missing master key: the vault's data keys are wrapped by master key ${expectedIds.join(', ')}, but ${missing}; restore the key file or set ROOST_MASTER_KEY to that key (nothing was written)`,
    { expected: expectedIds, source: source.origin },
  );
}

export function secretAltered(owner: string, name: string): RoostError {
  return new RoostError(
    'internal',
    `secret ${owner}/${name} failed authentication: the ciphertext was altered or belongs to another owner/name`,
    { owner, name },
  );
}

export function dataKeyAltered(dataKeyId: string, masterKeyId: string): RoostError {
  return new RoostError(
    'internal',
    `data key ${dataKeyId} failed authentication under master key ${masterKeyId}: the wrapped key was altered`,
    { dataKeyId, masterKeyId },
  );
}
