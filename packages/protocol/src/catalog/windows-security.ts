import type { CheckDefinition } from './schema';

/** Disk encryption, anti-malware, host firewall and removable media on Windows. */
export const WINDOWS_SECURITY_CHECKS: readonly CheckDefinition[] = [
  {
    id: 'windows.bitlocker.system-drive',
    platform: 'windows',
    title: 'BitLocker protects the system drive',
    description:
      'Requires the operating system volume to be fully encrypted by BitLocker with protection on (not suspended). A lost or stolen server or workstation disk must not expose ePHI at rest.',
    severity: 'critical',
    hipaa: ['164.312(a)(2)(iv)'],
    mappings: { soc2: ['CC6.1', 'CC6.7'], nist80053: ['SC-28', 'SC-28(1)'], cis: ['CSC 3.6', 'CSC 3.11'] },
    defaultIntervalSeconds: 300,
    remediation:
      'If protection is only suspended, resume it (Resume-BitLocker -MountPoint $env:SystemDrive). If the drive is not encrypted, back up the recovery key to AD or Entra ID and enable BitLocker with a TPM protector in a maintenance window.',
    healable: true,
  },
  {
    id: 'windows.defender.realtime-protection',
    platform: 'windows',
    title: 'Microsoft Defender real-time protection is on',
    description:
      'Requires the Defender antivirus engine to be enabled with real-time and behavior monitoring on, as reported by Get-MpComputerStatus. Without real-time scanning, malicious software runs before anyone looks.',
    severity: 'critical',
    hipaa: ['164.308(a)(5)(ii)(B)'],
    mappings: { soc2: ['CC6.8', 'CC7.1'], nist80053: ['SI-3', 'SI-4'], cis: ['CSC 10.1'] },
    defaultIntervalSeconds: 300,
    remediation:
      'Turn real-time protection back on (Set-MpPreference -DisableRealtimeMonitoring $false -DisableBehaviorMonitoring $false) and find the policy or tool that switched it off. If a third-party antivirus replaces Defender, record an exception.',
    healable: true,
  },
  {
    id: 'windows.defender.signatures-current',
    platform: 'windows',
    title: 'Microsoft Defender signatures are at most 3 days old',
    description:
      'Requires the antivirus signatures reported by Get-MpComputerStatus to be no older than 3 days. Stale definitions miss current malware families, including ransomware aimed at practices.',
    severity: 'high',
    hipaa: ['164.308(a)(5)(ii)(B)'],
    mappings: { soc2: ['CC6.8', 'CC7.1'], nist80053: ['SI-3', 'SI-3(2)'], cis: ['CSC 10.2'] },
    defaultIntervalSeconds: 300,
    remediation:
      'Run Update-MpSignature and make sure the host can reach Windows Update, WSUS or the configured definition source.',
    healable: true,
  },
  {
    id: 'windows.firewall.profiles-enabled',
    platform: 'windows',
    title: 'Windows Firewall is on for every profile',
    description:
      'Requires the Domain, Private and Public profiles of Windows Defender Firewall to be enabled. A host whose firewall is off accepts connections to every listening service from anywhere on the network.',
    severity: 'critical',
    hipaa: ['164.312(a)(1)', '164.312(e)(1)'],
    mappings: { soc2: ['CC6.1', 'CC6.6'], nist80053: ['SC-7', 'AC-4'], cis: ['9.1.1', '9.2.1', '9.3.1'] },
    defaultIntervalSeconds: 300,
    remediation: 'Enable all three profiles: Set-NetFirewallProfile -Profile Domain,Private,Public -Enabled True.',
    healable: true,
  },
  {
    id: 'windows.firewall.default-inbound-block',
    platform: 'windows',
    title: 'Windows Firewall blocks unsolicited inbound traffic by default',
    description:
      'Requires the default inbound action of every firewall profile to be Block, so only traffic that a rule explicitly allows reaches the host.',
    severity: 'high',
    hipaa: ['164.312(a)(1)', '164.312(e)(1)'],
    mappings: { soc2: ['CC6.6'], nist80053: ['SC-7', 'SC-7(5)'], cis: ['9.1.2', '9.2.2', '9.3.2'] },
    defaultIntervalSeconds: 300,
    remediation:
      'Set the default: Set-NetFirewallProfile -Profile Domain,Private,Public -DefaultInboundAction Block, after checking that the services people use have allow rules.',
    healable: true,
  },
  {
    id: 'windows.autoplay.disabled',
    platform: 'windows',
    title: 'AutoPlay is off for all drives',
    description:
      'Requires the NoDriveTypeAutoRun policy to be 255 (every drive type). AutoPlay runs content from inserted media without asking, a classic way for malware on a USB stick to get in.',
    severity: 'medium',
    hipaa: ['164.308(a)(5)(ii)(B)'],
    mappings: { soc2: ['CC6.8'], nist80053: ['MP-7', 'CM-7'], cis: ['CSC 10.3'] },
    defaultIntervalSeconds: 300,
    remediation:
      'Set "Turn off AutoPlay" to All drives by Group Policy, or set NoDriveTypeAutoRun = 255 (DWORD) under HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\Explorer.',
    healable: true,
  },
];
