import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../config';

const BASE = `
centralUrl: https://central.example.com/
dataDir: /var/lib/osiris-appliance
targets:
`;

function problemsOf(targetYaml: string): string[] {
  try {
    parseConfig(BASE + targetYaml, {});
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('winrm target configuration', () => {
  it('accepts a Windows server with a password file and fills in HTTPS port 5986 and NTLM', () => {
    const config = parseConfig(
      `${BASE}  - name: dc01
    kind: winrm
    host: dc01.corp.example
    user: CORP\\svc-osiris
    passwordFile: /etc/osiris/winrm-dc01.password
`,
      {},
    );
    expect(config.targets[0]).toEqual({
      name: 'dc01',
      kind: 'winrm',
      host: 'dc01.corp.example',
      port: 5986,
      user: 'CORP\\svc-osiris',
      passwordFile: '/etc/osiris/winrm-dc01.password',
      auth: 'ntlm',
      connectTimeoutSeconds: 10,
    });
  });

  it('requires a password file and refuses Kerberos, which is not built', () => {
    expect(problemsOf('  - { name: dc01, kind: winrm, host: dc01, user: svc }\n')).toEqual([
      'targets.0.passwordFile: Invalid input: expected string, received undefined',
    ]);
    const kerberos = problemsOf(
      '  - { name: dc01, kind: winrm, host: dc01, user: svc, passwordFile: /p, auth: kerberos }\n',
    );
    expect(kerberos).toHaveLength(1);
    expect(kerberos[0]).toMatch(/^targets\.0\.auth: /);
  });

  it('refuses a password written into the config file', () => {
    const problems = problemsOf(
      '  - { name: dc01, kind: winrm, host: dc01, user: svc, passwordFile: /p, password: x }\n',
    );
    expect(problems.join('\n')).toMatch(/password/);
  });
});
