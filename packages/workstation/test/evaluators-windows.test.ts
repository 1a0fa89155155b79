import { describe, expect, it } from 'vitest';
import { windowsBitLocker } from '../src/checks/windows/bitlocker.windows';
import { windowsDefender } from '../src/checks/windows/defender.windows';
import { windowsFirewall } from '../src/checks/windows/firewall.windows';
import { windowsRmmTools } from '../src/checks/windows/rmm-tools.windows';
import { windowsScreenLock } from '../src/checks/windows/screen-lock.windows';
import { windowsUpdates } from '../src/checks/windows/updates.windows';
import { fromFixture, output } from './fixture-output';

const now = new Date('2026-12-01T09:00:00Z');

describe('Windows evaluators on documented-format samples', () => {
  it('passes BitLocker when protection is on and C: is fully encrypted', () => {
    const result = windowsBitLocker.evaluate({ bitlocker: fromFixture('windows/bitlocker-on.json') }, {}, now);
    expect(result).toMatchObject({
      status: 'PASS',
      observed: { protection_status: 'On', encryption_method: 'XtsAes128' },
    });
  });

  it('fails BitLocker when protection is suspended on an encrypted drive', () => {
    const result = windowsBitLocker.evaluate({ bitlocker: fromFixture('windows/bitlocker-suspended.json') }, {}, now);
    expect(result).toMatchObject({
      status: 'FAIL',
      actual: 'C: ProtectionStatus=Off, VolumeStatus=FullyEncrypted (100%)',
    });
  });

  it('reports a PowerShell failure as ERROR, not FAIL', () => {
    const bitlocker = output({ exitCode: 1, stderr: 'Get-BitLockerVolume : Access is denied.' });
    expect(windowsBitLocker.evaluate({ bitlocker }, {}, now)).toMatchObject({
      status: 'ERROR',
      error: { code: 'COMMAND_FAILED' },
    });
  });

  it('judges Defender real-time protection and signature age, with the age as a parameter', () => {
    expect(windowsDefender.evaluate({ defender: fromFixture('windows/defender-ok.json') }, {}, now).status).toBe(
      'PASS',
    );
    const off = windowsDefender.evaluate({ defender: fromFixture('windows/defender-rtp-off.json') }, {}, now);
    expect(off).toMatchObject({ status: 'FAIL', actual: 'real-time protection off, signatures 9 days old' });
    const lenient = windowsDefender.evaluate(
      { defender: fromFixture('windows/defender-rtp-off.json') },
      { max_signature_age_days: '14' },
      now,
    );
    expect(lenient.actual).toBe('real-time protection off');
  });

  it('fails the firewall when one profile is off and passes when all three are on', () => {
    expect(windowsFirewall.evaluate({ profiles: fromFixture('windows/firewall-all-on.json') }, {}, now).status).toBe(
      'PASS',
    );
    const off = windowsFirewall.evaluate({ profiles: fromFixture('windows/firewall-public-off.json') }, {}, now);
    expect(off).toMatchObject({ status: 'FAIL', actual: 'Public disabled', observed: { profile_public: 'False' } });
  });

  it('judges patch age and pending reboots', () => {
    const recent = windowsUpdates.evaluate({ patches: fromFixture('windows/patches-recent.json') }, {}, now);
    expect(recent).toMatchObject({ status: 'PASS', observed: { days_since_patch: '11', reboot_pending: 'false' } });
    const old = windowsUpdates.evaluate({ patches: fromFixture('windows/patches-old-reboot.json') }, {}, now);
    expect(old).toMatchObject({ status: 'FAIL', actual: 'newest hotfix KB5034441 is 109 days old, reboot pending' });
  });

  it('accepts the machine inactivity policy as a screen lock', () => {
    const result = windowsScreenLock.evaluate({ screen_lock: fromFixture('windows/screen-lock-policy.json') }, {}, now);
    expect(result).toMatchObject({ status: 'PASS', actual: 'machine policy locks after 600 s' });
  });

  it('fails the screen lock when one signed-in user has an insecure screen saver and no policy is set', () => {
    const result = windowsScreenLock.evaluate(
      { screen_lock: fromFixture('windows/screen-lock-user-insecure.json') },
      {},
      now,
    );
    expect(result).toMatchObject({
      status: 'FAIL',
      observed: { inactivity_timeout_secs: '(unset)', signed_in_users: '2' },
    });
    expect(result.actual).toContain('1 of 2 users');
  });

  it('reads a single user printed as a bare object', () => {
    const result = windowsScreenLock.evaluate(
      { screen_lock: fromFixture('windows/screen-lock-single-user.json') },
      {},
      now,
    );
    expect(result.status).toBe('PASS');
  });

  it('lists RMM tools and fails on unapproved ones when an allow-list is set', () => {
    const inventory = fromFixture('windows/rmm-inventory.json');
    const listed = windowsRmmTools.evaluate({ inventory }, {}, now);
    expect(listed).toMatchObject({
      status: 'PASS',
      observed: { rmm_connectwise_automate: 'service', rmm_teamviewer: 'service', rmm_count: '2' },
    });
    const strict = windowsRmmTools.evaluate({ inventory }, { allowed_rmm: 'connectwise_automate' }, now);
    expect(strict).toMatchObject({ status: 'FAIL', actual: 'unapproved: teamviewer' });
  });
});
