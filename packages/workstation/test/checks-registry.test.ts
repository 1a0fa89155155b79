import { controlById } from '@osiris/protocol';
import { describe, expect, it } from 'vitest';
import type { CommandRunner } from '../src/command-runner';
import { CHECK_CAPABILITIES } from '../src/checks/registry';
import { currentOs, runCheck } from '../src/checks/run-check';

const neverRun: CommandRunner = async () => {
  throw new Error('must not run a command');
};

describe('check registry', () => {
  it('cites only HIPAA controls of the shared catalog and uses snake-case wire ids', () => {
    for (const capability of CHECK_CAPABILITIES) {
      expect(capability.id).toMatch(/^[a-z][a-z0-9_]{0,63}$/);
      expect(capability.hipaa.length).toBeGreaterThan(0);
      for (const id of capability.hipaa) expect(controlById(id), `${capability.id} cites ${id}`).toBeDefined();
    }
  });

  it('reports an OS without an implementation as UNSUPPORTED_PLATFORM without running anything', async () => {
    const result = await runCheck({ os: 'windows', run: neverRun }, 'ssh_server');
    expect(result).toMatchObject({
      status: 'UNSUPPORTED',
      checkId: 'ssh_server',
      error: { code: 'UNSUPPORTED_PLATFORM' },
    });
    expect(result.hipaa).toEqual(['164.312(d)', '164.312(a)(1)']);
  });

  it('reports an unknown check as UNSUPPORTED and a crashing collector as ERROR', async () => {
    expect((await runCheck({ os: 'linux', run: neverRun }, 'no_such_check')).error?.code).toBe('UNKNOWN_CHECK');
    expect(await runCheck({ os: 'linux', run: neverRun }, 'disk_encryption')).toMatchObject({
      status: 'ERROR',
      error: { code: 'COLLECTOR_FAILED', message: 'must not run a command' },
    });
  });

  it('maps Node platforms to OS families', () => {
    expect([currentOs('win32'), currentOs('darwin'), currentOs('linux'), currentOs('freebsd')]).toEqual([
      'windows',
      'macos',
      'linux',
      'other',
    ]);
  });
});
