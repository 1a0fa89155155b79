import type { LinuxCheck } from '../../check';
import { defineForbiddenService } from './forbidden-service';

/**
 * linux.service.no-rsh-server: rsh (inetd name "shell", TCP 514), rlogin ("login", TCP 513) and
 * rexec ("exec", TCP 512). UDP 514 is syslog, so only TCP ports count.
 */
export const noRshServer: LinuxCheck = defineForbiddenService({
  id: 'linux.service.no-rsh-server',
  name: 'rsh, rlogin or rexec server',
  packages: ['rsh-server', 'rsh-redone-server', 'inetutils-rshd', 'inetutils-rlogind', 'inetutils-rexecd'],
  processes: ['in.rshd', 'in.rlogind', 'in.rexecd', 'rshd', 'rlogind', 'rexecd'],
  units: ['rsh.socket', 'rlogin.socket', 'rexec.socket'],
  inetdServices: ['shell', 'login', 'exec', 'rsh', 'rlogin', 'rexec'],
  tcpPorts: [512, 513, 514],
});
