import { describe, expect, it } from 'vitest';
import { LINUX_CHECKS, WINDOWS_CHECKS, WORKSTATION_CHECKS } from '../catalog';
import {
  CHECK_CONTROL_MAP,
  CONTROL_ID_PATTERNS,
  checksForFrameworkControl,
  controlOf,
  controlsForCheck,
  controlsOf,
  FRAMEWORKS,
  FrameworkControl,
  FrameworkId,
  isManualControl,
  PRESETS,
} from '.';

const ALL_CHECKS = [...LINUX_CHECKS, ...WINDOWS_CHECKS, ...WORKSTATION_CHECKS];
const ids = (framework: FrameworkId, checkId: string) => CHECK_CONTROL_MAP.get(checkId)?.[framework] ?? [];

describe('framework control tables', () => {
  it.each(FrameworkId.options)('%s has unique ids in its own numbering', (framework) => {
    const controls = controlsOf(framework);
    expect(controls.length).toBeGreaterThan(5);
    expect(new Set(controls.map((c) => c.id)).size).toBe(controls.length);
    for (const control of controls) {
      expect(control.framework).toBe(framework);
      expect(control.id).toMatch(CONTROL_ID_PATTERNS[framework]);
    }
  });

  it('every control parses with the schema', () => {
    for (const framework of FrameworkId.options) {
      for (const control of controlsOf(framework)) expect(FrameworkControl.parse(control)).toEqual(control);
    }
  });

  it('rejects a HIPAA control without required/addressable and a CIS safeguard without its group', () => {
    const hipaa = { framework: 'hipaa', id: '164.312(b)', title: 'Audit controls', family: 'Technical' };
    expect(FrameworkControl.safeParse(hipaa).success).toBe(false);
    const cis = { framework: 'cis-v8', id: '4.1', title: 'Secure configuration', family: '4' };
    expect(FrameworkControl.safeParse(cis).success).toBe(false);
    expect(FrameworkControl.safeParse({ ...cis, implementationGroup: 1, id: 'A.8.1' }).success).toBe(false);
  });

  it('includes all 110 NIST SP 800-171 requirements, 110 CMMC practices, 93 ISO Annex A controls, 153 CIS safeguards', () => {
    expect(controlsOf('nist-800-171')).toHaveLength(110);
    expect(controlsOf('cmmc-l2')).toHaveLength(110);
    expect(controlsOf('iso-27001-2022')).toHaveLength(93);
    expect(controlsOf('cis-v8')).toHaveLength(153);
    expect(controlsOf('nist-csf-2')).toHaveLength(106);
    expect(controlsOf('soc2').filter((c) => c.id.startsWith('CC'))).toHaveLength(33);
  });

  it('marks HIPAA implementation specifications required or addressable as the rule does', () => {
    expect(controlOf('hipaa', '164.312(a)(2)(iv)')?.requirement).toBe('addressable');
    expect(controlOf('hipaa', '164.308(a)(7)(ii)(A)')?.requirement).toBe('required');
    expect(controlOf('hipaa', '164.312(b)')?.requirement).toBe('required');
  });

  it('covers all twelve PCI DSS principal requirements', () => {
    const principal = new Set(controlsOf('pci-dss-4').map((c) => c.id.split('.')[0]));
    expect([...principal].sort((a, b) => Number(a) - Number(b))).toEqual(
      Array.from({ length: 12 }, (_, i) => String(i + 1)),
    );
  });

  it('aligns CMMC practices with NIST SP 800-171', () => {
    expect(controlOf('cmmc-l2', 'AC.L2-3.1.1')?.title).toBe(controlOf('nist-800-171', '3.1.1')?.title);
    expect(controlOf('cmmc-l2', 'SI.L2-3.14.7')).toBeDefined();
  });
});

describe('check to control mapping', () => {
  it('maps exactly the catalog checks', () => {
    expect([...CHECK_CONTROL_MAP.keys()].sort()).toEqual(ALL_CHECKS.map((c) => c.id).sort());
  });

  it('maps every check to at least one control in at least 8 frameworks, all of which exist', () => {
    for (const check of ALL_CHECKS) {
      const mapped = FrameworkId.options.filter((f) => ids(f, check.id).length > 0);
      expect(mapped.length, check.id).toBeGreaterThanOrEqual(8);
      for (const framework of FrameworkId.options) {
        for (const controlId of ids(framework, check.id)) {
          expect(controlOf(framework, controlId), `${check.id} → ${framework} ${controlId}`).toBeDefined();
        }
      }
    }
  });

  it("maps HIPAA exactly as each check's own citations", () => {
    for (const check of ALL_CHECKS)
      expect([...ids('hipaa', check.id)].sort(), check.id).toEqual([...check.hipaa].sort());
  });

  it("keeps each check's SOC 2 criteria and CIS Controls safeguards", () => {
    for (const check of ALL_CHECKS) {
      expect(ids('soc2', check.id), check.id).toEqual(expect.arrayContaining(check.mappings.soc2));
      const csc = check.mappings.cis.filter((r) => r.startsWith('CSC ')).map((r) => r.slice(4));
      expect(ids('cis-v8', check.id), check.id).toEqual(expect.arrayContaining(csc));
    }
  });

  it('maps CMMC exactly as NIST SP 800-171', () => {
    for (const check of ALL_CHECKS) {
      expect(ids('cmmc-l2', check.id).map((id) => id.replace(/^[A-Z]{2}\.L2-/, ''))).toEqual(
        ids('nist-800-171', check.id),
      );
    }
  });

  it('maps SSH root login to access and authentication controls across frameworks', () => {
    const check = 'linux.ssh.permit-root-login';
    expect(ids('soc2', check)).toContain('CC6.1');
    expect(ids('pci-dss-4', check)).toEqual(expect.arrayContaining(['2.2.7', '8.2.2']));
    expect(ids('nist-csf-2', check)).toContain('PR.AA-05');
    expect(ids('nist-800-171', check)).toEqual(expect.arrayContaining(['3.1.5', '3.5.1']));
    expect(ids('cmmc-l2', check)).toContain('AC.L2-3.1.5');
    expect(ids('iso-27001-2022', check)).toEqual(expect.arrayContaining(['A.8.2', 'A.8.5']));
    expect(ids('cis-v8', check)).toContain('5.4');
    expect(ids('sox-itgc', check)).toContain('SOX-AC-05');
    expect(ids('gdpr-32', check)).toContain('32(1)(b)');
  });

  it('maps backups, time sync, encryption and patching to their usual controls', () => {
    expect(ids('iso-27001-2022', 'linux.backup.recent')).toContain('A.8.13');
    expect(ids('gdpr-32', 'linux.backup.recent')).toContain('32(1)(c)');
    expect(ids('pci-dss-4', 'windows.time.service-synchronized')).toContain('10.6.1');
    expect(ids('nist-800-171', 'linux.time.synchronized')).toContain('3.3.7');
    expect(ids('cis-v8', 'windows.bitlocker.system-drive')).toEqual(expect.arrayContaining(['3.6', '3.11']));
    expect(ids('pci-dss-4', 'windows.patch.critical-updates')).toContain('6.3.3');
  });

  it('maps workstation checks like the matching server checks', () => {
    expect(WORKSTATION_CHECKS.length).toBeGreaterThan(0);
    expect(ids('cis-v8', 'windows.workstation.disk-encryption')).toEqual(expect.arrayContaining(['3.6', '3.11']));
    expect(ids('nist-800-171', 'macos.workstation.screen-lock')).toEqual(
      ids('nist-800-171', 'windows.session.screen-lock'),
    );
    expect(ids('pci-dss-4', 'linux.workstation.firewall')).toEqual(
      ids('pci-dss-4', 'linux.firewall.default-deny-input'),
    );
    expect(ids('cis-v8', 'linux.workstation.firewall')).toContain('4.5');
  });

  it('looks controls up from both directions', () => {
    expect(controlsForCheck('linux.ssh.strong-ciphers', 'nist-csf-2').map((c) => c.id)).toEqual([
      'PR.AA-05',
      'PR.IR-01',
      'PR.DS-02',
    ]);
    expect(controlsForCheck('linux.ssh.strong-ciphers').some((c) => c.framework === 'hipaa')).toBe(true);
    expect(controlsForCheck('no.such.check')).toEqual([]);
    expect(checksForFrameworkControl('cis-v8', '11.2')).toEqual(['linux.backup.recent']);
    expect(checksForFrameworkControl('cis-v8', '14.1')).toEqual([]);
  });
});

describe('manual controls and presets', () => {
  it.each(FrameworkId.options)('%s has both automated and manual controls', (framework) => {
    const controls = controlsOf(framework);
    expect(controls.some((c) => isManualControl(framework, c.id))).toBe(true);
    expect(controls.some((c) => !isManualControl(framework, c.id))).toBe(true);
  });

  it('treats policy controls as manual and unknown ids as not controls', () => {
    expect(isManualControl('hipaa', '164.308(a)(1)(ii)(A)')).toBe(true);
    expect(isManualControl('hipaa', '164.312(b)')).toBe(false);
    expect(isManualControl('iso-27001-2022', 'A.9.9')).toBe(false);
  });

  it('describes every framework once and builds presets only from them', () => {
    expect(FRAMEWORKS.map((f) => f.id)).toEqual(FrameworkId.options);
    const known = new Set<string>(FrameworkId.options);
    for (const preset of PRESETS) {
      expect(preset.frameworks.length).toBeGreaterThan(0);
      for (const framework of preset.frameworks) expect(known.has(framework), preset.id).toBe(true);
    }
    expect(PRESETS.find((p) => p.id === 'healthcare')?.frameworks).toEqual(['hipaa', 'soc2', 'pci-dss-4']);
  });
});
