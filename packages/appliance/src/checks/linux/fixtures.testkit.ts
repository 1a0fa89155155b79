/**
 * Test helper: loads recorded collector outputs for a check from
 * packages/appliance/fixtures/linux/<checkId>/*.json. Test-only (reads files), so it lives beside
 * the checks but is imported only by *.test.ts files.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CollectorOutput } from '../check';

export interface LoadedFixture {
  name: string;
  source: string;
  output: CollectorOutput;
  expected: { status: string };
}

const FIXTURES_ROOT = fileURLToPath(new URL('../../../fixtures/linux/', import.meta.url));

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every fixture of a check, sorted by file name; throws on a malformed fixture so tests fail loudly. */
export function loadFixtures(checkId: string): LoadedFixture[] {
  const dir = `${FIXTURES_ROOT}${checkId}/`;
  const names = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  return names.map((file) => {
    const raw: unknown = JSON.parse(readFileSync(dir + file, 'utf8'));
    if (
      !isRecord(raw) ||
      typeof raw.source !== 'string' ||
      typeof raw.stdout !== 'string' ||
      typeof raw.exitCode !== 'number' ||
      !isRecord(raw.expected) ||
      typeof raw.expected.status !== 'string'
    ) {
      throw new Error(`malformed fixture ${checkId}/${file}`);
    }
    return {
      name: file.replace(/\.json$/, ''),
      source: raw.source,
      output: { stdout: raw.stdout, exitCode: raw.exitCode },
      expected: { status: raw.expected.status },
    };
  });
}
