import { ALL_CHECKS, type CheckDefinition } from '../catalog';
import { cmmcPracticeId } from './cmmc-l2';
import { THEMES, type ThemedFramework, type ThemeName, type ThemeRefs } from './mapping-themes';
import { FrameworkId } from './schema';

type CheckThemes = readonly [themes: readonly ThemeName[], extra?: ThemeRefs];

/**
 * Which security topics each catalog check gives evidence for, plus controls specific to the check.
 * HIPAA is never listed here: it is each check's own `hipaa` citations. SOC 2 adds to each check's `mappings.soc2`,
 * CIS v8 adds to its `CSC x.y` references; CMMC follows NIST SP 800-171.
 */
const CHECK_THEMES: Readonly<Record<string, CheckThemes>> = Object.freeze({
  'linux.ssh.permit-root-login': [['remoteAdmin', 'privileged', 'identity']],
  'linux.ssh.password-authentication': [['remoteAdmin', 'authentication'], { 'nist-800-171': ['3.5.4'] }],
  'linux.ssh.permit-empty-passwords': [['remoteAdmin', 'authentication']],
  'linux.ssh.strong-ciphers': [['remoteAdmin', 'cryptoTransit']],
  'linux.ssh.strong-macs': [['remoteAdmin', 'cryptoTransit'], { 'nist-800-171': ['3.13.15'] }],
  'linux.ssh.strong-kex': [['remoteAdmin', 'cryptoTransit'], { 'nist-800-171': ['3.13.10'] }],
  'linux.ssh.max-auth-tries': [['remoteAdmin', 'lockout']],
  'linux.ssh.idle-timeout': [['remoteAdmin', 'sessionEnd']],
  'linux.ssh.x11-forwarding': [['remoteAdmin', 'leastFunctionality']],
  'linux.firewall.default-deny-input': [['hostFirewall']],
  'linux.sysctl.ip-forward': [['networkStack'], { 'nist-800-171': ['3.13.6'], 'pci-dss-4': ['1.4.1'] }],
  'linux.sysctl.accept-redirects': [['networkStack']],
  'linux.sysctl.send-redirects': [['networkStack']],
  'linux.sysctl.accept-source-route': [['networkStack'], { 'pci-dss-4': ['1.4.3'] }],
  'linux.sysctl.rp-filter': [['networkStack'], { 'pci-dss-4': ['1.4.3'] }],
  'linux.sysctl.tcp-syncookies': [['networkStack'], { 'nist-csf-2': ['PR.IR-03'] }],
  'linux.kernel.aslr': [['exploitMitigation']],
  'linux.kernel.core-dumps': [['hardening'], { 'nist-800-171': ['3.13.4'] }],
  'linux.audit.auditd-active': [['auditLogging'], { 'pci-dss-4': ['10.2.1.6'] }],
  'linux.audit.identity-rules': [['auditLogging'], { 'pci-dss-4': ['10.2.1.5'] }],
  'linux.audit.sudoers-rules': [['auditLogging'], { 'pci-dss-4': ['10.2.1.2'], 'nist-800-171': ['3.1.7'] }],
  'linux.audit.login-rules': [['auditLogging'], { 'pci-dss-4': ['10.2.1.4'], 'nist-800-171': ['3.1.12'] }],
  'linux.logging.syslog-active': [['auditLogging', 'logRetention']],
  'linux.logging.remote-forwarding': [['centralLogs']],
  'linux.time.sync-daemon': [['timeSync']],
  'linux.time.synchronized': [['timeSync']],
  'linux.service.no-telnet-server': [['leastFunctionality', 'cryptoTransit']],
  'linux.service.no-rsh-server': [['leastFunctionality', 'cryptoTransit', 'authentication']],
  'linux.service.no-ftp-server': [['leastFunctionality', 'cryptoTransit']],
  'linux.service.no-tftp-server': [['leastFunctionality'], { 'pci-dss-4': ['2.2.5'] }],
  'linux.accounts.uid0-only-root': [['privileged', 'identity']],
  'linux.accounts.no-empty-passwords': [['authentication']],
  'linux.accounts.password-ageing': [['passwordPolicy']],
  'linux.accounts.inactive-lock': [['dormantAccounts']],
  'linux.accounts.password-quality': [['passwordPolicy']],
  'linux.accounts.lockout': [['lockout']],
  'linux.session.shell-timeout': [['sessionEnd']],
  'linux.files.shadow-permissions': [['filePermissions'], { 'nist-800-171': ['3.5.10'], 'pci-dss-4': ['8.3.2'] }],
  'linux.files.gshadow-permissions': [['filePermissions'], { 'nist-800-171': ['3.5.10'] }],
  'linux.files.passwd-permissions': [['filePermissions']],
  'linux.files.sshd-config-permissions': [['filePermissions', 'configProtection']],
  'linux.files.sudoers-permissions': [['filePermissions', 'configProtection', 'privileged']],
  'linux.files.world-writable': [['filePermissions']],
  'linux.files.unowned': [['filePermissions']],
  'linux.mac.enforcing': [['exploitMitigation', 'filePermissions']],
  'linux.patch.security-updates': [['patching']],
  'linux.patch.age': [['patching']],
  'linux.disk.encryption': [['cryptoRest']],
  'linux.disk.free-space': [['capacity']],
  'linux.mount.tmp-options': [['hardening', 'exploitMitigation']],
  'linux.integrity.aide': [['integrityMonitoring']],
  'linux.backup.recent': [['backup'], { 'nist-csf-2': ['RC.RP-03'] }],
  'windows.bitlocker.system-drive': [['cryptoRest'], { 'iso-27001-2022': ['A.8.1'], 'nist-800-171': ['3.1.19'] }],
  'windows.defender.realtime-protection': [['antiMalware']],
  'windows.defender.signatures-current': [['malwareSignatures']],
  'windows.firewall.profiles-enabled': [['hostFirewall']],
  'windows.firewall.default-inbound-block': [['hostFirewall']],
  'windows.autoplay.disabled': [['removableMedia']],
  'windows.accounts.password-policy': [['passwordPolicy']],
  'windows.accounts.lockout-policy': [['lockout']],
  'windows.accounts.guest-disabled': [['defaultAccounts', 'identity']],
  'windows.session.screen-lock': [['screenLock']],
  'windows.uac.enabled': [['privileged', 'exploitMitigation']],
  'windows.audit.policy-subcategories': [
    ['auditLogging'],
    { 'pci-dss-4': ['10.2.1.2', '10.2.1.4', '10.2.1.5'], 'nist-800-171': ['3.3.3'] },
  ],
  'windows.logging.event-logs': [['auditLogging', 'logRetention'], { 'pci-dss-4': ['10.3.2'] }],
  'windows.time.service-synchronized': [['timeSync']],
  'windows.smb.v1-disabled': [['leastFunctionality'], { 'nist-800-171': ['3.14.1'] }],
  'windows.smb.signing-required': [['cryptoTransit'], { 'nist-800-171': ['3.13.15'] }],
  'windows.rdp.nla-required': [['remoteAdmin', 'authentication', 'cryptoTransit']],
  'windows.auth.ntlm-hardening': [['authentication'], { 'nist-800-171': ['3.5.10', '3.5.4'] }],
  'windows.lsa.protection': [['authentication', 'hardening'], { 'nist-800-171': ['3.5.10'] }],
  'windows.update.service-enabled': [['patching']],
  'windows.patch.critical-updates': [['patching'], { 'cis-v8': ['7.4'] }],
  // Workstation agent checks: the themes of the matching server checks.
  'windows.workstation.disk-encryption': [['cryptoRest'], { 'iso-27001-2022': ['A.8.1'], 'nist-800-171': ['3.1.19'] }],
  'windows.workstation.firewall': [['hostFirewall']],
  'windows.workstation.screen-lock': [['screenLock']],
  'windows.workstation.os-updates': [['patching']],
  'windows.workstation.antivirus': [['antiMalware', 'malwareSignatures']],
  'windows.workstation.rmm-tools': [['remoteAdmin', 'leastFunctionality']],
  'macos.workstation.disk-encryption': [['cryptoRest'], { 'iso-27001-2022': ['A.8.1'], 'nist-800-171': ['3.1.19'] }],
  'macos.workstation.firewall': [['hostFirewall']],
  'macos.workstation.screen-lock': [['screenLock']],
  'macos.workstation.os-updates': [['patching']],
  'macos.workstation.antivirus': [['antiMalware']],
  'macos.workstation.system-integrity': [['exploitMitigation', 'configProtection']],
  'linux.workstation.disk-encryption': [['cryptoRest'], { 'iso-27001-2022': ['A.8.1'], 'nist-800-171': ['3.1.19'] }],
  'linux.workstation.firewall': [['hostFirewall']],
  'linux.workstation.screen-lock': [['screenLock']],
  'linux.workstation.os-updates': [['patching']],
  'linux.workstation.ssh-server': [['remoteAdmin', 'privileged', 'authentication']],
});

/** Controls a check evidences, per framework (empty where it evidences none). */
export type CheckControls = Readonly<Record<FrameworkId, readonly string[]>>;

const union = (...lists: readonly (readonly string[] | undefined)[]): string[] => [
  ...new Set(lists.flatMap((list) => list ?? [])),
];

const THEMED: readonly ThemedFramework[] = FrameworkId.options.filter(
  (framework): framework is ThemedFramework => framework !== 'hipaa' && framework !== 'cmmc-l2',
);

const CSC_PREFIX = 'CSC ';

const mapCheck = (check: CheckDefinition): CheckControls => {
  const [themeNames, extra] = CHECK_THEMES[check.id] ?? [[]];
  const refs: readonly ThemeRefs[] = [...themeNames.map((name) => THEMES[name] as ThemeRefs), extra ?? {}];
  const themed = Object.fromEntries(
    THEMED.map((framework) => [framework, union(...refs.map((ref) => ref[framework]))]),
  ) as Record<ThemedFramework, string[]>;
  const cscFromCatalog = check.mappings.cis
    .filter((ref) => ref.startsWith(CSC_PREFIX))
    .map((ref) => ref.slice(CSC_PREFIX.length));
  return Object.freeze({
    ...themed,
    hipaa: [...check.hipaa],
    soc2: union(check.mappings.soc2, themed.soc2),
    'cis-v8': union(cscFromCatalog, themed['cis-v8']),
    'cmmc-l2': themed['nist-800-171'].map(cmmcPracticeId),
  });
};

/** Every catalog check (Linux, Windows and workstation agents) with the controls it evidences in each framework. */
export const CHECK_CONTROL_MAP: ReadonlyMap<string, CheckControls> = new Map(
  ALL_CHECKS.map((check) => [check.id, mapCheck(check)]),
);
