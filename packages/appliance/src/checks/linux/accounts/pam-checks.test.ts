import { describe, expect, it } from 'vitest';
import { lockoutCheck } from './lockout';
import { passwordQualityCheck } from './password-quality';

/** Synthetic collector output: the lines a collector would print, then its end marker. */
const out = (...lines: string[]) => ({ stdout: `${lines.join('\n')}\nend=ok\n`, exitCode: 0 });
const DEBIAN = 'pam_stack=/etc/pam.d/common-password';

describe('password quality', () => {
  it('passes when the module argument sets minlen 14', () => {
    const result = passwordQualityCheck.evaluate(
      out(
        DEBIAN,
        'pam=/etc/pam.d/common-password|password|requisite|pam_pwquality.so|retry=3 minlen=14',
        'module_installed=pam_pwquality.so',
      ),
    );
    expect(result.status).toBe('pass');
    expect(result.observed.minlenSource).toBe('module argument');
  });

  it('takes minlen from the last pwquality.conf file when the module line has none', () => {
    const result = passwordQualityCheck.evaluate(
      out(
        DEBIAN,
        'pam=/etc/pam.d/common-password|password|requisite|pam_pwquality.so|retry=3',
        'module_installed=pam_pwquality.so',
        'conf=/etc/security/pwquality.conf|minlen|8',
        'conf=/etc/security/pwquality.conf.d/50-osiris.conf|minlen|15',
      ),
    );
    expect(result.status).toBe('pass');
    expect(result.observed.effectiveMinlen).toBe(15);
  });

  it('fails on the libpwquality default of 8 characters', () => {
    const result = passwordQualityCheck.evaluate(
      out(
        DEBIAN,
        'pam=/etc/pam.d/common-password|password|requisite|pam_pwquality.so|retry=3',
        'module_installed=pam_pwquality.so',
      ),
    );
    expect(result.status).toBe('fail');
    expect(result.reason).toContain('8 characters');
  });

  it('fails when the stack names a module that is not installed', () => {
    const result = passwordQualityCheck.evaluate(
      out(DEBIAN, 'pam=/etc/pam.d/common-password|password|requisite|pam_pwquality.so|minlen=14'),
    );
    expect(result.status).toBe('fail');
    expect(result.reason).toMatch(/not installed/);
  });
});

describe('lockout', () => {
  const auth = 'pam_stack=/etc/pam.d/system-auth';
  it('fails on pam_faillock defaults (unlock after 600 seconds)', () => {
    const result = lockoutCheck.evaluate(
      out(
        auth,
        'pam=/etc/pam.d/system-auth|auth|required|pam_faillock.so|preauth silent',
        'module_installed=pam_faillock.so',
      ),
    );
    expect(result.status).toBe('fail');
    expect(result.reason).toContain('unlock_time is 600');
  });

  it('passes pam_faillock with deny 5 and unlock_time 0 (locked until an administrator unlocks)', () => {
    const result = lockoutCheck.evaluate(
      out(
        auth,
        'pam=/etc/pam.d/system-auth|auth|required|pam_faillock.so|preauth silent deny=5 unlock_time=0',
        'pam=/etc/pam.d/system-auth|auth|[default=die]|pam_faillock.so|authfail deny=5 unlock_time=0',
        'module_installed=pam_faillock.so',
      ),
    );
    expect(result.status).toBe('pass');
    expect(result.reason).toMatch(/until an administrator/);
  });

  it('passes pam_tally2 with deny 5 and no unlock_time', () => {
    const result = lockoutCheck.evaluate(
      out(
        auth,
        'pam=/etc/pam.d/system-auth|auth|required|pam_tally2.so|onerr=fail deny=5',
        'module_installed=pam_tally2.so',
      ),
    );
    expect(result.status).toBe('pass');
  });

  it('fails pam_tally2 without a deny limit', () => {
    const result = lockoutCheck.evaluate(
      out(auth, 'pam=/etc/pam.d/system-auth|auth|required|pam_tally2.so|onerr=fail', 'module_installed=pam_tally2.so'),
    );
    expect(result.status).toBe('fail');
    expect(result.reason).toContain('no deny limit');
  });
});
