import { describe, expect, it } from 'vitest';
import { shadowPermissionsCheck } from './shadow-permissions';
import { sudoersPermissionsCheck } from './sudoers-permissions';

const out = (...lines: string[]) => ({ stdout: `${lines.join('\n')}\nend=ok\n`, exitCode: 0 });

describe('sensitive file modes', () => {
  it('accepts /etc/shadow as root:root 0000 (RHEL)', () => {
    expect(shadowPermissionsCheck.evaluate(out('file=0|0|0|root|root|/etc/shadow')).status).toBe('pass');
  });

  it('fails a setgid bit even when the rest of the mode is strict', () => {
    const result = shadowPermissionsCheck.evaluate(out('file=2640|0|42|root|shadow|/etc/shadow'));
    expect(result.status).toBe('fail');
    expect(result.reason).toContain('mode 2640');
  });

  it('fails a file owned by a user other than root', () => {
    const result = shadowPermissionsCheck.evaluate(out('file=640|1000|42|alice|shadow|/etc/shadow'));
    expect(result.status).toBe('fail');
    expect(result.reason).toContain('alice');
  });

  it('fails a drop-in file even when sudo itself is not installed', () => {
    const result = sudoersPermissionsCheck.evaluate(
      out('missing=/etc/sudoers', 'dropin_dir=present', 'file=644|0|0|root|root|/etc/sudoers.d/ops', 'dropin_total=1'),
    );
    expect(result.status).toBe('fail');
  });

  it('refuses to pass when the drop-in directory holds more files than were listed', () => {
    const result = sudoersPermissionsCheck.evaluate(
      out(
        'file=440|0|0|root|root|/etc/sudoers',
        'dropin_dir=present',
        'file=440|0|0|root|root|/etc/sudoers.d/a',
        'dropin_total=150',
      ),
    );
    expect(result.status).toBe('error');
  });
});
