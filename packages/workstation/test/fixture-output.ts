import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CommandOutput } from '../src/command-runner';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

const fixture = (path: string): string => readFileSync(`${FIXTURES}${path}`, 'utf8');

/** A successful command whose stdout (or stderr) is the fixture file. */
export const fromFixture = (path: string, stream: 'stdout' | 'stderr' = 'stdout'): CommandOutput => ({
  stdout: stream === 'stdout' ? fixture(path) : '',
  stderr: stream === 'stderr' ? fixture(path) : '',
  exitCode: 0,
  isTimedOut: false,
  isMissing: false,
});

export const output = (partial: Partial<CommandOutput>): CommandOutput => ({
  stdout: '',
  stderr: '',
  exitCode: 0,
  isTimedOut: false,
  isMissing: false,
  ...partial,
});
