export {
  apiTokenPrefix,
  generateSecret,
  type SecretKind,
  secretEntropyBits,
  secretKinds,
} from './generate.ts';
export type { KeySourceKind } from './key-sources.ts';
export { masterKeyId } from './master-key.ts';
export { defaultScryptParams, type ScryptParams } from './passphrase.ts';
export type { RandomSource } from './random.ts';
export type { RotationResult } from './rotate.ts';
export { openVault, type SecretMetadata, type Vault, type VaultDeps, type VaultOptions } from './vault.ts';
