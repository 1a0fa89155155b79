import { describe, expect, it } from 'vitest';
import { shellTimeoutCheck } from './shell-timeout';

const out = (...lines: string[]) => ({ stdout: `${lines.join('\n')}\nend=ok\n`, exitCode: 0 });

describe('shell timeout', () => {
  it('accepts declare -rx as readonly and exported', () => {
    const result = shellTimeoutCheck.evaluate(
      out('read=/etc/profile', 'tmout=/etc/bash.bashrc|declare -rx TMOUT=600', 'gnome=absent'),
    );
    expect(result.status).toBe('pass');
    expect(result.reason).toContain('600');
  });

  it('fails a TMOUT that is set but not exported', () => {
    const result = shellTimeoutCheck.evaluate(
      out('read=/etc/profile', 'tmout=/etc/profile.d/tmout.sh|readonly TMOUT=900', 'gnome=absent'),
    );
    expect(result.status).toBe('fail');
    expect(result.reason).toContain('not exported');
  });

  it('fails when a GNOME desktop never locks the screen', () => {
    const result = shellTimeoutCheck.evaluate(
      out(
        'read=/etc/profile',
        'tmout=/etc/profile.d/tmout.sh|readonly TMOUT=900; export TMOUT',
        'gnome=installed',
        'dconf=/etc/dconf/db/local.d/00-screensaver|idle-delay=uint32 0',
      ),
    );
    expect(result.status).toBe('fail');
    expect(result.reason).toContain('idle-delay is 0');
  });
});
