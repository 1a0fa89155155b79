import { describe, expect, it } from 'vitest';
import { normaliseError, patternSignature } from './incidents';

const CHECK = 'linux.disk.free-space';

describe('pattern signature', () => {
  it('gives one signature for the same error with different numbers, ids, addresses, times and paths', () => {
    const a =
      '2026-11-30T10:15:02Z /var has 3.2 GiB free (96% used) on 10.0.4.17; job 5f3a9c2e1b7d4e60 pid 4121 in /home/alice/tmp and /tmp/tmp.AbC123';
    const b =
      '2026-12-01 08:01:59+01:00 /var has 1.05 GiB free (98% used) on 192.168.1.200; job 0a1b2c3d4e5f6071 pid 77 in /home/bob/tmp and /tmp/tmp.zZ9q8';
    expect(patternSignature(CHECK, 'drift', a)).toBe(patternSignature(CHECK, 'drift', b));
    expect(normaliseError(a)).toBe(
      '<time> /var has <n> gib free (<n>% used) on <ip>; job <hex> pid <n> in /home/<user>/tmp and /tmp/<tmp>',
    );
  });

  it('replaces uuids, syslog timestamps, hex literals and IPv6 addresses', () => {
    expect(
      normaliseError(
        'Nov 30 23:49:30 unit 0189abcd-0000-7000-8000-0000000000aa failed at 0xdeadbeef from fe80::1ff:fe23:4567',
      ),
    ).toBe('<time> unit <uuid> failed at <hex> from <ip>');
  });

  it('keeps words that only look hex-like, and whitespace differences do not matter', () => {
    expect(normaliseError('Service  deadbeef   FAILED\n')).toBe('service deadbeef failed');
  });

  it('differs for a different check, incident type or problem', () => {
    const reason = 'auditd is inactive';
    const base = patternSignature(CHECK, 'drift', reason);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(patternSignature('linux.audit.auditd-active', 'drift', reason)).not.toBe(base);
    expect(patternSignature(CHECK, 'check_error', reason)).not.toBe(base);
    expect(patternSignature(CHECK, 'drift', 'rsyslog is inactive')).not.toBe(base);
  });
});
