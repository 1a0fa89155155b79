import { defineForbiddenServiceRunbook } from './forbidden-service-runbook';

export const serviceNoTelnetServer = defineForbiddenServiceRunbook({
  checkId: 'linux.service.no-telnet-server',
  title: 'Remove the telnet server',
  description:
    'Stops, disables and masks telnet units, disables inetd/xinetd telnet entries, stops telnet servers and port-23 listeners and removes the telnet server packages. Open telnet sessions end.',
  packages: { debian: ['telnetd', 'inetutils-telnetd', 'telnetd-ssl'], rhel: ['telnet-server'] },
  units: ['telnet.socket', 'telnetd.service', 'inetutils-telnetd.service'],
  sysvScripts: ['telnetd'],
  inetdServices: ['telnet'],
  processes: ['in.telnetd', 'telnetd', 'inetutils-telne'],
  tcpPorts: [23],
});
