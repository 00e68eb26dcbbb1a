import { randomBytes } from 'node:crypto';

/** Where keys, nonces, salts and generated secrets get their bytes; injectable for tests. */
export type RandomSource = (size: number) => Buffer;

export const cryptoRandom: RandomSource = (size) => randomBytes(size);
