import { describe, expect, it } from 'vitest';
import { frameworkCompliance, percentOf } from './overview.service';

describe('compliance by framework', () => {
  it('rounds passing ÷ (passing + failing) to a whole percent, null without either', () => {
    expect(percentOf(2, 1)).toBe(67);
    expect(percentOf(0, 3)).toBe(0);
    expect(percentOf(0, 0)).toBeNull();
  });

  it('counts excepted and errors as other, not in the percent, and ignores checks the catalog does not know', () => {
    const rows = frameworkCompliance([
      { checkId: 'linux.ssh.permit-root-login', status: 'pass', n: 3 },
      { checkId: 'linux.ssh.permit-root-login', status: 'fail', n: 1 },
      { checkId: 'linux.firewall.default-deny-input', status: 'excepted', n: 2 },
      { checkId: 'linux.mac.enforcing', status: 'error', n: 1 },
      { checkId: 'linux.nothing.like-this', status: 'fail', n: 9 },
    ]);
    expect(rows.map((r) => r.framework)).toEqual(['hipaa', 'soc2', 'nist80053', 'cis']);
    expect(rows[0]).toEqual({ framework: 'hipaa', label: 'HIPAA', passing: 3, failing: 1, other: 3, percent: 75 });
  });
});
