/** Runs every recorded fixture of the given checks through their evaluators (shared by the group tests). */
import { describe, expect, it } from 'vitest';
import type { LinuxCheck } from '../../check';
import { loadFixtures } from '../fixtures.testkit';

export function describeFixtures(checks: readonly LinuxCheck[]): void {
  for (const check of checks) {
    describe(check.id, () => {
      const fixtures = loadFixtures(check.id);
      it('has recorded real-host fixtures and hand-written error fixtures', () => {
        expect(fixtures.some((f) => f.name.startsWith('lab-'))).toBe(true);
        expect(fixtures.some((f) => f.name === 'debian12-machine')).toBe(true);
        expect(fixtures.filter((f) => f.source.startsWith('hand-written')).length).toBeGreaterThanOrEqual(3);
      });
      for (const fixture of fixtures) {
        it(`${fixture.name} evaluates to ${fixture.expected.status}`, () => {
          const result = check.evaluate(fixture.output);
          expect(result.status, result.reason).toBe(fixture.expected.status);
          expect(result.reason).toMatch(/^[A-Za-z/].{10,}\.$/);
          expect(JSON.stringify(result.observed).length).toBeLessThan(4096);
          expect(check.evaluate(fixture.output)).toEqual(result);
        });
      }
    });
  }
}
