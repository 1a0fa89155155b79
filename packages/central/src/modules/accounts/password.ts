import { dictionary } from '@zxcvbn-ts/language-common';
import argon2 from 'argon2';

export interface Argon2Params {
  memoryKib: number;
  iterations: number;
  parallelism: number;
}

const COMMON = new Set((dictionary as unknown as Record<string, string[]>)['passwords-common'] ?? []);

/**
 * Length (12+) is checked by the request schema; here: refuse passwords on the common-password
 * list, and ones that are a common password with digits or symbols around it ("Password2024!").
 * Returns the reason, or null when acceptable.
 */
export function passwordProblem(password: string, email?: string): string | null {
  if (COMMON.size === 0) throw new Error('common password list failed to load');
  const lower = password.toLowerCase();
  if (COMMON.has(lower)) return 'is on the list of common passwords';
  const stem = lower.replace(/^[\d\W_]+|[\d\W_]+$/g, '');
  if (stem.length >= 4 && COMMON.has(stem)) return 'is a common password with digits or symbols added';
  if (/^(.)\1+$/.test(password)) return 'repeats one character';
  const local = email?.split('@')[0]?.toLowerCase();
  if (local && local.length >= 4 && lower.includes(local)) return 'contains your email name';
  return null;
}

export function createPasswordHasher(params: Argon2Params) {
  const options = {
    type: argon2.argon2id,
    memoryCost: params.memoryKib,
    timeCost: params.iterations,
    parallelism: params.parallelism,
  } as const;
  // Verified against when the account does not exist, so timing does not reveal which emails exist.
  const dummy = argon2.hash('osiris-timing-equaliser', options);

  return {
    hash: (password: string) => argon2.hash(password, options),
    async verify(hash: string | null, password: string): Promise<boolean> {
      if (!hash) {
        await argon2.verify(await dummy, password).catch(() => false);
        return false;
      }
      return argon2.verify(hash, password).catch(() => false);
    },
    /** True when a hash was made with other parameters and should be replaced at next login. */
    needsRehash: (hash: string) => argon2.needsRehash(hash, options),
  };
}

export type PasswordHasher = ReturnType<typeof createPasswordHasher>;
