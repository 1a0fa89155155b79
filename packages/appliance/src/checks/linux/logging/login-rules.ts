import type { LinuxCheck } from '../../check';
import { defineAuditRuleCheck } from './audit-rules';

/** linux.audit.login-rules: lastlog and faillock for log-ins, utmp/wtmp/btmp for sessions. */
export const loginRules: LinuxCheck = defineAuditRuleCheck({
  id: 'linux.audit.login-rules',
  label: 'log-in and session records',
  paths: ['/var/log/lastlog', '/var/run/faillock', '/var/run/utmp', '/var/log/wtmp', '/var/log/btmp'],
});
