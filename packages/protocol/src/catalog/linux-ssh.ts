import type { CheckDefinition } from './schema';

/** OpenSSH server hardening. Collectors read the effective configuration (`sshd -T`), not the file. */
export const LINUX_SSH_CHECKS: readonly CheckDefinition[] = [
  {
    id: 'linux.ssh.permit-root-login',
    platform: 'linux',
    title: 'SSH does not allow direct root login',
    description:
      'Requires PermitRootLogin no in the effective sshd configuration. A shared root login cannot be tied to a person; administrators must sign in as themselves and elevate with sudo so every action is attributable.',
    severity: 'high',
    hipaa: ['164.312(a)(2)(i)', '164.312(d)'],
    mappings: { soc2: ['CC6.1', 'CC6.6'], nist80053: ['AC-6(2)', 'AC-17', 'IA-2'], cis: ['5.2.7'] },
    defaultIntervalSeconds: 300,
    remediation:
      'Make sure every administrator has a personal account with sudo, then set "PermitRootLogin no" in /etc/ssh/sshd_config (or a drop-in in sshd_config.d), check with "sshd -t" and reload sshd.',
    healable: false,
  },
  {
    id: 'linux.ssh.password-authentication',
    platform: 'linux',
    title: 'SSH accepts keys, not passwords',
    description:
      'Requires PasswordAuthentication no and KbdInteractiveAuthentication (ChallengeResponseAuthentication) no in the effective sshd configuration. Passwords offered to SSH can be guessed, sprayed or phished; a key ties access to a credential the user holds.',
    severity: 'high',
    hipaa: ['164.312(d)'],
    mappings: { soc2: ['CC6.1', 'CC6.6'], nist80053: ['AC-17', 'IA-2', 'IA-5'], cis: ['5.2'] },
    defaultIntervalSeconds: 300,
    remediation:
      'Install an SSH public key for every person (and the appliance) who signs in, then set "PasswordAuthentication no" and "KbdInteractiveAuthentication no", check with "sshd -t" and reload sshd.',
    healable: false,
  },
  {
    id: 'linux.ssh.permit-empty-passwords',
    platform: 'linux',
    title: 'SSH refuses accounts with empty passwords',
    description:
      'Requires PermitEmptyPasswords no in the effective sshd configuration, so an account whose password is blank can never be used to sign in over the network.',
    severity: 'high',
    hipaa: ['164.312(d)'],
    mappings: { soc2: ['CC6.1'], nist80053: ['AC-17', 'IA-5'], cis: ['5.2.9'] },
    defaultIntervalSeconds: 300,
    remediation: 'Set "PermitEmptyPasswords no" in the sshd configuration, check with "sshd -t" and reload sshd.',
    healable: true,
  },
  {
    id: 'linux.ssh.strong-ciphers',
    platform: 'linux',
    title: 'SSH offers only strong ciphers',
    description:
      'Requires the effective Ciphers list to contain only chacha20-poly1305, AES-GCM and AES-CTR, with no CBC, 3DES, Blowfish, CAST or arcfour ciphers. Weak ciphers can let someone on the network recover session contents, including ePHI copied over SSH.',
    severity: 'high',
    hipaa: ['164.312(e)(1)', '164.312(e)(2)(ii)'],
    mappings: { soc2: ['CC6.7'], nist80053: ['AC-17(2)', 'SC-8(1)', 'SC-13'], cis: ['5.2.13'] },
    defaultIntervalSeconds: 300,
    remediation:
      'Set "Ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr,aes192-ctr,aes128-ctr", check with "sshd -t" and reload sshd.',
    healable: true,
  },
  {
    id: 'linux.ssh.strong-macs',
    platform: 'linux',
    title: 'SSH uses only strong message authentication codes',
    description:
      'Requires the effective MACs list to contain only SHA-2 HMACs (hmac-sha2-256/512, preferably the -etm variants), with no MD5, RIPEMD-160, SHA-1 or UMAC algorithms. A weak MAC lets data altered in transit go undetected.',
    severity: 'medium',
    hipaa: ['164.312(e)(1)', '164.312(e)(2)(i)'],
    mappings: { soc2: ['CC6.7'], nist80053: ['AC-17(2)', 'SC-8(1)', 'SC-13'], cis: ['5.2.14'] },
    defaultIntervalSeconds: 300,
    remediation:
      'Set "MACs hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512,hmac-sha2-256", check with "sshd -t" and reload sshd.',
    healable: true,
  },
  {
    id: 'linux.ssh.strong-kex',
    platform: 'linux',
    title: 'SSH uses only strong key exchange algorithms',
    description:
      'Requires the effective KexAlgorithms list to exclude diffie-hellman-group1-sha1, diffie-hellman-group14-sha1 and diffie-hellman-group-exchange-sha1. SHA-1 and 1024-bit groups weaken the key agreement that protects every session.',
    severity: 'medium',
    hipaa: ['164.312(e)(1)', '164.312(e)(2)(ii)'],
    mappings: { soc2: ['CC6.7'], nist80053: ['SC-8(1)', 'SC-13'], cis: ['5.2.15'] },
    defaultIntervalSeconds: 300,
    remediation:
      'Set "KexAlgorithms curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group14-sha256", check with "sshd -t" and reload sshd.',
    healable: true,
  },
  {
    id: 'linux.ssh.max-auth-tries',
    platform: 'linux',
    title: 'SSH allows at most 3 authentication attempts per connection',
    description:
      'Requires MaxAuthTries of 3 or less in the effective sshd configuration. Few attempts per connection slow down password and key guessing, and sshd logs the failures once half the limit is reached.',
    severity: 'medium',
    hipaa: ['164.312(a)(1)', '164.312(d)'],
    mappings: { soc2: ['CC6.1'], nist80053: ['AC-7'], cis: ['5.2.18'] },
    defaultIntervalSeconds: 300,
    remediation: 'Set "MaxAuthTries 3" in the sshd configuration, check with "sshd -t" and reload sshd.',
    healable: true,
  },
  {
    id: 'linux.ssh.idle-timeout',
    platform: 'linux',
    title: 'SSH closes sessions whose client stops responding',
    description:
      'Requires ClientAliveInterval between 1 and 300 seconds and ClientAliveCountMax between 1 and 3, so a session whose client has gone away is closed within 15 minutes instead of staying open for anyone who reaches the terminal.',
    severity: 'medium',
    hipaa: ['164.312(a)(2)(iii)'],
    mappings: { soc2: ['CC6.1'], nist80053: ['AC-12', 'SC-10'], cis: ['5.2.22'] },
    defaultIntervalSeconds: 300,
    remediation:
      'Set "ClientAliveInterval 300" and "ClientAliveCountMax 2" in the sshd configuration, check with "sshd -t" and reload sshd.',
    healable: true,
  },
  {
    id: 'linux.ssh.x11-forwarding',
    platform: 'linux',
    title: 'SSH X11 forwarding is disabled',
    description:
      'Requires X11Forwarding no in the effective sshd configuration. Servers have no use for forwarded displays, and a forwarded X11 channel lets a compromised server read or inject keystrokes on the administrator’s desktop.',
    severity: 'low',
    hipaa: ['164.312(a)(1)'],
    mappings: { soc2: ['CC6.1'], nist80053: ['AC-17', 'CM-7'], cis: ['5.2.12'] },
    defaultIntervalSeconds: 300,
    remediation: 'Set "X11Forwarding no" in the sshd configuration, check with "sshd -t" and reload sshd.',
    healable: true,
  },
];
