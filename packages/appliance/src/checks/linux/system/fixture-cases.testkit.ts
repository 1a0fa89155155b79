/**
 * Test helper for the accounts, files and system groups: runs every recorded fixture of each check
 * through its evaluator and holds every result to the Evaluation contract. Test-only.
 */
import { LINUX_CHECKS } from '@osiris/protocol';
import { describe, expect, it } from 'vitest';
import type { LinuxCheck } from '../../check';
import { expectWellFormed } from '../../evaluation.testkit';
import { loadFixtures } from '../fixtures.testkit';

export function describeRecordedFixtures(group: string, checks: readonly LinuxCheck[]): void {
  describe(`${group} checks on recorded outputs`, () => {
    it('implements only catalog checks, each once', () => {
      const catalogIds = new Set(LINUX_CHECKS.map((c) => c.id));
      for (const check of checks) expect(catalogIds.has(check.id), check.id).toBe(true);
      expect(new Set(checks.map((c) => c.id)).size).toBe(checks.length);
    });

    for (const check of checks) {
      const fixtures = loadFixtures(check.id);

      it(`${check.id} has outputs recorded on this machine and a lab host, and hand-made garbage`, () => {
        expect(fixtures.some((f) => f.source.startsWith('recorded on the OsirisCare development machine'))).toBe(true);
        expect(fixtures.some((f) => f.source.includes('lab host'))).toBe(true);
        expect(fixtures.some((f) => f.source.startsWith('hand-written'))).toBe(true);
      });

      for (const fixture of fixtures) {
        it(`${check.id}: ${fixture.name} evaluates to ${fixture.expected.status}`, () => {
          const evaluation = check.evaluate(fixture.output);
          expectWellFormed(evaluation);
          expect(evaluation.status, evaluation.reason).toBe(fixture.expected.status);
          if (fixture.source.startsWith('hand-written')) expect(evaluation.status).toBe('error');
        });
      }

      it(`${check.id} never throws on junk input`, () => {
        const junk = [
          { stdout: '', exitCode: 0 },
          { stdout: '\u0000\u0001binary\n', exitCode: 0 },
          { stdout: 'end=ok\n', exitCode: 0 },
          { stdout: 'a=b|c|d\nend=ok\n', exitCode: 0 },
          { stdout: 'x'.repeat(600_000), exitCode: 0 },
          { stdout: 'end=ok\n', exitCode: 127 },
        ];
        for (const output of junk) {
          const evaluation = check.evaluate(output);
          expectWellFormed(evaluation);
          expect(evaluation.status).toBe('error');
        }
      });
    }
  });
}
