import type { KeySource } from './key-sources.ts';
import type { MasterKey } from './master-key.ts';

/** The master keys a vault instance holds: the current key first, then keys a rotation moves away from. */
export class Keyring {
  readonly source: KeySource;
  #keys: [MasterKey, ...MasterKey[]];

  constructor(source: KeySource, keys: MasterKey[]) {
    this.source = source;
    this.#keys = nonEmpty(keys);
  }

  get current(): MasterKey {
    return this.#keys[0];
  }

  get previous(): MasterKey[] {
    return this.#keys.slice(1);
  }

  find(masterKeyId: string): MasterKey | undefined {
    return this.#keys.find((key) => key.id === masterKeyId);
  }

  use(keys: MasterKey[]): void {
    this.#keys = nonEmpty(keys);
  }

  /** Re-reads the source, so keys written by another process (a rotation by the CLI) become known. */
  async reload(): Promise<void> {
    const keys = await this.source.load();
    if (keys && keys.length > 0) this.use(keys);
  }
}

function nonEmpty(keys: MasterKey[]): [MasterKey, ...MasterKey[]] {
  const [first, ...rest] = keys;
  if (!first) throw new Error('a keyring needs at least one master key');
  return [first, ...rest];
}
