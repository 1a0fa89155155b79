import { LINUX_CHECKS } from '@osiris/protocol';
import { describe, expect, it } from 'vitest';
import { builtinPack } from './packs';
import { parseRules } from '@osiris/protocol';

describe('built-in rule packs', () => {
  const full = builtinPack('full_coverage', LINUX_CHECKS);
  const standard = builtinPack('standard', LINUX_CHECKS);
  const healable = LINUX_CHECKS.filter((check) => check.healable);

  it('full_coverage has one rule per healable check, running that check’s runbook', () => {
    expect(full.map((rule) => rule.action).sort()).toEqual(healable.map((check) => `rb-${check.id}`).sort());
    for (const rule of full) {
      expect(rule.conditions).toContainEqual({ field: 'checkId', operator: 'eq', value: rule.action.slice(3) });
    }
  });

  it('never heals a check the catalog marks as not healable', () => {
    const notHealable = new Set(LINUX_CHECKS.filter((check) => !check.healable).map((check) => `rb-${check.id}`));
    expect(full.filter((rule) => notHealable.has(rule.action))).toEqual([]);
  });

  it('standard is a non-empty strict subset of full_coverage, leaving SSH reloads and service removals out', () => {
    const fullIds = new Set(full.map((rule) => rule.id));
    expect(standard.length).toBeGreaterThan(0);
    expect(standard.length).toBeLessThan(full.length);
    for (const rule of standard) expect(fullIds.has(rule.id)).toBe(true);
    expect(standard.filter((rule) => /^rb-linux\.(ssh|service)\./.test(rule.action))).toEqual([]);
  });

  it('both packs pass the rule schema unchanged', () => {
    for (const pack of [full, standard]) {
      const parsed = parseRules(pack);
      expect(parsed.ok && parsed.rules).toEqual(pack);
    }
  });
});
