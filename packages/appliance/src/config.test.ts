import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config';

const VALID = `
centralUrl: https://central.example.com/
dataDir: /var/lib/osiris-appliance
targets:
  - name: this-machine
    kind: local
  - name: web01
    kind: ssh
    host: 10.0.0.5
    user: osiris
    keyPath: /etc/osiris/keys/web01
`;

function problemsOf(yamlText: string, env: Record<string, string> = {}): string[] {
  try {
    parseConfig(yamlText, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('appliance config', () => {
  it('accepts a minimal file and fills in defaults', () => {
    const config = parseConfig(VALID, {});
    expect(config).toMatchObject({
      centralUrl: 'https://central.example.com',
      logLevel: 'info',
      checkinIntervalSeconds: 60,
      targets: [
        { name: 'this-machine', kind: 'local' },
        { name: 'web01', kind: 'ssh', host: '10.0.0.5', port: 22, user: 'osiris' },
      ],
    });
    expect(config.provisionCode).toBeUndefined();
  });

  it('lets OSIRIS_APPLIANCE_* variables override top-level keys', () => {
    const config = parseConfig(VALID, {
      OSIRIS_APPLIANCE_CENTRAL_URL: 'http://127.0.0.1:8080',
      OSIRIS_APPLIANCE_CHECKIN_INTERVAL_SECONDS: '30',
      OSIRIS_APPLIANCE_LOG_LEVEL: 'debug',
      OSIRIS_APPLIANCE_PROVISION_CODE: ' abcd-efgh-jkmn-pqrs ',
    });
    expect(config).toMatchObject({
      centralUrl: 'http://127.0.0.1:8080',
      checkinIntervalSeconds: 30,
      logLevel: 'debug',
      provisionCode: 'ABCD-EFGH-JKMN-PQRS',
    });
  });

  it('lists every problem at once, with its path', () => {
    const problems = problemsOf(`
centralUrl: ftp://central
logLevel: loud
checkinIntervalSeconds: 0
surprise: true
targets:
  - name: a
    kind: ssh
    host: h
    port: 70000
  - name: a
    kind: telnet
`);
    const paths = problems.map((p) => p.split(':')[0]);
    expect(paths).toEqual(
      expect.arrayContaining([
        'centralUrl',
        'dataDir',
        'logLevel',
        'checkinIntervalSeconds',
        '(root)',
        'targets.0.port',
        'targets.0.user',
        'targets.1.kind',
      ]),
    );
    expect(problems.join('\n')).toContain('surprise');
  });

  it('needs exactly one SSH credential, and checks the timing settings', () => {
    const ssh = (extra: string) =>
      problemsOf(
        `centralUrl: https://c.example\ndataDir: ./d\ntargets:\n  - name: a\n    kind: ssh\n    host: h\n    user: u\n${extra}`,
      );
    expect(ssh('')).toEqual([expect.stringContaining('targets.0.keyPath: set exactly one of keyPath or passwordFile')]);
    expect(ssh('    keyPath: k\n    passwordFile: p\n')).toEqual([
      expect.stringContaining('set exactly one of keyPath or passwordFile'),
    ]);
    const withPassword = parseConfig(
      'centralUrl: https://c.example\ndataDir: ./d\ntargets:\n  - name: a\n    kind: ssh\n    host: h\n    user: u\n    passwordFile: p\n',
      {},
    );
    expect(withPassword.targets[0]).toMatchObject({ kind: 'ssh', passwordFile: 'p', port: 22, sudo: false });
    expect(
      problemsOf(`${VALID}checks:\n  jitter: 2\n  commandTimeoutSeconds: 0\n`).map((p) => p.split(':')[0]),
    ).toEqual(['checks.jitter', 'checks.commandTimeoutSeconds']);
  });

  it('names the environment variable when an override is wrong', () => {
    const problems = problemsOf(VALID, { OSIRIS_APPLIANCE_CHECKIN_INTERVAL_SECONDS: 'soon' });
    expect(problems).toEqual([
      expect.stringContaining('checkinIntervalSeconds (from OSIRIS_APPLIANCE_CHECKIN_INTERVAL_SECONDS)'),
    ]);
  });

  it('refuses duplicate target names, malformed provision codes, and non-YAML', () => {
    const duplicate = problemsOf(`${VALID}  - name: web01\n    kind: local\n`);
    expect(duplicate).toEqual([expect.stringContaining('targets.2.name: duplicate target name "web01"')]);
    expect(problemsOf(`${VALID}provisionCode: nope\n`)).toEqual([expect.stringContaining('provisionCode')]);
    expect(problemsOf('centralUrl: [unclosed')[0]).toContain('not valid YAML');
    expect(problemsOf('- a list')[0]).toContain('mapping');
  });
});
