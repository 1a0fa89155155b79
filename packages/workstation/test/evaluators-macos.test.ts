import { describe, expect, it } from 'vitest';
import { macosFileVault } from '../src/checks/macos/filevault.macos';
import { macosFirewall } from '../src/checks/macos/firewall.macos';
import { macosGatekeeper } from '../src/checks/macos/gatekeeper.macos';
import { macosScreenLock } from '../src/checks/macos/screen-lock.macos';
import { macosSip } from '../src/checks/macos/sip.macos';
import { macosUpdates } from '../src/checks/macos/updates.macos';
import { fromFixture, output } from './fixture-output';

const now = new Date('2026-12-01T09:00:00Z');

describe('macOS evaluators on documented-format samples', () => {
  it.each([
    ['FileVault', macosFileVault, 'fdesetup', 'fdesetup-on.txt', 'fdesetup-off.txt'],
    ['firewall', macosFirewall, 'socketfilterfw', 'socketfilterfw-enabled.txt', 'socketfilterfw-disabled.txt'],
    ['Gatekeeper', macosGatekeeper, 'spctl', 'spctl-enabled.txt', 'spctl-disabled.txt'],
    ['SIP', macosSip, 'csrutil', 'csrutil-enabled.txt', 'csrutil-disabled.txt'],
  ] as const)('judges %s from its status line', (_name, check, key, passFile, failFile) => {
    expect(check.evaluate({ [key]: fromFixture(`macos/${passFile}`) }, {}, now).status).toBe('PASS');
    expect(check.evaluate({ [key]: fromFixture(`macos/${failFile}`) }, {}, now).status).toBe('FAIL');
  });

  it('reports unknown wording as ERROR instead of guessing', () => {
    const result = macosFileVault.evaluate(
      { fdesetup: output({ stdout: 'Encryption in progress: Percent completed = 40' }) },
      {},
      now,
    );
    expect(result).toMatchObject({ status: 'ERROR', error: { code: 'UNPARSEABLE_OUTPUT' } });
  });

  it('reads the screen lock from sysadminctl on stderr', () => {
    expect(
      macosScreenLock.evaluate({ sysadminctl: fromFixture('macos/sysadminctl-immediate.txt', 'stderr') }, {}, now)
        .status,
    ).toBe('PASS');
    expect(
      macosScreenLock.evaluate({ sysadminctl: fromFixture('macos/sysadminctl-off.txt', 'stderr') }, {}, now).status,
    ).toBe('FAIL');
    const late = output({ stderr: '2026-12-01 sysadminctl[1:2] screenLock delay is 3600 seconds' });
    expect(macosScreenLock.evaluate({ sysadminctl: late }, {}, now).status).toBe('FAIL');
  });

  it('judges softwareupdate -l', () => {
    const none = macosUpdates.evaluate(
      { softwareupdate: fromFixture('macos/softwareupdate-none.txt', 'stderr') },
      {},
      now,
    );
    expect(none).toMatchObject({ status: 'PASS', observed: { pending_updates: '0' } });
    const pending = macosUpdates.evaluate({ softwareupdate: fromFixture('macos/softwareupdate-pending.txt') }, {}, now);
    expect(pending).toMatchObject({ status: 'FAIL', observed: { pending_updates: '2', recommended_updates: '2' } });
    expect(pending.actual).toContain('macOS Sonoma 14.7.1-23H222');
  });
});
