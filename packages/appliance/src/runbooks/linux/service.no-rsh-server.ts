import { defineForbiddenServiceRunbook } from './forbidden-service-runbook';

export const serviceNoRshServer = defineForbiddenServiceRunbook({
  checkId: 'linux.service.no-rsh-server',
  title: 'Remove the rsh, rlogin and rexec servers',
  description:
    'Stops, disables and masks the r-service units, disables their inetd/xinetd entries, stops their servers and TCP 512-514 listeners and removes the packages. Open r-sessions end.',
  packages: {
    debian: ['rsh-server', 'rsh-redone-server', 'inetutils-rshd', 'inetutils-rlogind', 'inetutils-rexecd'],
    rhel: ['rsh-server'],
  },
  units: ['rsh.socket', 'rlogin.socket', 'rexec.socket'],
  sysvScripts: [],
  inetdServices: ['shell', 'login', 'exec', 'rsh', 'rlogin', 'rexec'],
  processes: ['in.rshd', 'in.rlogind', 'in.rexecd', 'rshd', 'rlogind', 'rexecd'],
  tcpPorts: [512, 513, 514],
});
