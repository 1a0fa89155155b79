import type { CheckDefinition } from './schema';

/** Audit policy, event logs and time on Windows: what makes a log usable as evidence. */
export const WINDOWS_LOGGING_CHECKS: readonly CheckDefinition[] = [
  {
    id: 'windows.audit.policy-subcategories',
    platform: 'windows',
    title: 'Windows audits log-ons, account changes and policy changes',
    description:
      'Requires the advanced audit policy to record Logon, Logoff, Account Lockout, User Account Management, Security Group Management, Audit Policy Change, Authentication Policy Change and Sensitive Privilege Use. Subcategories are matched by GUID, so the result does not depend on the display language.',
    severity: 'high',
    hipaa: ['164.312(b)', '164.308(a)(1)(ii)(D)', '164.308(a)(5)(ii)(C)'],
    mappings: { soc2: ['CC7.2'], nist80053: ['AU-2', 'AU-12'], cis: ['17.2', '17.5', '17.7', '17.8'] },
    defaultIntervalSeconds: 300,
    remediation:
      'Enable the subcategories with auditpol /set /subcategory:"<name>" /success:enable /failure:enable (Logoff: success), or by the Advanced Audit Policy Configuration in Group Policy.',
    healable: true,
  },
  {
    id: 'windows.logging.event-logs',
    platform: 'windows',
    title: 'Windows event logs are running and large enough',
    description:
      'Requires the EventLog service to be running and the Security, System and Application logs to be enabled, with the Security log at least 192 MiB and the others at least 32 MiB, so audit records are not overwritten within hours.',
    severity: 'high',
    hipaa: ['164.312(b)', '164.308(a)(1)(ii)(D)'],
    mappings: { soc2: ['CC7.2'], nist80053: ['AU-4', 'AU-9', 'AU-12'], cis: ['CSC 8.3'] },
    defaultIntervalSeconds: 300,
    remediation:
      'Start the Windows Event Log service and set the maximum sizes (e.g. wevtutil sl Security /ms:1073741824, wevtutil sl System /ms:33554432), or configure them by Group Policy; forward the logs to a collector.',
    healable: true,
  },
  {
    id: 'windows.time.service-synchronized',
    platform: 'windows',
    title: 'Windows Time is running and synchronized',
    description:
      'Requires the W32Time service to be running and w32tm to report a time source other than the local CMOS clock with a stratum below 10. Audit records are only useful when their timestamps can be trusted.',
    severity: 'medium',
    hipaa: ['164.312(b)'],
    mappings: { soc2: ['CC7.2'], nist80053: ['AU-8', 'AU-8(1)'], cis: ['CSC 8.4'] },
    defaultIntervalSeconds: 300,
    remediation:
      'Set W32Time to start automatically, start it and resynchronize (w32tm /resync /force); on a workgroup host configure peers with w32tm /config /manualpeerlist:"time.windows.com" /syncfromflags:manual /update.',
    healable: true,
  },
];
