import type { CheckDefinition } from './schema';

/**
 * Checks the workstation agent runs on the machine itself and reports to the appliance, one per
 * (OS, capability) the agent implements. Ids are `<os>.workstation.<capability>` with the agent's
 * snake_case capability id in kebab-case, exactly as the appliance names agent results in evidence.
 * HIPAA citations are the agent registry's; SOC 2, NIST and CIS references follow the matching
 * `windows.*` / `linux.*` server checks (macOS, which has no benchmark in {@link CIS_REFERENCES},
 * cites CIS Controls v8 safeguards). `healable` is true exactly where an agent runbook exists
 * (`AGENT_RUNBOOKS` in agent-runbooks.ts). The appliance never runs these itself: the agent does.
 */

const DISK_ENCRYPTION = {
  severity: 'critical',
  hipaa: ['164.312(a)(2)(iv)'],
  defaultIntervalSeconds: 3600,
} as const;
const FIREWALL = {
  severity: 'critical',
  hipaa: ['164.312(a)(1)', '164.312(e)(1)'],
  defaultIntervalSeconds: 300,
} as const;
const SCREEN_LOCK = { severity: 'medium', hipaa: ['164.312(a)(2)(iii)'], defaultIntervalSeconds: 300 } as const;
const OS_UPDATES = { severity: 'high', hipaa: ['164.308(a)(5)(ii)(B)'], defaultIntervalSeconds: 3600 } as const;
const ANTIVIRUS = { severity: 'critical', hipaa: ['164.308(a)(5)(ii)(B)'], defaultIntervalSeconds: 300 } as const;

const copy = <T extends { hipaa: readonly string[] }>(base: T) => ({ ...base, hipaa: [...base.hipaa] });

const WINDOWS_WORKSTATION_CHECKS: readonly CheckDefinition[] = [
  {
    id: 'windows.workstation.disk-encryption',
    platform: 'windows',
    title: 'Workstation: BitLocker protects the system drive',
    description:
      'Reported by the agent: the system drive is fully encrypted by BitLocker with protection on (not suspended). A lost or stolen laptop or desktop must not expose ePHI at rest.',
    ...copy(DISK_ENCRYPTION),
    mappings: { soc2: ['CC6.1', 'CC6.7'], nist80053: ['SC-28', 'SC-28(1)'], cis: ['CSC 3.6', 'CSC 3.11'] },
    remediation:
      'If protection is only suspended, resume it (Resume-BitLocker). If the drive is not encrypted, back up the recovery key to AD or Entra ID and enable BitLocker with a TPM protector.',
    healable: true,
  },
  {
    id: 'windows.workstation.firewall',
    platform: 'windows',
    title: 'Workstation: Windows Firewall is on for every profile',
    description:
      'Reported by the agent: the Domain, Private and Public profiles of Windows Defender Firewall are enabled, so the workstation does not accept connections to its services from anywhere on the network.',
    ...copy(FIREWALL),
    mappings: { soc2: ['CC6.1', 'CC6.6'], nist80053: ['SC-7', 'AC-4'], cis: ['9.1.1', '9.2.1', '9.3.1', 'CSC 4.5'] },
    remediation: 'Enable all three profiles: Set-NetFirewallProfile -Profile Domain,Private,Public -Enabled True.',
    healable: true,
  },
  {
    id: 'windows.workstation.screen-lock',
    platform: 'windows',
    title: 'Workstation: the screen locks after at most 15 minutes idle',
    description:
      'Reported by the agent: the machine inactivity limit is 1 to 900 seconds, or every signed-in user has a password-protected screen saver within 900 seconds, so an unattended screen does not show ePHI.',
    ...copy(SCREEN_LOCK),
    mappings: { soc2: ['CC6.1'], nist80053: ['AC-11', 'AC-11(1)'], cis: ['2.3.7', 'CSC 4.3'] },
    remediation:
      'Set "Interactive logon: Machine inactivity limit" to 900 seconds or less by Group Policy or Intune (InactivityTimeoutSecs).',
    healable: true,
  },
  {
    id: 'windows.workstation.os-updates',
    platform: 'windows',
    title: 'Workstation: Windows updates are current',
    description:
      'Reported by the agent: an update was installed within the allowed number of days and no reboot is pending, so known vulnerabilities are patched on the machines people use every day.',
    ...copy(OS_UPDATES),
    mappings: { soc2: ['CC7.1', 'CC8.1'], nist80053: ['SI-2', 'SI-2(2)'], cis: ['CSC 7.3', 'CSC 7.4'] },
    remediation:
      'Install the pending cumulative update from Windows Update, WSUS or Intune and restart the machine; make sure automatic updates are not paused.',
    healable: false,
  },
  {
    id: 'windows.workstation.antivirus',
    platform: 'windows',
    title: 'Workstation: Microsoft Defender protects in real time',
    description:
      'Reported by the agent: the Defender antivirus engine and real-time protection are on and signatures are recent, so malware is stopped before it runs.',
    ...copy(ANTIVIRUS),
    mappings: { soc2: ['CC6.8', 'CC7.1'], nist80053: ['SI-3', 'SI-4'], cis: ['CSC 10.1', 'CSC 10.2'] },
    remediation:
      'Turn real-time protection back on (Set-MpPreference -DisableRealtimeMonitoring $false), update signatures (Update-MpSignature) and find what switched it off. If another antivirus replaces Defender, record an exception.',
    healable: true,
  },
  {
    id: 'windows.workstation.rmm-tools',
    platform: 'windows',
    title: 'Workstation: only approved remote management tools are installed',
    description:
      'Reported by the agent: the services, processes and install paths of known remote management and remote access tools, compared with the approved list. An unknown remote tool is a way in that bypasses every other control.',
    severity: 'high',
    hipaa: ['164.312(a)(1)'],
    mappings: { soc2: ['CC6.1', 'CC6.8'], nist80053: ['AC-17', 'CM-7(5)'], cis: ['CSC 2.3', 'CSC 2.5'] },
    defaultIntervalSeconds: 3600,
    remediation:
      'Uninstall the remote tool if nobody can name who uses it and why; otherwise add it to the approved list in the agent check settings.',
    healable: false,
  },
];

const MACOS_WORKSTATION_CHECKS: readonly CheckDefinition[] = [
  {
    id: 'macos.workstation.disk-encryption',
    platform: 'macos',
    title: 'Workstation: FileVault encrypts the startup disk',
    description:
      'Reported by the agent: fdesetup says FileVault is on, so a lost or stolen Mac does not expose ePHI at rest.',
    ...copy(DISK_ENCRYPTION),
    mappings: { soc2: ['CC6.1', 'CC6.7'], nist80053: ['SC-28', 'SC-28(1)'], cis: ['CSC 3.6', 'CSC 3.11'] },
    remediation:
      'Turn FileVault on in System Settings > Privacy & Security (or by MDM profile) and escrow the recovery key with the MDM.',
    healable: false,
  },
  {
    id: 'macos.workstation.firewall',
    platform: 'macos',
    title: 'Workstation: the macOS application firewall is on',
    description:
      'Reported by the agent: socketfilterfw reports the application firewall enabled, so incoming connections reach only the apps allowed to receive them.',
    ...copy(FIREWALL),
    mappings: { soc2: ['CC6.1', 'CC6.6'], nist80053: ['SC-7', 'AC-4'], cis: ['CSC 4.5'] },
    remediation: 'Turn the firewall on: /usr/libexec/ApplicationFirewall/socketfilterfw --setglobalstate on.',
    healable: true,
  },
  {
    id: 'macos.workstation.screen-lock',
    platform: 'macos',
    title: 'Workstation: the Mac asks for a password within 15 minutes',
    description:
      'Reported by the agent: a password is required immediately or within 900 seconds after sleep or the screen saver begins, so an unattended screen does not show ePHI.',
    ...copy(SCREEN_LOCK),
    mappings: { soc2: ['CC6.1'], nist80053: ['AC-11', 'AC-11(1)'], cis: ['CSC 4.3'] },
    remediation:
      'Require a password immediately after sleep or screen saver (System Settings > Lock Screen, or an MDM profile with askForPasswordDelay at most 900).',
    healable: false,
  },
  {
    id: 'macos.workstation.os-updates',
    platform: 'macos',
    title: 'Workstation: macOS updates are installed',
    description:
      'Reported by the agent: softwareupdate lists no recommended updates pending, so known vulnerabilities are patched.',
    ...copy(OS_UPDATES),
    mappings: { soc2: ['CC7.1', 'CC8.1'], nist80053: ['SI-2', 'SI-2(2)'], cis: ['CSC 7.3', 'CSC 7.4'] },
    remediation:
      'Install the pending updates (System Settings > General > Software Update, or softwareupdate -ia) and restart.',
    healable: false,
  },
  {
    id: 'macos.workstation.antivirus',
    platform: 'macos',
    title: 'Workstation: Gatekeeper and XProtect assess software',
    description:
      'Reported by the agent: spctl reports assessments enabled, so Gatekeeper checks downloaded software and XProtect blocks known malware.',
    ...copy(ANTIVIRUS),
    severity: 'high',
    mappings: { soc2: ['CC6.8', 'CC7.1'], nist80053: ['SI-3', 'CM-14'], cis: ['CSC 10.1', 'CSC 2.5'] },
    remediation: 'Turn assessments back on: spctl --master-enable, and find the person or profile that disabled them.',
    healable: true,
  },
  {
    id: 'macos.workstation.system-integrity',
    platform: 'macos',
    title: 'Workstation: System Integrity Protection is on',
    description:
      'Reported by the agent: csrutil reports System Integrity Protection enabled, so not even root can change protected system files and processes.',
    severity: 'high',
    hipaa: ['164.312(c)(1)'],
    mappings: { soc2: ['CC6.8', 'CC7.1'], nist80053: ['SI-7', 'SI-7(1)'], cis: ['CSC 4.1'] },
    defaultIntervalSeconds: 3600,
    remediation:
      'Start the Mac in Recovery, run csrutil enable in Terminal and restart. SIP can only be changed from Recovery, so no automatic fix exists.',
    healable: false,
  },
];

const LINUX_WORKSTATION_CHECKS: readonly CheckDefinition[] = [
  {
    id: 'linux.workstation.disk-encryption',
    platform: 'linux',
    title: 'Workstation: the root filesystem is on LUKS',
    description:
      'Reported by the agent: the device mounted at / sits on a dm-crypt (LUKS) volume, so a lost or stolen Linux workstation does not expose ePHI at rest.',
    ...copy(DISK_ENCRYPTION),
    mappings: { soc2: ['CC6.1'], nist80053: ['SC-28', 'SC-28(1)'], cis: ['CSC 3.6', 'CSC 3.11'] },
    remediation:
      'Reinstall with full-disk encryption (LUKS) or migrate the data to an encrypted volume; encryption cannot be added in place safely.',
    healable: false,
  },
  {
    id: 'linux.workstation.firewall',
    platform: 'linux',
    title: 'Workstation: a host firewall drops unsolicited inbound traffic',
    description:
      'Reported by the agent: an active nftables input chain with policy drop, ufw or firewalld, so only traffic a rule allows reaches the workstation.',
    ...copy(FIREWALL),
    mappings: { soc2: ['CC6.6'], nist80053: ['SC-7', 'SC-7(5)'], cis: ['3.5.1.7', '3.5.2.8', '3.5.3.2.1', 'CSC 4.5'] },
    remediation:
      'Enable ufw (ufw default deny incoming; ufw allow 22/tcp; ufw enable) or firewalld, or load an nftables ruleset whose input chain has policy drop.',
    healable: true,
  },
  {
    id: 'linux.workstation.screen-lock',
    platform: 'linux',
    title: 'Workstation: the desktop locks after at most 15 minutes idle',
    description:
      'Reported by the agent: in the graphical session GNOME screen lock is enabled and the idle delay is between 1 and 900 seconds, so an unattended screen does not show ePHI.',
    ...copy(SCREEN_LOCK),
    mappings: { soc2: ['CC6.1'], nist80053: ['AC-11', 'AC-11(1)'], cis: ['1.8.4', 'CSC 4.3'] },
    remediation:
      'Set org.gnome.desktop.screensaver lock-enabled true and org.gnome.desktop.session idle-delay to 900 or less, locked by a dconf profile.',
    healable: false,
  },
  {
    id: 'linux.workstation.os-updates',
    platform: 'linux',
    title: 'Workstation: no security updates are pending',
    description:
      'Reported by the agent: the package manager has no pending updates from the security suite, so known vulnerabilities are patched.',
    ...copy(OS_UPDATES),
    mappings: { soc2: ['CC7.1'], nist80053: ['SI-2', 'SI-2(2)'], cis: ['1.9', 'CSC 7.3'] },
    remediation: 'Install the pending updates (apt-get upgrade) and enable unattended-upgrades for the security suite.',
    healable: false,
  },
  {
    id: 'linux.workstation.ssh-server',
    platform: 'linux',
    title: 'Workstation: the SSH server refuses root and password logins',
    description:
      'Reported by the agent when sshd runs: PermitRootLogin no, PasswordAuthentication no, PermitEmptyPasswords no, MaxAuthTries at most 3 and X11Forwarding no.',
    severity: 'high',
    hipaa: ['164.312(d)', '164.312(a)(1)'],
    mappings: {
      soc2: ['CC6.1', 'CC6.6'],
      nist80053: ['AC-6(2)', 'AC-17', 'IA-2', 'IA-5'],
      cis: ['5.2.7', '5.2.9', '5.2.12', '5.2.18'],
    },
    defaultIntervalSeconds: 300,
    remediation:
      'Set the five options in /etc/ssh/sshd_config (or a drop-in under sshd_config.d), check with sshd -t and reload sshd; or stop sshd if nobody logs in remotely.',
    healable: true,
  },
];

/** Every workstation agent check, Windows, macOS and Linux. */
export const WORKSTATION_CHECKS: readonly CheckDefinition[] = [
  ...WINDOWS_WORKSTATION_CHECKS,
  ...MACOS_WORKSTATION_CHECKS,
  ...LINUX_WORKSTATION_CHECKS,
];
