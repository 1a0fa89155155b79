import { statusLineCheck } from './simple-status';

/** `socketfilterfw --getglobalstate`: "Firewall is enabled. (State = 1)" / "Firewall is disabled. (State = 0)". */
export const macosFirewall = statusLineCheck({
  name: 'socketfilterfw',
  file: '/usr/libexec/ApplicationFirewall/socketfilterfw',
  args: ['--getglobalstate'],
  expected: 'Application firewall enabled (State = 1 or 2)',
  pass: /^Firewall is (?:enabled|blocking all)|State = [12]\)/,
  fail: /^Firewall is disabled|State = 0\)/,
});
