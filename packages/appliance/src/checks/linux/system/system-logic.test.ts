import { describe, expect, it } from 'vitest';
import { backupRecentCheck } from './backup-recent';
import { diskEncryptionCheck } from './disk-encryption';
import { freeSpaceCheck } from './free-space';
import { macEnforcingCheck } from './mac-enforcing';
import { patchAgeCheck } from './patch-age';
import { securityUpdatesCheck } from './security-updates';

/** Synthetic outputs for situations the lab cannot produce (other distributions, kernels, agents). */
const out = (...lines: string[]) => ({ stdout: `${lines.join('\n')}\nend=ok\n`, exitCode: 0 });
const NOW = 1_796_078_637;

describe('mandatory access control', () => {
  it('passes AppArmor with enforce profiles only', () => {
    const result = macEnforcingCheck.evaluate(
      out('apparmor_enabled=Y', 'apparmor_profiles=readable', 'aa_mode=enforce|42', 'selinux=absent'),
    );
    expect(result.status).toBe('pass');
  });

  it('fails AppArmor with a profile in complain mode and names it', () => {
    const result = macEnforcingCheck.evaluate(
      out(
        'apparmor_enabled=Y',
        'apparmor_profiles=readable',
        'aa_mode=enforce|41',
        'aa_mode=complain|1',
        'aa_complain_profile=/usr/sbin/cupsd',
        'selinux=absent',
      ),
    );
    expect(result.status).toBe('fail');
    expect(result.reason).toContain('/usr/sbin/cupsd');
  });

  it('passes SELinux in enforcing mode', () => {
    const result = macEnforcingCheck.evaluate(
      out('apparmor_enabled=absent', 'apparmor_profiles=unreadable', 'selinux_enforce=1'),
    );
    expect(result.status).toBe('pass');
  });

  it('cannot judge AppArmor when securityfs is not mounted', () => {
    const result = macEnforcingCheck.evaluate(
      out('apparmor_enabled=Y', 'apparmor_profiles=unreadable', 'selinux=absent'),
    );
    expect(result.status).toBe('error');
  });
});

describe('security updates', () => {
  it('fails on a dnf security advisory', () => {
    const result = securityUpdatesCheck.evaluate(
      out(
        `now=${NOW}`,
        'pm=dnf',
        'pending_security=openssl-3.0.7-27.el9.x86_64 RHSA-2024:2447',
        'pm_rc=0',
        'pending_security_total=1',
      ),
    );
    expect(result.status).toBe('fail');
  });

  it('cannot judge apt without a security source', () => {
    const result = securityUpdatesCheck.evaluate(
      out(
        `now=${NOW}`,
        'pm=apt',
        'lists=2',
        'security_lists=0',
        'pm_rc=0',
        'pending_total=0',
        'pending_security_total=0',
      ),
    );
    expect(result.status).toBe('error');
    expect(result.reason).toContain('security source');
  });
});

describe('patch age', () => {
  it('uses rpm install times on RHEL-family hosts', () => {
    const result = patchAgeCheck.evaluate(out(`now=${NOW}`, 'pm=rpm', `rpm_installtime=${NOW - 40 * 86_400}`));
    expect(result.status).toBe('fail');
    expect(result.observed.source).toBe('rpm install times');
  });

  it('falls back to dpkg info times when no log survives', () => {
    const result = patchAgeCheck.evaluate(
      out(`now=${NOW}`, 'pm=dpkg', 'dpkg_log=', 'apt_history=', `dpkg_info_mtime=${NOW - 86_400}`),
    );
    expect(result.status).toBe('pass');
    expect(result.observed.source).toBe('dpkg info file times');
  });

  it('refuses an upgrade dated in the future', () => {
    expect(
      patchAgeCheck.evaluate(out(`now=${NOW}`, 'pm=dpkg', `dpkg_log=${NOW + 5 * 86_400}`, 'apt_history=')).status,
    ).toBe('error');
  });
});

describe('disk encryption', () => {
  it('passes a LUKS root and swap with a plain /boot', () => {
    const result = diskEncryptionCheck.evaluate(
      out(
        'lsblk=ok',
        'mount=/|/dev/mapper/root|ext4|crypt',
        'mount=/boot|/dev/sda1|ext4|plain',
        'mount=/boot/efi|/dev/sda2|vfat|plain',
        'swap=/dev/dm-1|/dev/dm-1|crypt',
      ),
    );
    expect(result.status).toBe('pass');
  });

  it('fails an unencrypted swap partition', () => {
    const result = diskEncryptionCheck.evaluate(
      out('lsblk=ok', 'mount=/|/dev/mapper/root|ext4|crypt', 'swap=/dev/sda3|/dev/sda3|plain'),
    );
    expect(result.status).toBe('fail');
    expect(result.reason).toContain('swap');
  });
});

describe('free space', () => {
  it('fails a filesystem that is out of inodes though it has space', () => {
    const result = freeSpaceCheck.evaluate(
      out('blk=ext4|1000|100|900|/var', 'df_blocks_rc=0', 'ino=1000|950|50|/var', 'df_inodes_rc=0'),
    );
    expect(result.status).toBe('fail');
    expect(result.reason).toContain('inodes');
  });
});

describe('recent backup', () => {
  const base = [`now=${NOW}`, 'tz=+0000', 'systemd=running'];
  it('passes a backup service that succeeded two hours ago', () => {
    const result = backupRecentCheck.evaluate(
      out(...base, 'agent=restic', `unit=restic-backup.service|success|0|${NOW - 7200}`),
    );
    expect(result.status).toBe('pass');
  });

  it('fails a backup service whose last run failed', () => {
    const result = backupRecentCheck.evaluate(out(...base, `unit=borgmatic.service|exit-code|2|${NOW - 3600}`));
    expect(result.status).toBe('fail');
  });

  it('fails when the last success is older than 26 hours', () => {
    const result = backupRecentCheck.evaluate(out(...base, `unit=backup.service|success|0|${NOW - 30 * 3600}`));
    expect(result.status).toBe('fail');
    expect(result.reason).toContain('30 hours');
  });

  it('reads a Veeam session in local time', () => {
    const result = backupRecentCheck.evaluate(
      out(
        `now=${NOW}`,
        'tz=+0100',
        'systemd=absent',
        'agent=veeamconfig',
        'veeam=daily  Backup  {1}  Success  2026-11-30 21:00:00  2026-11-30 21:30:00',
      ),
    );
    expect(result.status).toBe('pass');
  });

  it('cannot judge an agent whose runs are not recorded locally', () => {
    const result = backupRecentCheck.evaluate(
      out(`now=${NOW}`, 'tz=+0000', 'systemd=absent', 'agent=borg', 'cron=/etc/cron.d/borg'),
    );
    expect(result.status).toBe('error');
  });
});
