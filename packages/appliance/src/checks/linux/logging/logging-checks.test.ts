import { describe, expect, it } from 'vitest';
import { describeFixtures } from '../ssh/fixture-cases.testkit';
import { watchedPaths } from './audit-rules';
import { identityRules } from './identity-rules';
import { LINUX_LOGGING_CHECKS } from './index';
import { loginRules } from './login-rules';
import { remoteForwarding } from './remote-forwarding';
import { synchronized } from './synchronized';

describeFixtures(LINUX_LOGGING_CHECKS);

const rules = (lines: string[]) => ({
  stdout: `auditctl=present\nrules_total=${lines.length}\n### rules\n${lines.join('\n')}\n### end\n`,
  exitCode: 0,
});

describe('audit rule checks (hand-written auditctl -l output)', () => {
  it('pass with -w watches for writes and attribute changes', () => {
    const lines = ['/etc/passwd', '/etc/shadow', '/etc/group', '/etc/gshadow', '/etc/security/opasswd'].map(
      (p) => `-w ${p} -p wa -k identity`,
    );
    expect(identityRules.evaluate(rules(lines)).status).toBe('pass');
  });

  it('fail a read-only watch and name the missing file', () => {
    const result = identityRules.evaluate(rules(['-w /etc/passwd -p r -k identity']));
    expect(result.status).toBe('fail');
    expect(result.reason).toContain('/etc/shadow');
  });

  it('treat /run and /var/run as the same path and accept syscall rules with perm=wa', () => {
    expect(watchedPaths('-a always,exit -F arch=b64 -S all -F path=/run/utmp -F perm=wa -F key=session')).toEqual([
      '/run/utmp',
    ]);
    const lines = [
      '-w /var/log/lastlog -p wa',
      '-w /run/faillock -p wa',
      '-w /var/run/utmp -p wa',
      '-w /var/log/wtmp -p wa',
      '-w /var/log/btmp -p wa',
    ];
    expect(loginRules.evaluate(rules(lines)).status).toBe('pass');
  });

  it('error when auditctl exists but cannot list the rules', () => {
    const result = identityRules.evaluate({
      stdout: 'auditctl=present\nerror=auditctl -l failed with exit code 1: Operation not permitted\n',
      exitCode: 2,
    });
    expect(result.status).toBe('error');
    expect(result.reason).toContain('Operation not permitted');
  });
});

describe('log forwarding and time (hand-written daemon output)', () => {
  it('a forwarding rule without a running rsyslog fails', () => {
    const stdout =
      'rsyslogd_running=no\njournal_upload_running=no\njournal_upload_url=\n### rsyslog forwarding\n/etc/rsyslog.d/90-remote.conf: *.* @@logs.example:514\n### end\n';
    const result = remoteForwarding.evaluate({ stdout, exitCode: 0 });
    expect(result).toMatchObject({ status: 'fail', reason: expect.stringContaining('not running') });
  });

  const chrony = (leap: string, offset: string) => ({
    stdout: `time_daemons=chronyd\n### chronyc\nexit=0\nReference ID    : C0A80001 (192.168.0.1)\nSystem time     : ${offset} seconds fast of NTP time\nLeap status     : ${leap}\n### ntpq\nexit=absent\n### timedatectl\nexit=absent\n### timesync\nexit=absent\n### end\n`,
    exitCode: 0,
  });

  it('chrony: Normal with a small offset passes, a large offset or unsynchronised leap fails', () => {
    expect(synchronized.evaluate(chrony('Normal', '0.000123')).status).toBe('pass');
    expect(synchronized.evaluate(chrony('Normal', '2.5')).status).toBe('fail');
    expect(synchronized.evaluate(chrony('Not synchronised', '0.0')).status).toBe('fail');
  });

  it('errors when a daemon runs but no tool can read its state', () => {
    const stdout =
      'time_daemons=chronyd\n### chronyc\nexit=1\n506 Cannot talk to daemon\n### ntpq\nexit=absent\n### timedatectl\nexit=1\n### timesync\nexit=1\n### end\n';
    expect(synchronized.evaluate({ stdout, exitCode: 0 }).status).toBe('error');
  });
});
