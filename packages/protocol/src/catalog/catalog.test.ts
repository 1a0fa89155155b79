import { describe, expect, it } from 'vitest';
import {
  CHECK_ID,
  CIS_REFERENCES,
  CheckDefinition,
  checkById,
  checksForControl,
  controlById,
  HIPAA_CONTROLS,
  HipaaControl,
  LINUX_CHECKS,
  Severity,
  WINDOWS_CHECKS,
  WORKSTATION_CHECKS,
} from './index';

const EVERY_CHECK = [...LINUX_CHECKS, ...WINDOWS_CHECKS, ...WORKSTATION_CHECKS];
const citedIds = new Set(EVERY_CHECK.flatMap((check) => check.hipaa));

const citing = (checkId: string) => {
  const check = checkById(checkId);
  if (!check) throw new Error(`no check ${checkId}`);
  return check.hipaa;
};

describe('Linux check catalog', () => {
  it('has at least 32 Linux checks, all for the linux platform', () => {
    expect(LINUX_CHECKS.length).toBeGreaterThanOrEqual(32);
    for (const check of LINUX_CHECKS) expect(check.platform).toBe('linux');
  });

  it('parses every check with the schema, unchanged', () => {
    for (const check of LINUX_CHECKS) {
      const result = CheckDefinition.safeParse(check);
      expect(result.error, check.id).toBeUndefined();
      expect(result.data).toEqual(check);
    }
  });

  it('gives every check a unique id that matches CHECK_ID and starts with linux.', () => {
    const ids = LINUX_CHECKS.map((check) => check.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id).toMatch(CHECK_ID);
      expect(id.startsWith('linux.')).toBe(true);
    }
  });

  it('gives every check a distinct title', () => {
    const titles = LINUX_CHECKS.map((check) => check.title);
    expect(new Set(titles).size).toBe(titles.length);
  });

  it('uses only valid severities and covers more than one', () => {
    for (const check of LINUX_CHECKS) expect(Severity.options).toContain(check.severity);
    expect(new Set(LINUX_CHECKS.map((check) => check.severity))).toEqual(
      new Set(['critical', 'high', 'medium', 'low']),
    );
  });

  it('maps every check to at least one SOC 2, NIST 800-53 and CIS reference', () => {
    for (const check of LINUX_CHECKS) {
      expect(check.mappings.soc2.length, check.id).toBeGreaterThan(0);
      expect(check.mappings.nist80053.length, check.id).toBeGreaterThan(0);
      expect(check.mappings.cis.length, check.id).toBeGreaterThan(0);
    }
  });

  it('keeps intervals at the 5-minute default except for heavy scans', () => {
    for (const check of LINUX_CHECKS) expect([300, 3600]).toContain(check.defaultIntervalSeconds);
    expect(LINUX_CHECKS.filter((check) => check.defaultIntervalSeconds === 300).length).toBeGreaterThan(
      LINUX_CHECKS.length / 2,
    );
  });

  it('refuses a malformed check', () => {
    const valid = LINUX_CHECKS[0];
    expect(CheckDefinition.safeParse({ ...valid, id: 'Linux SSH' }).success).toBe(false);
    expect(CheckDefinition.safeParse({ ...valid, severity: 'urgent' }).success).toBe(false);
    expect(CheckDefinition.safeParse({ ...valid, hipaa: [] }).success).toBe(false);
    expect(CheckDefinition.safeParse({ ...valid, hipaa: ['164.312(a)(2)(iv)', '164.312(a)(2)(iv)'] }).success).toBe(
      false,
    );
    expect(CheckDefinition.safeParse({ ...valid, hipaa: ['§164.312(b)'] }).success).toBe(false);
    expect(CheckDefinition.safeParse({ ...valid, extra: true }).success).toBe(false);
    const badNist = { ...valid?.mappings, nist80053: ['AC17'] };
    expect(CheckDefinition.safeParse({ ...valid, mappings: badNist }).success).toBe(false);
    const badSoc2 = { ...valid?.mappings, soc2: ['6.1'] };
    expect(CheckDefinition.safeParse({ ...valid, mappings: badSoc2 }).success).toBe(false);
  });
});

describe('Windows check catalog', () => {
  const windowsBenchmarkCis = /^\d{1,2}(?:\.\d{1,2}){0,4}$/;

  it('has a Windows check for each area the Windows runbooks repair, all for the windows platform', () => {
    expect(WINDOWS_CHECKS.length).toBeGreaterThanOrEqual(20);
    for (const check of WINDOWS_CHECKS) expect(check.platform).toBe('windows');
    const areas = new Set(WINDOWS_CHECKS.map((check) => check.id.split('.')[1]));
    for (const area of ['bitlocker', 'defender', 'firewall', 'audit', 'accounts', 'session', 'smb', 'rdp', 'update']) {
      expect(areas.has(area), area).toBe(true);
    }
  });

  it('parses every check with the schema, unchanged', () => {
    for (const check of WINDOWS_CHECKS) {
      const result = CheckDefinition.safeParse(check);
      expect(result.error, check.id).toBeUndefined();
      expect(result.data).toEqual(check);
    }
  });

  it('gives every check a unique id that matches CHECK_ID and starts with windows.', () => {
    const ids = WINDOWS_CHECKS.map((check) => check.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id).toMatch(CHECK_ID);
      expect(id.startsWith('windows.')).toBe(true);
    }
  });

  it('shares no id or title with a Linux check, and every id resolves in the combined catalog', () => {
    const linuxIds = new Set(LINUX_CHECKS.map((check) => check.id));
    const titles = [...LINUX_CHECKS, ...WINDOWS_CHECKS].map((check) => check.title);
    expect(new Set(titles).size).toBe(titles.length);
    for (const check of WINDOWS_CHECKS) {
      expect(linuxIds.has(check.id), check.id).toBe(false);
      expect(checkById(check.id)).toBe(check);
    }
  });

  it('keeps LINUX_CHECKS Linux-only', () => {
    for (const check of LINUX_CHECKS) expect(check.id.startsWith('linux.'), check.id).toBe(true);
  });

  it('maps every check to SOC 2, NIST 800-53 and CIS references the schema accepts', () => {
    for (const check of WINDOWS_CHECKS) {
      expect(check.mappings.soc2.length, check.id).toBeGreaterThan(0);
      expect(check.mappings.nist80053.length, check.id).toBeGreaterThan(0);
      expect(check.mappings.cis.length, check.id).toBeGreaterThan(0);
      for (const ref of check.mappings.cis) {
        expect(ref.startsWith('CSC ') || windowsBenchmarkCis.test(ref), `${check.id} ${ref}`).toBe(true);
      }
    }
    expect(CIS_REFERENCES.windowsBenchmark).toContain('Windows Server 2022');
  });

  it('cites only HIPAA controls of the control catalog', () => {
    for (const check of WINDOWS_CHECKS) {
      for (const specId of check.hipaa) expect(controlById(specId), `${check.id} cites ${specId}`).toBeDefined();
    }
  });

  it('does not cite audit controls for every check (each cites what it evidences)', () => {
    const citingAudit = WINDOWS_CHECKS.filter((check) => check.hipaa.includes('164.312(b)'));
    expect(citingAudit.length).toBeGreaterThan(0);
    expect(citingAudit.length).toBeLessThan(WINDOWS_CHECKS.length / 2);
  });

  it('cites the expected controls for encryption, anti-malware, screen lock and the firewall', () => {
    expect(citing('windows.bitlocker.system-drive')).toContain('164.312(a)(2)(iv)');
    expect(citing('windows.defender.realtime-protection')).toContain('164.308(a)(5)(ii)(B)');
    expect(citing('windows.session.screen-lock')).toContain('164.312(a)(2)(iii)');
    expect(citing('windows.firewall.profiles-enabled')).toContain('164.312(a)(1)');
    expect(citing('windows.accounts.password-policy')).toContain('164.308(a)(5)(ii)(D)');
    expect(checkById('windows.firewall.profiles-enabled')?.mappings.cis).toEqual(['9.1.1', '9.2.1', '9.3.1']);
  });

  it('keeps intervals at the 5-minute default except for the update scan', () => {
    for (const check of WINDOWS_CHECKS) expect([300, 3600], check.id).toContain(check.defaultIntervalSeconds);
    expect(checkById('windows.patch.critical-updates')?.defaultIntervalSeconds).toBe(3600);
  });
});

describe('workstation check catalog', () => {
  // (os, capability) pairs the agent implements (packages/workstation/src/checks/registry.ts).
  const implemented: Record<string, string[]> = {
    windows: ['disk-encryption', 'firewall', 'screen-lock', 'os-updates', 'antivirus', 'rmm-tools'],
    macos: ['disk-encryption', 'firewall', 'screen-lock', 'os-updates', 'antivirus', 'system-integrity'],
    linux: ['disk-encryption', 'firewall', 'screen-lock', 'os-updates', 'ssh-server'],
  };

  it('has one check per OS and capability the agent implements, on that platform', () => {
    const expected = Object.entries(implemented).flatMap(([os, checks]) => checks.map((c) => `${os}.workstation.${c}`));
    expect(WORKSTATION_CHECKS.map((check) => check.id).sort()).toEqual(expected.sort());
    for (const check of WORKSTATION_CHECKS) expect(check.id.startsWith(`${check.platform}.workstation.`)).toBe(true);
  });

  it('parses every check with the schema, unchanged, and resolves it in the combined catalog', () => {
    for (const check of WORKSTATION_CHECKS) {
      const result = CheckDefinition.safeParse(check);
      expect(result.error, check.id).toBeUndefined();
      expect(result.data).toEqual(check);
      expect(checkById(check.id)).toBe(check);
    }
  });

  it('shares no id or title with any other check', () => {
    const ids = EVERY_CHECK.map((check) => check.id);
    const titles = EVERY_CHECK.map((check) => check.title);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(titles).size).toBe(titles.length);
  });

  it('maps every check to SOC 2, NIST 800-53 and CIS; macOS only to CIS Controls safeguards', () => {
    for (const check of WORKSTATION_CHECKS) {
      expect(check.mappings.soc2.length, check.id).toBeGreaterThan(0);
      expect(check.mappings.nist80053.length, check.id).toBeGreaterThan(0);
      expect(check.mappings.cis.length, check.id).toBeGreaterThan(0);
      if (check.platform === 'macos') for (const ref of check.mappings.cis) expect(ref.startsWith('CSC ')).toBe(true);
    }
  });

  it('cites the same HIPAA controls as the matching server checks', () => {
    expect(citing('windows.workstation.disk-encryption')).toEqual(citing('windows.bitlocker.system-drive'));
    expect(citing('linux.workstation.firewall')).toEqual(citing('linux.firewall.default-deny-input'));
    expect(citing('macos.workstation.screen-lock')).toEqual(citing('windows.session.screen-lock'));
    expect(citing('windows.workstation.antivirus')).toEqual(citing('windows.defender.realtime-protection'));
    expect(checkById('windows.workstation.firewall')?.mappings.nist80053).toEqual(
      checkById('windows.firewall.profiles-enabled')?.mappings.nist80053,
    );
  });
});

describe('HIPAA control catalog', () => {
  it('parses every control and has unique ids', () => {
    for (const control of HIPAA_CONTROLS) expect(HipaaControl.safeParse(control).error, control.id).toBeUndefined();
    const ids = HIPAA_CONTROLS.map((control) => control.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('knows every citation a check makes', () => {
    for (const check of EVERY_CHECK) {
      for (const specId of check.hipaa) expect(controlById(specId), `${check.id} cites ${specId}`).toBeDefined();
    }
  });

  it('lists only controls that some check cites', () => {
    for (const control of HIPAA_CONTROLS) expect(citedIds.has(control.id), control.id).toBe(true);
  });

  it('puts each citation in the safeguard its CFR section defines', () => {
    const bySection = { '164.308': 'administrative', '164.310': 'physical', '164.312': 'technical' } as const;
    for (const control of HIPAA_CONTROLS) {
      const section = control.id.slice(0, 7) as keyof typeof bySection;
      expect(control.safeguard, control.id).toBe(bySection[section]);
      expect(control.standardId.slice(0, 7), control.id).toBe(section);
    }
  });

  it('marks standards required and their own standard', () => {
    for (const control of HIPAA_CONTROLS.filter((c) => c.kind === 'standard')) {
      expect(control.requirement, control.id).toBe('required');
      expect(control.standardId).toBe(control.id);
      expect(control.standardTitle).toBe(control.title);
    }
  });

  it('carries the titles and designations of the regulation', () => {
    const expected: [string, string, 'required' | 'addressable'][] = [
      ['164.308(a)(1)(ii)(D)', 'Information system activity review', 'required'],
      ['164.308(a)(5)(ii)(B)', 'Protection from malicious software', 'addressable'],
      ['164.308(a)(5)(ii)(C)', 'Log-in monitoring', 'addressable'],
      ['164.308(a)(5)(ii)(D)', 'Password management', 'addressable'],
      ['164.308(a)(7)(ii)(A)', 'Data backup plan', 'required'],
      ['164.312(a)(1)', 'Access control', 'required'],
      ['164.312(a)(2)(i)', 'Unique user identification', 'required'],
      ['164.312(a)(2)(iii)', 'Automatic logoff', 'addressable'],
      ['164.312(a)(2)(iv)', 'Encryption and decryption', 'addressable'],
      ['164.312(b)', 'Audit controls', 'required'],
      ['164.312(c)(1)', 'Integrity', 'required'],
      ['164.312(d)', 'Person or entity authentication', 'required'],
      ['164.312(e)(1)', 'Transmission security', 'required'],
      ['164.312(e)(2)(ii)', 'Encryption', 'addressable'],
    ];
    for (const [id, title, requirement] of expected) {
      expect(controlById(id), id).toMatchObject({ title, requirement });
    }
    expect(controlById('164.312(a)(2)(iv)')?.standardId).toBe('164.312(a)(1)');
    expect(controlById('164.308(a)(5)(ii)(C)')?.standardTitle).toBe('Security awareness and training');
  });
});

describe('citations of specific checks', () => {
  it('cites encryption and decryption for disk encryption', () => {
    expect(citing('linux.disk.encryption')).toContain('164.312(a)(2)(iv)');
  });

  it('cites audit controls for auditd, audit rules and logging', () => {
    for (const id of ['linux.audit.auditd-active', 'linux.audit.identity-rules', 'linux.logging.syslog-active']) {
      expect(citing(id), id).toContain('164.312(b)');
    }
  });

  it('cites automatic logoff for SSH idle timeout and shell TMOUT', () => {
    expect(citing('linux.ssh.idle-timeout')).toContain('164.312(a)(2)(iii)');
    expect(citing('linux.session.shell-timeout')).toContain('164.312(a)(2)(iii)');
  });

  it('cites unique user identification for root login and extra UID 0 accounts', () => {
    expect(citing('linux.ssh.permit-root-login')).toContain('164.312(a)(2)(i)');
    expect(citing('linux.accounts.uid0-only-root')).toContain('164.312(a)(2)(i)');
  });

  it('cites integrity for sensitive file modes and file integrity monitoring', () => {
    expect(citing('linux.files.shadow-permissions')).toContain('164.312(c)(1)');
    expect(citing('linux.integrity.aide')).toContain('164.312(c)(1)');
  });

  it('cites transmission security for SSH ciphers and clear-text services', () => {
    expect(citing('linux.ssh.strong-ciphers')).toContain('164.312(e)(1)');
    expect(citing('linux.service.no-telnet-server')).toContain('164.312(e)(1)');
  });

  it('cites log-in monitoring for login audit rules', () => {
    expect(citing('linux.audit.login-rules')).toContain('164.308(a)(5)(ii)(C)');
  });

  it('cites protection from malicious software for patching', () => {
    expect(citing('linux.patch.security-updates')).toContain('164.308(a)(5)(ii)(B)');
    expect(citing('linux.patch.age')).toContain('164.308(a)(5)(ii)(B)');
  });

  it('cites the data backup plan for backups', () => {
    expect(citing('linux.backup.recent')).toEqual(['164.308(a)(7)(ii)(A)']);
  });

  it('cites information system activity review for log shipping', () => {
    expect(citing('linux.logging.remote-forwarding')).toContain('164.308(a)(1)(ii)(D)');
  });

  it('cites access control for the default-deny firewall', () => {
    expect(citing('linux.firewall.default-deny-input')).toContain('164.312(a)(1)');
  });

  it('cites person or entity authentication for SSH password authentication', () => {
    expect(citing('linux.ssh.password-authentication')).toContain('164.312(d)');
  });

  it('cites password management for password quality and ageing', () => {
    expect(citing('linux.accounts.password-quality')).toContain('164.308(a)(5)(ii)(D)');
    expect(citing('linux.accounts.password-ageing')).toContain('164.308(a)(5)(ii)(D)');
  });

  it('maps well-known CIS recommendations', () => {
    expect(checkById('linux.ssh.permit-root-login')?.mappings.cis).toEqual(['5.2.7']);
    expect(checkById('linux.accounts.uid0-only-root')?.mappings.cis).toEqual(['6.2.10']);
    expect(checkById('linux.files.shadow-permissions')?.mappings.cis).toEqual(['6.1.5']);
    expect(checkById('linux.kernel.aslr')?.mappings.cis).toEqual(['1.5.1']);
  });
});

describe('lookups', () => {
  it('finds a check by id and returns undefined for an unknown one', () => {
    expect(checkById('linux.ssh.permit-root-login')?.title).toBe('SSH does not allow direct root login');
    expect(checkById('linux.ssh.nope')).toBeUndefined();
  });

  it('finds exactly the checks that cite a control', () => {
    const forEncryption = checksForControl('164.312(a)(2)(iv)').map((check) => check.id);
    expect(forEncryption).toEqual([
      'linux.disk.encryption',
      'windows.bitlocker.system-drive',
      'windows.workstation.disk-encryption',
      'macos.workstation.disk-encryption',
      'linux.workstation.disk-encryption',
    ]);
    const forAudit = checksForControl('164.312(b)');
    expect(forAudit.length).toBeGreaterThan(3);
    for (const check of forAudit) expect(check.hipaa).toContain('164.312(b)');
    expect(checksForControl('164.316(b)(1)')).toEqual([]);
  });

  it('returns undefined for a control that is not in the catalog', () => {
    expect(controlById('164.312(a)(2)(iv)')?.title).toBe('Encryption and decryption');
    expect(controlById('164.999(z)')).toBeUndefined();
  });
});
