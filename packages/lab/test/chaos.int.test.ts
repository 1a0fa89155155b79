import { describe, expect, it } from 'vitest';
import { ATTACK_CATEGORIES, ATTACKS } from '../src/chaos/attacks';
import { renderChaosHtml } from '../src/chaos/report';
import { runChaos } from '../src/chaos/run';

/** One attack of every category (a healable one where the category has one), so the short run crosses the whole pipeline. */
const SAMPLE = ['ssh-x11', 'icmp-redirects', 'telnet-server', 'core-dumps', 'uid0-backdoor', 'shadow-readable'];
const INTERVAL_SECONDS = 20;

/**
 * The short chaos run CI does (issue 4): one lab host, one round, one attack per category. The
 * full catalog (3 hosts × 3 rounds) is `npx osiris-lab chaos`; its numbers are in the README.
 */
describe('chaos lab, short run', () => {
  it('samples every category', () => {
    const categories = SAMPLE.map((id) => ATTACKS.find((a) => a.id === id)?.category);
    expect(new Set(categories)).toEqual(new Set(ATTACK_CATEGORIES));
  });

  it('detects every attack, heals those with a safe runbook in time, and proves it with verified evidence', async () => {
    const lines: string[] = [];
    const report = await runChaos({
      hosts: 1,
      rounds: 1,
      attackIds: SAMPLE,
      intervalSeconds: INTERVAL_SECONDS,
      roundTimeoutSeconds: 120,
      progress: (line) => lines.push(line),
    });
    expect(report.rows).toHaveLength(SAMPLE.length);
    expect(lines.some((l) => l.includes('attacks launched'))).toBe(true);
    expect(report.detectionRate).toBe(1);
    expect(report.rows.filter((r) => r.hasSafeRunbook).length).toBeGreaterThanOrEqual(3);
    expect(report.healRate).toBeGreaterThanOrEqual(0.95);
    expect(report.medianTimeToHealMs).not.toBeNull();
    expect(report.medianTimeToHealMs ?? Number.POSITIVE_INFINITY).toBeLessThanOrEqual(INTERVAL_SECONDS * 1000 + 30_000);
    expect(report.chainVerified).toBe(true);
    for (const row of report.rows.filter((r) => r.healed)) expect(row.evidenceVerified, row.attackId).toBe(true);
    const html = renderChaosHtml(report);
    expect(html).toContain('<svg');
    for (const id of SAMPLE) expect(html).toContain(id);
  }, 300_000);
});
