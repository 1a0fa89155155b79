import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { scriptPrelude } from '../script-env';
import { LINUX_RUNBOOKS } from '.';

/** Every script variant of every Linux runbook, with its parameter prelude, parses as POSIX sh (dash). */
describe('Linux runbook scripts', () => {
  for (const runbook of LINUX_RUNBOOKS) {
    it(`${runbook.id}: every script parses with sh -n`, () => {
      const prelude = scriptPrelude('linux', runbook.params.parse({}) as Record<string, unknown>, '/nonexistent');
      const phases = {
        detect: runbook.detect,
        remediate: runbook.remediate,
        verify: runbook.verify,
        rollback: runbook.rollback,
        captureState: runbook.captureState,
      };
      for (const [phase, script] of Object.entries(phases)) {
        if (script === undefined) continue;
        for (const [variant, text] of Object.entries(typeof script === 'string' ? { default: script } : script)) {
          const result = spawnSync('sh', ['-n'], { input: prelude + text, encoding: 'utf8' });
          expect(result.status, `${phase}/${variant}: ${result.stderr}`).toBe(0);
        }
      }
    });
  }
});
