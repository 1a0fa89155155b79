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
});
