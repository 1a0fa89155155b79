import type { CheckDefinition } from './schema';

/** File sharing, remote desktop and network authentication protocols on Windows. */
export const WINDOWS_NETWORK_CHECKS: readonly CheckDefinition[] = [
  {
    id: 'windows.smb.v1-disabled',
    platform: 'windows',
    title: 'The SMBv1 server protocol is disabled',
    description:
      'Requires EnableSMB1Protocol to be false in Get-SmbServerConfiguration. SMBv1 has no encryption or pre-authentication integrity and is what WannaCry and NotPetya spread through.',
    severity: 'high',
    hipaa: ['164.312(e)(1)', '164.308(a)(5)(ii)(B)'],
    mappings: { soc2: ['CC6.6', 'CC6.8'], nist80053: ['CM-7', 'SC-8'], cis: ['CSC 4.8'] },
    defaultIntervalSeconds: 300,
    remediation:
      'Find devices that still need SMBv1 (old scanners, NAS), then run Set-SmbServerConfiguration -EnableSMB1Protocol $false -Force in a maintenance window.',
    healable: true,
  },
  {
    id: 'windows.smb.signing-required',
    platform: 'windows',
    title: 'SMB signing is required by server and client',
    description:
      'Requires RequireSecuritySignature on both the SMB server (LanmanServer) and the SMB client (LanmanWorkstation). Unsigned SMB lets someone on the network relay credentials or alter files in transit.',
    severity: 'high',
    hipaa: ['164.312(e)(1)', '164.312(e)(2)(i)'],
    mappings: { soc2: ['CC6.7'], nist80053: ['SC-8', 'SC-8(1)'], cis: ['2.3.8', '2.3.9'] },
    defaultIntervalSeconds: 300,
    remediation:
      'Enable "Microsoft network server/client: Digitally sign communications (always)", or Set-SmbServerConfiguration -RequireSecuritySignature $true -Force and Set-SmbClientConfiguration -RequireSecuritySignature $true -Force.',
    healable: true,
  },
  {
    id: 'windows.rdp.nla-required',
    platform: 'windows',
    title: 'Remote Desktop requires Network Level Authentication over TLS',
    description:
      'Requires UserAuthentication = 1, SecurityLayer = 2 (TLS) and MinEncryptionLevel of at least 3 on the RDP-Tcp listener, so users authenticate before a session is created and the connection is encrypted.',
    severity: 'high',
    hipaa: ['164.312(d)', '164.312(e)(1)'],
    mappings: { soc2: ['CC6.1', 'CC6.7'], nist80053: ['AC-17(2)', 'IA-2', 'SC-8'], cis: ['CSC 4.1'] },
    defaultIntervalSeconds: 300,
    remediation:
      'Enable "Require user authentication for remote connections by using Network Level Authentication", set the security layer to SSL (TLS) and the encryption level to High, by Group Policy or on the RDP-Tcp registry key.',
    healable: true,
  },
  {
    id: 'windows.auth.ntlm-hardening',
    platform: 'windows',
    title: 'LAN Manager authentication is refused and LM hashes are not stored',
    description:
      'Requires LmCompatibilityLevel of at least 3 (send NTLMv2 only) and NoLMHash = 1. LM and NTLMv1 responses can be cracked offline in minutes.',
    severity: 'high',
    hipaa: ['164.312(d)', '164.312(e)(2)(ii)'],
    mappings: { soc2: ['CC6.1', 'CC6.7'], nist80053: ['IA-2', 'IA-5(1)', 'SC-13'], cis: ['2.3.11'] },
    defaultIntervalSeconds: 300,
    remediation:
      'Set "Network security: LAN Manager authentication level" to "Send NTLMv2 response only. Refuse LM & NTLM" (5) and "Do not store LAN Manager hash value on next password change" to Enabled, after checking old clients.',
    healable: true,
  },
  {
    id: 'windows.lsa.protection',
    platform: 'windows',
    title: 'The LSA runs as a protected process',
    description:
      'Requires RunAsPPL = 1 under HKLM\\SYSTEM\\CurrentControlSet\\Control\\Lsa, so credential-dumping tools cannot read the memory of the Local Security Authority.',
    severity: 'medium',
    hipaa: ['164.312(d)'],
    mappings: { soc2: ['CC6.1'], nist80053: ['SC-39', 'IA-5'], cis: ['CSC 4.1'] },
    defaultIntervalSeconds: 300,
    remediation:
      'Set RunAsPPL = 1 (DWORD) under HKLM\\SYSTEM\\CurrentControlSet\\Control\\Lsa and reboot in a maintenance window.',
    healable: true,
  },
];
