/**
 * Test helper: loads the documented-format samples for a Windows check from
 * packages/appliance/fixtures/windows/<checkId>/*.json. No Windows host runs here, so every
 * fixture says which documentation its output was written from. Test-only.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { CollectorOutput } from '../check';

const FIXTURES_ROOT = fileURLToPath(new URL('../../../fixtures/windows/', import.meta.url));

const Fixture = z.strictObject({
  source: z.string().regex(/^documented-format sample: written from .+; no Windows host ran here$/),
  stdout: z.string(),
  exitCode: z.number().int(),
  expected: z.strictObject({ status: z.enum(['pass', 'fail', 'error']) }),
});

export interface WindowsFixture {
  name: string;
  output: CollectorOutput;
  expected: 'pass' | 'fail' | 'error';
}

/** The check ids that have a fixture directory. */
export const fixtureCheckIds = (): string[] => readdirSync(FIXTURES_ROOT).sort();

/** Every fixture of a check, sorted by file name; throws on a malformed fixture so tests fail loudly. */
export function loadWindowsFixtures(checkId: string): WindowsFixture[] {
  const dir = `${FIXTURES_ROOT}${checkId}/`;
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      const parsed = Fixture.safeParse(JSON.parse(readFileSync(dir + file, 'utf8')));
      if (!parsed.success) throw new Error(`malformed fixture ${checkId}/${file}: ${parsed.error.message}`);
      const { stdout, exitCode, expected } = parsed.data;
      return { name: file.replace(/\.json$/, ''), output: { stdout, exitCode }, expected: expected.status };
    });
}
