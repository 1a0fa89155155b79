import type { LinuxCheck } from '../../check';
import { defineForbiddenService } from './forbidden-service';

/** linux.service.no-ftp-server: vsftpd, ProFTPD, Pure-FTPd, and any inetd ftp entry or TCP 21 listener. */
export const noFtpServer: LinuxCheck = defineForbiddenService({
  id: 'linux.service.no-ftp-server',
  name: 'FTP server',
  packages: [
    'vsftpd',
    'proftpd',
    'proftpd-basic',
    'proftpd-core',
    'pure-ftpd',
    'pure-ftpd-mysql',
    'pure-ftpd-postgresql',
  ],
  processes: ['vsftpd', 'proftpd', 'pure-ftpd'],
  units: ['vsftpd.service', 'proftpd.service', 'pure-ftpd.service'],
  sysvScripts: ['vsftpd', 'proftpd', 'pure-ftpd'],
  inetdServices: ['ftp'],
  tcpPorts: [21],
});
