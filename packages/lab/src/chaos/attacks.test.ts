import { checkById } from '@osiris/protocol';
import { describe, expect, it } from 'vitest';
import { ATTACK_CATEGORIES, ATTACKS } from './attacks';

describe('chaos attack catalog', () => {
  it('has at least 25 attacks over all six categories, each detected by a catalog check', () => {
    expect(ATTACKS.length).toBeGreaterThanOrEqual(25);
    expect(new Set(ATTACKS.map((a) => a.category))).toEqual(new Set(ATTACK_CATEGORIES));
    for (const attack of ATTACKS) {
      expect(checkById(attack.checkId), attack.id).toBeDefined();
      expect(attack.script.trim().length, attack.id).toBeGreaterThan(0);
    }
    expect(new Set(ATTACKS.map((a) => a.id)).size).toBe(ATTACKS.length);
  });

  it('includes a remediation that cuts off SSH, expected to be escalated rather than healed', () => {
    const trap = ATTACKS.find((a) => a.id === 'firewall-lockout-trap');
    expect(trap?.category).toBe('network');
    expect(trap?.checkId).toBe('linux.firewall.default-deny-input');
    expect(trap?.expect).toBe('escalated');
    // The live ruleset is opened and a persistent one that drops inbound without an SSH or
    // established/related accept is planted for the runbook to load.
    expect(trap?.script).toContain('policy accept');
    expect(trap?.script).toMatch(/cat > \/etc\/nftables\.conf/);
    const planted = trap?.script.split("<<'OSL_NFT'")[1]?.split('OSL_NFT')[0] ?? '';
    expect(planted).toContain('policy drop');
    expect(planted).not.toMatch(/dport[^\n]*\b22\b|\bssh\b|established/);
  });
});
