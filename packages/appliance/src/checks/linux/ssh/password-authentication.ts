import type { LinuxCheck } from '../../check';
import { defineSshdCheck, matchNote } from './sshd-config';

/**
 * linux.ssh.password-authentication: PasswordAuthentication no and keyboard-interactive no.
 * OpenSSH 8.7+ prints kbdinteractiveauthentication, older releases challengeresponseauthentication;
 * either spelling counts, but one of them must be present or the verdict is unknowable.
 * AuthenticationMethods is reported but not credited: the catalog asks for both keywords off.
 */
export const passwordAuthentication: LinuxCheck = defineSshdCheck({
  id: 'linux.ssh.password-authentication',
  keywords: [
    'passwordauthentication',
    'kbdinteractiveauthentication',
    'challengeresponseauthentication',
    'authenticationmethods',
  ],
  optionalKeywords: ['kbdinteractiveauthentication', 'challengeresponseauthentication', 'authenticationmethods'],
  judge: (facts) => {
    const password = facts.values.get('passwordauthentication') as string;
    const kbd = facts.values.get('kbdinteractiveauthentication') ?? facts.values.get('challengeresponseauthentication');
    const observed = {
      passwordauthentication: password,
      kbdinteractiveauthentication: kbd ?? null,
      authenticationmethods: facts.values.get('authenticationmethods') ?? null,
    };
    if (kbd === undefined) {
      return {
        status: 'error',
        reason:
          'Cannot judge the sshd configuration: sshd -T printed neither KbdInteractiveAuthentication nor ChallengeResponseAuthentication.',
        observed,
      };
    }
    const enabled = [
      ...(password === 'no' ? [] : [`PasswordAuthentication ${password}`]),
      ...(kbd === 'no' ? [] : [`KbdInteractiveAuthentication ${kbd}`]),
    ];
    return enabled.length === 0
      ? {
          status: 'pass',
          reason: `sshd accepts neither passwords nor keyboard-interactive logins${matchNote(facts)}.`,
          observed,
        }
      : {
          status: 'fail',
          reason: `sshd accepts passwords (${enabled.join(', ')}); both must be no${matchNote(facts)}.`,
          observed,
        };
  },
});
