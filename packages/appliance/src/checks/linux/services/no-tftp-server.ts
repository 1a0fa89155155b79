import type { LinuxCheck } from '../../check';
import { defineForbiddenService } from './forbidden-service';

/** linux.service.no-tftp-server: tftpd-hpa, atftpd, tftp-server (tftp.socket) and any UDP 69 listener. */
export const noTftpServer: LinuxCheck = defineForbiddenService({
  id: 'linux.service.no-tftp-server',
  name: 'TFTP server',
  packages: ['tftpd-hpa', 'atftpd', 'tftpd', 'tftp-server'],
  processes: ['in.tftpd', 'atftpd', 'tftpd'],
  units: ['tftpd-hpa.service', 'atftpd.service', 'tftp.socket', 'tftp.service'],
  sysvScripts: ['tftpd-hpa', 'atftpd'],
  inetdServices: ['tftp'],
  udpPorts: [69],
});
