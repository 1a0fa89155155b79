import type { CheckDefinition } from './schema';

/**
 * Forbidden network services: installed packages, enabled or active units and sockets, inetd
 * entries and listening ports. Required services (auditd, logging, time) are in linux-logging.ts.
 */
export const LINUX_SERVICE_CHECKS: readonly CheckDefinition[] = [
  {
    id: 'linux.service.no-telnet-server',
    platform: 'linux',
    title: 'No telnet server is installed or running',
    description:
      'Requires that no telnet server (telnetd, inetutils-telnetd, telnet-server or a telnet entry in inetd/xinetd) is installed, enabled or listening on port 23. Telnet sends passwords and session contents in clear text.',
    severity: 'critical',
    hipaa: ['164.312(e)(1)', '164.312(e)(2)(ii)'],
    mappings: { soc2: ['CC6.6', 'CC6.7'], nist80053: ['CM-7', 'SC-8'], cis: ['2.4'] },
    defaultIntervalSeconds: 300,
    remediation:
      'Stop, disable and mask the telnet service or socket ("systemctl disable --now" then "systemctl mask"), remove the package, and use SSH instead.',
    healable: true,
  },
  {
    id: 'linux.service.no-rsh-server',
    platform: 'linux',
    title: 'No rsh, rlogin or rexec server is installed or running',
    description:
      'Requires that no r-services server (rsh-server, rsh-redone-server, or rsh/rlogin/rexec entries in inetd/xinetd) is installed, enabled or listening on ports 512-514. They send data in clear text and trust host names instead of authenticating people.',
    severity: 'critical',
    hipaa: ['164.312(d)', '164.312(e)(1)'],
    mappings: { soc2: ['CC6.6', 'CC6.7'], nist80053: ['CM-7', 'IA-2', 'SC-8'], cis: ['2.4'] },
    defaultIntervalSeconds: 300,
    remediation:
      'Stop, disable and mask the rsh, rlogin and rexec services or sockets, remove the packages and any .rhosts or hosts.equiv files, and use SSH instead.',
    healable: true,
  },
  {
    id: 'linux.service.no-ftp-server',
    platform: 'linux',
    title: 'No FTP server is installed or running',
    description:
      'Requires that no FTP server (vsftpd, proftpd, pure-ftpd) is installed, enabled or listening on port 21. FTP sends credentials and files in clear text; SFTP over SSH does the same job encrypted.',
    severity: 'high',
    hipaa: ['164.312(e)(1)', '164.312(e)(2)(ii)'],
    mappings: { soc2: ['CC6.6', 'CC6.7'], nist80053: ['CM-7', 'SC-8'], cis: ['2.2.8'] },
    defaultIntervalSeconds: 300,
    remediation:
      'Move whoever uses it (people, scanners, vendors) to SFTP, then stop, disable and remove the FTP server package.',
    healable: false,
  },
  {
    id: 'linux.service.no-tftp-server',
    platform: 'linux',
    title: 'No TFTP server is installed or running',
    description:
      'Requires that no TFTP server (tftpd-hpa, atftpd, tftp-server or a tftp entry in inetd/xinetd) is installed, enabled or listening on UDP port 69. TFTP has no authentication at all: anyone who can reach it can read, and often write, its files.',
    severity: 'high',
    hipaa: ['164.312(a)(1)', '164.312(e)(1)'],
    mappings: { soc2: ['CC6.6'], nist80053: ['AC-3', 'CM-7'], cis: ['2.4'] },
    defaultIntervalSeconds: 300,
    remediation:
      'If phones or network boot depend on it, move TFTP to a dedicated provisioning host and record an exception; otherwise stop, disable and remove the TFTP server package.',
    healable: false,
  },
];
