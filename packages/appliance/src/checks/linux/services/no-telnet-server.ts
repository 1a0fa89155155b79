import type { LinuxCheck } from '../../check';
import { defineForbiddenService } from './forbidden-service';

/** linux.service.no-telnet-server: Debian telnetd/inetutils-telnetd, RHEL telnet-server (telnet.socket). */
export const noTelnetServer: LinuxCheck = defineForbiddenService({
  id: 'linux.service.no-telnet-server',
  name: 'telnet server',
  packages: ['telnetd', 'inetutils-telnetd', 'telnetd-ssl', 'telnet-server'],
  processes: ['in.telnetd', 'telnetd', 'inetutils-telne'],
  units: ['telnet.socket', 'telnetd.service', 'inetutils-telnetd.service'],
  sysvScripts: ['telnetd'],
  inetdServices: ['telnet'],
  tcpPorts: [23],
});
