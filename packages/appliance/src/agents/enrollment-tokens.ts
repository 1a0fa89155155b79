import { randomBytes, randomUUID } from 'node:crypto';
import { hashEnrollmentToken } from './agent.service';
import type { AgentsStore, EnrollmentTokenRow } from './agents.store';

const TOKEN_PREFIX = 'osiris-enroll-';
export const MAX_TOKEN_USES = 10_000;
const MAX_TTL_MS = 365 * 86_400_000;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Parses `30m`, `12h`, `7d` into milliseconds; null for anything else or beyond a year. */
export function parseDurationMs(text: string): number | null {
  const match = /^(\d{1,6})([mhd])$/.exec(text.trim());
  if (!match) return null;
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  return ms > 0 && ms <= MAX_TTL_MS ? ms : null;
}

/**
 * Site enrollment tokens: 256 random bits shown once at creation; the store keeps only their
 * SHA-256, the use limit and the expiry.
 */
export function createEnrollmentTokens(deps: { agents: AgentsStore; now?: () => Date }) {
  const now = deps.now ?? (() => new Date());
  return {
    create(options: { maxUses: number; ttlMs: number }): { tokenId: string; token: string; expiresAt: string } {
      if (!Number.isInteger(options.maxUses) || options.maxUses < 1 || options.maxUses > MAX_TOKEN_USES)
        throw new RangeError(`uses must be a whole number from 1 to ${MAX_TOKEN_USES}`);
      if (!(options.ttlMs > 0 && options.ttlMs <= MAX_TTL_MS)) throw new RangeError('expiry must be within a year');
      const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
      const tokenId = randomUUID();
      const createdAt = now();
      const expiresAt = new Date(createdAt.getTime() + options.ttlMs).toISOString();
      deps.agents.createToken({
        tokenId,
        tokenHash: hashEnrollmentToken(token),
        maxUses: options.maxUses,
        expiresAt,
        createdAt: createdAt.toISOString(),
      });
      return { tokenId, token, expiresAt };
    },
    list(): EnrollmentTokenRow[] {
      return deps.agents.listTokens();
    },
    revoke(tokenId: string): boolean {
      return deps.agents.revokeToken(tokenId, now());
    },
  };
}
