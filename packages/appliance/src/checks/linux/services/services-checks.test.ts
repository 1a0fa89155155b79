import { describe, expect, it } from 'vitest';
import { describeFixtures } from '../ssh/fixture-cases.testkit';
import { LINUX_SERVICES_CHECKS } from './index';
import { noTelnetServer } from './no-telnet-server';

describeFixtures(LINUX_SERVICES_CHECKS);

const probe = (sections: Record<string, string[]>) => ({
  stdout: `pkg_tool=rpm\nsystemd=running\n${['packages', 'processes', 'units', 'sysv', 'inetd', 'listening']
    .map((s) => `### ${s}\n${(sections[s] ?? []).join('\n')}`)
    .join('\n')}\n### end\n`,
  exitCode: 0,
});

describe('forbidden services (hand-written RHEL-style probe output)', () => {
  it('fails an installed package even when nothing runs', () => {
    const result = noTelnetServer.evaluate(probe({ packages: ['telnet-server'] }));
    expect(result.status).toBe('fail');
    expect(result.reason).toContain('telnet-server');
  });

  it('passes a masked socket and an xinetd entry with disable = yes', () => {
    const result = noTelnetServer.evaluate(
      probe({
        units: ['telnet.socket|file=/etc/systemd/system/telnet.socket|enabled=masked|active=inactive'],
        inetd: ['xinetd|/etc/xinetd.d/telnet|telnet|disable=yes'],
      }),
    );
    expect(result.status).toBe('pass');
  });

  it('fails an active socket unit', () => {
    const result = noTelnetServer.evaluate(
      probe({ units: ['telnet.socket|file=/usr/lib/systemd/system/telnet.socket|enabled=no|active=active'] }),
    );
    expect(result).toMatchObject({ status: 'fail', reason: expect.stringContaining('telnet.socket active') });
  });
});
