import { describe, expect, it } from 'vitest';
import { linuxDiskEncryption } from '../src/checks/linux/disk-encryption.linux';
import { linuxFirewall } from '../src/checks/linux/firewall.linux';
import { linuxScreenLock } from '../src/checks/linux/screen-lock.linux';
import { linuxSshServer } from '../src/checks/linux/ssh-server.linux';
import { linuxUpdates } from '../src/checks/linux/updates.linux';
import { fromFixture, output } from './fixture-output';

const now = new Date('2026-12-01T09:00:00Z');
const missing = output({ isMissing: true, exitCode: null });

describe('Linux evaluators on recorded outputs', () => {
  it('fails disk encryption when / is on a plain disk (recorded lsblk)', () => {
    const result = linuxDiskEncryption.evaluate({ lsblk: fromFixture('linux/lsblk-unencrypted.json') }, {}, now);
    expect(result).toMatchObject({ status: 'FAIL', observed: { root_chain: 'vda(disk)', root_device: 'vda' } });
  });

  it('passes disk encryption when / sits on LVM inside LUKS', () => {
    const result = linuxDiskEncryption.evaluate({ lsblk: fromFixture('linux/lsblk-luks.json') }, {}, now);
    expect(result.status).toBe('PASS');
    expect(result.observed).toMatchObject({ crypt_device: 'nvme0n1p3_crypt', root_device: 'vg-root' });
  });

  it('reports ERROR for lsblk output that is not JSON and for a missing lsblk', () => {
    expect(linuxDiskEncryption.evaluate({ lsblk: output({ stdout: 'NAME TYPE\nvda disk' }) }, {}, now)).toMatchObject({
      status: 'ERROR',
      error: { code: 'UNPARSEABLE_OUTPUT' },
    });
    expect(linuxDiskEncryption.evaluate({ lsblk: missing }, {}, now).error?.code).toBe('COMMAND_NOT_FOUND');
  });

  it('fails the firewall on an empty nftables ruleset with no ufw or firewalld (recorded)', () => {
    const result = linuxFirewall.evaluate(
      { nft: fromFixture('linux/nft-empty.json'), ufw: missing, firewalld: missing },
      {},
      now,
    );
    expect(result).toMatchObject({ status: 'FAIL', observed: { nft_input_chains: '(none)' } });
  });

  it('passes the firewall on an input chain with policy drop (recorded in a namespace)', () => {
    const result = linuxFirewall.evaluate(
      { nft: fromFixture('linux/nft-default-drop.json'), ufw: missing, firewalld: missing },
      {},
      now,
    );
    expect(result.status).toBe('PASS');
    expect(result.observed.nft_input_chains).toBe('inet filter input:drop');
  });

  it('passes the firewall when ufw is active, whatever nft prints', () => {
    const ufw = output({
      stdout:
        'Status: active\n\nTo                         Action      From\n22/tcp                     ALLOW       Anywhere\n',
    });
    expect(
      linuxFirewall.evaluate({ nft: fromFixture('linux/nft-empty.json'), ufw, firewalld: missing }, {}, now).status,
    ).toBe('PASS');
  });

  it('fails sshd with Debian defaults and names each weak setting (recorded sshd -T)', () => {
    const result = linuxSshServer.evaluate({ sshd: fromFixture('linux/sshd-T-debian-default.txt') }, {}, now);
    expect(result.status).toBe('FAIL');
    expect(result.observed).toMatchObject({
      permitrootlogin: 'without-password',
      passwordauthentication: 'yes',
      maxauthtries: '6',
    });
    expect(result.actual).toContain('x11forwarding yes (want no)');
    expect(result.actual).not.toContain('permitemptypasswords');
  });

  it('passes a hardened sshd (recorded sshd -T)', () => {
    const result = linuxSshServer.evaluate({ sshd: fromFixture('linux/sshd-T-hardened.txt') }, {}, now);
    expect(result).toMatchObject({ status: 'PASS', observed: { permitrootlogin: 'no', maxauthtries: '3' } });
  });

  it('reports sshd as not applicable when no SSH server is installed', () => {
    expect(linuxSshServer.evaluate({ sshd: missing }, {}, now)).toMatchObject({
      status: 'UNSUPPORTED',
      error: { code: 'NOT_APPLICABLE' },
    });
  });

  it('fails updates when security updates are pending (recorded apt-get -s upgrade)', () => {
    const result = linuxUpdates.evaluate({ apt: fromFixture('linux/apt-get-s-upgrade-pending.txt') }, {}, now);
    expect(result.status).toBe('FAIL');
    expect(result.observed).toEqual({ package_manager: 'apt', pending_updates: '114', pending_security_updates: '72' });
  });

  it('passes updates when nothing is upgradable', () => {
    const result = linuxUpdates.evaluate({ apt: fromFixture('linux/apt-get-s-upgrade-current.txt') }, {}, now);
    expect(result).toMatchObject({ status: 'PASS', observed: { pending_updates: '0' } });
  });

  it('reads dnf exit 100 as pending security updates', () => {
    const dnf = output({ exitCode: 100, stdout: '\nopenssl.x86_64   1:3.0.7-27.el9   baseos\n' });
    expect(linuxUpdates.evaluate({ dnf }, {}, now)).toMatchObject({
      status: 'FAIL',
      observed: { pending_security_updates: '1' },
    });
  });

  it('treats a host without a graphical session as not applicable for the screen lock', () => {
    const sessions = output({ exitCode: 1, stderr: 'System has not been booted with systemd as init system (PID 1).' });
    expect(linuxScreenLock.evaluate({ sessions }, {}, now)).toMatchObject({
      status: 'UNSUPPORTED',
      error: { code: 'NO_DESKTOP_SESSION' },
    });
  });

  it('judges GNOME lock settings of a graphical session', () => {
    const base = {
      sessions: output({ stdout: '  2 1000 alice seat0 tty2\n' }),
      'session:2': output({ stdout: 'Type=wayland\nName=alice\nUser=1000\n' }),
    };
    const pass = linuxScreenLock.evaluate(
      { ...base, lock_enabled: output({ stdout: 'true\n' }), idle_delay: output({ stdout: 'uint32 300\n' }) },
      {},
      now,
    );
    expect(pass).toMatchObject({ status: 'PASS', observed: { idle_delay_seconds: '300', session_type: 'wayland' } });
    const fail = linuxScreenLock.evaluate(
      { ...base, lock_enabled: output({ stdout: 'false\n' }), idle_delay: output({ stdout: 'uint32 0\n' }) },
      {},
      now,
    );
    expect(fail).toMatchObject({ status: 'FAIL', actual: 'lock-enabled false, idle-delay 0 s' });
  });
});
