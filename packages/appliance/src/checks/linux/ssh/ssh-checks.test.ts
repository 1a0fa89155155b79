import { describe, expect, it } from 'vitest';
import { describeFixtures } from './fixture-cases.testkit';
import { LINUX_SSH_CHECKS } from './index';
import { passwordAuthentication } from './password-authentication';
import { permitRootLogin } from './permit-root-login';
import { strongKex } from './strong-kex';

const sshdOutput = (lines: string[], matchBlocks = 0) => ({
  stdout: `sshd=/usr/sbin/sshd\nmatch_blocks=${matchBlocks}\n### sshd -T\n${lines.join('\n')}\n### end\n`,
  exitCode: 0,
});

describeFixtures(LINUX_SSH_CHECKS);

describe('ssh checks', () => {
  it('pass when sshd is not installed', () => {
    const result = permitRootLogin.evaluate({ stdout: 'sshd=absent\n### end\n', exitCode: 0 });
    expect(result).toMatchObject({ status: 'pass', observed: { sshd: 'absent' } });
  });

  it('fails PermitRootLogin prohibit-password and names the Match blocks that may override it', () => {
    const result = permitRootLogin.evaluate(sshdOutput(['permitrootlogin without-password'], 2));
    expect(result.status).toBe('fail');
    expect(result.reason).toContain('2 Match block(s)');
  });

  it('accepts the pre-8.7 ChallengeResponseAuthentication spelling', () => {
    const result = passwordAuthentication.evaluate(
      sshdOutput(['passwordauthentication no', 'challengeresponseauthentication yes']),
    );
    expect(result.status).toBe('fail');
    expect(result.reason).toContain('KbdInteractiveAuthentication yes');
  });

  it('errors when a keyword sshd must print is missing', () => {
    expect(strongKex.evaluate(sshdOutput([])).status).toBe('error');
  });

  it('counts gss SHA-1 key exchanges as weak', () => {
    const result = strongKex.evaluate(sshdOutput(['kexalgorithms curve25519-sha256,gss-group14-sha1-']));
    expect(result.status).toBe('fail');
  });
});
