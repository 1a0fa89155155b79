import { WINDOWS_CHECKS } from '@osiris/protocol';
import { expectWellFormed } from '../evaluation.testkit';
import { describe, expect, it } from 'vitest';
import { fixtureCheckIds, loadWindowsFixtures } from './fixtures.testkit';
import { WINDOWS_CHECK_IMPLEMENTATIONS } from './index';
import { powershellProblems } from './powershell-syntax.testkit';

describe('Windows check implementations', () => {
  it('implement exactly the Windows checks of the catalog, each once', () => {
    const implemented = WINDOWS_CHECK_IMPLEMENTATIONS.map((check) => check.id);
    expect(new Set(implemented).size).toBe(implemented.length);
    expect([...implemented].sort()).toEqual(WINDOWS_CHECKS.map((check) => check.id).sort());
  });

  it('have a fixture directory for every check and none for unknown checks', () => {
    expect(fixtureCheckIds()).toEqual(WINDOWS_CHECK_IMPLEMENTATIONS.map((check) => check.id).sort());
  });

  for (const check of WINDOWS_CHECK_IMPLEMENTATIONS) {
    it(`${check.id}: collector is PowerShell that prints one compressed JSON object`, () => {
      expect(check.collector).toContain('ConvertTo-Json -InputObject $Value -Compress -Depth 4');
      expect(check.collector).toMatch(/\$ErrorActionPreference = 'Stop'/);
      expect(check.collector).not.toMatch(/#!\/bin\/sh|\bgrep\b|\bawk\b/);
      expect(powershellProblems(check.collector)).toEqual([]);
    });

    const fixtures = loadWindowsFixtures(check.id);

    it(`${check.id} has pass, fail and error samples`, () => {
      const statuses = new Set(fixtures.map((fixture) => fixture.expected));
      expect(statuses).toEqual(new Set(['pass', 'fail', 'error']));
    });

    for (const fixture of fixtures) {
      it(`${check.id}: ${fixture.name} evaluates to ${fixture.expected}`, () => {
        const evaluation = check.evaluate(fixture.output);
        expectWellFormed(evaluation);
        expect(evaluation.status, evaluation.reason).toBe(fixture.expected);
      });
    }

    it(`${check.id} never throws and reports an error on junk`, () => {
      const junk = [
        { stdout: '', exitCode: 0 },
        { stdout: '\u0000\u0001binary\n', exitCode: 0 },
        { stdout: '[]', exitCode: 0 },
        { stdout: 'null', exitCode: 0 },
        { stdout: '{"unexpected":true}', exitCode: 0 },
        { stdout: 'x'.repeat(600_000), exitCode: 0 },
        { stdout: '', exitCode: 1 },
      ];
      for (const output of junk) {
        const evaluation = check.evaluate(output);
        expectWellFormed(evaluation);
        expect(evaluation.status).toBe('error');
      }
    });

    it(`${check.id} does not judge a passing sample that came with a failed exit code`, () => {
      const passing = fixtures.find((fixture) => fixture.expected === 'pass');
      expect(passing).toBeDefined();
      if (passing) expect(check.evaluate({ ...passing.output, exitCode: 1 }).status).toBe('error');
    });
  }
});

describe('PowerShell plausibility check', () => {
  it('accepts balanced code with quotes, escapes and comments', () => {
    expect(powershellProblems(`$a = @{ b = 'it''s (' ; c = "x\`"}" } # ) {\n$d = [int]('1')`)).toEqual([]);
  });

  it('rejects unbalanced brackets and unterminated strings', () => {
    expect(powershellProblems('if ($a) { $b = 1')).not.toEqual([]);
    expect(powershellProblems("$a = 'open")).not.toEqual([]);
    expect(powershellProblems('$a = (1]')).not.toEqual([]);
    expect(powershellProblems('$a = "x')).not.toEqual([]);
  });

  it('rejects assignments to automatic variables such as $pid and $profile', () => {
    expect(powershellProblems('$pid = 4')).not.toEqual([]);
    expect(powershellProblems('foreach ($profile in $all) { }')).not.toEqual([]);
    expect(powershellProblems('$null = 1; if ($pid -eq 4) { $pidValue = 1 }')).toEqual([]);
  });
});
