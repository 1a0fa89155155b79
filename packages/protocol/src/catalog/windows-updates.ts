import type { CheckDefinition } from './schema';

/** Windows Update: the service that delivers fixes and what it still has to install. */
export const WINDOWS_UPDATE_CHECKS: readonly CheckDefinition[] = [
  {
    id: 'windows.update.service-enabled',
    platform: 'windows',
    title: 'The Windows Update service is not disabled',
    description:
      'Requires the wuauserv service to exist with a start type of Manual or Automatic. A disabled Windows Update service silently stops security patches and Defender platform updates.',
    severity: 'high',
    hipaa: ['164.308(a)(5)(ii)(B)'],
    mappings: { soc2: ['CC7.1', 'CC8.1'], nist80053: ['SI-2', 'SI-2(2)'], cis: ['CSC 7.3'] },
    defaultIntervalSeconds: 300,
    remediation: 'Set-Service wuauserv -StartupType Manual and Start-Service wuauserv; find the tool that disabled it.',
    healable: true,
  },
  {
    id: 'windows.patch.critical-updates',
    platform: 'windows',
    title: 'No critical security updates are pending',
    description:
      'Asks the Windows Update Agent for applicable software updates that are not installed and requires none rated Critical by the Microsoft Security Response Center. Unpatched critical flaws are how most ransomware gets in.',
    severity: 'high',
    hipaa: ['164.308(a)(5)(ii)(B)', '164.312(c)(1)'],
    mappings: { soc2: ['CC7.1'], nist80053: ['SI-2', 'SI-2(2)'], cis: ['CSC 7.3', 'CSC 7.4'] },
    defaultIntervalSeconds: 3600,
    remediation:
      'Install the pending Critical and Important updates through Windows Update or WSUS in a maintenance window and reboot if required.',
    healable: true,
  },
];
