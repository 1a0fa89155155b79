import { expect } from 'vitest';
import type { Evaluation } from './check';

/** What every evaluation must look like: a known status, one clear sentence, small observed facts. */
export function expectWellFormed(evaluation: Evaluation): void {
  expect(['pass', 'fail', 'error']).toContain(evaluation.status);
  expect(evaluation.reason.length).toBeGreaterThan(10);
  expect(evaluation.reason).toMatch(/[.!]$/);
  expect(JSON.stringify(evaluation.observed).length).toBeLessThan(8 * 1024);
  expect(Object.keys(evaluation.observed).length).toBeLessThanOrEqual(60);
}
