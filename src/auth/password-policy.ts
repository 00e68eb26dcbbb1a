import { RoostError } from '../core/errors.ts';
import { commonPasswords, commonSequences } from './common-passwords.ts';

export const minimumPasswordLength = 12;
/** Long passphrases are welcome; the cap only keeps one request from hashing megabytes. */
export const maximumPasswordLength = 1_024;

const leet: Record<string, string> = {
  '@': 'a',
  '4': 'a',
  '8': 'b',
  '3': 'e',
  '1': 'i',
  '!': 'i',
  '0': 'o',
  $: 's',
  '5': 's',
  '7': 't',
};

/** Throws `invalid_input` naming the rule a password breaks; the password itself never appears in the message. */
export function checkPasswordPolicy(password: string, context: { email?: string } = {}): void {
  const length = [...password].length;
  if (length < minimumPasswordLength) {
    throw new RoostError(
      'invalid_input',
      `the password is too short: use at least ${minimumPasswordLength} characters`,
      {
        reason: 'too_short',
      },
    );
  }
  if (length > maximumPasswordLength) {
    throw new RoostError(
      'invalid_input',
      `the password is too long: use at most ${maximumPasswordLength} characters`,
      {
        reason: 'too_long',
      },
    );
  }
  if (isCommon(password)) {
    throw new RoostError(
      'invalid_input',
      'this password is among the first ones attackers try: choose a longer or less usual one',
      {
        reason: 'common',
      },
    );
  }
  const localPart = context.email?.split('@')[0]?.toLowerCase() ?? '';
  if (localPart.length >= 3 && password.toLowerCase().includes(localPart)) {
    throw new RoostError('invalid_input', 'the password must not contain your email name', {
      reason: 'contains_email',
    });
  }
}

function isCommon(password: string): boolean {
  const lower = password.toLowerCase().normalize('NFKC');
  if (commonPasswords.has(lower)) return true;
  if (new Set(lower).size < 4) return true;
  if (isRepeatedChunk(lower)) return true;
  if (commonSequences.some((sequence) => sequence.includes(lower))) return true;
  // A common word with digits or symbols around it (`Summer2024!`, `P@ssw0rd123`), or the word repeated.
  const core = lower.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '');
  const candidates = [core, [...core].map((character) => leet[character] ?? character).join('')];
  for (const candidate of candidates) {
    if (candidate.length === 0) continue;
    if (commonPasswords.has(candidate)) return true;
    const chunk = repeatedChunk(candidate);
    if (chunk && commonPasswords.has(chunk)) return true;
  }
  return false;
}

function isRepeatedChunk(value: string): boolean {
  const chunk = repeatedChunk(value);
  return chunk !== undefined && chunk.length <= 6;
}

/** `abcabcabc` → `abc`; undefined when the value is not one chunk repeated. */
function repeatedChunk(value: string): string | undefined {
  for (let size = 1; size <= value.length / 2; size++) {
    if (value.length % size !== 0) continue;
    const chunk = value.slice(0, size);
    if (chunk.repeat(value.length / size) === value) return chunk;
  }
  return undefined;
}
