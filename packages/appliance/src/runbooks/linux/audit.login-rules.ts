import { defineAuditRulesRunbook } from './audit-rules-runbook';

export const auditLoginRules = defineAuditRulesRunbook({
  checkId: 'linux.audit.login-rules',
  title: 'Audit log-in and session records',
  description:
    'Writes watch rules for lastlog and faillock (key logins) and utmp, wtmp and btmp (key session) to /etc/audit/rules.d/50-login.rules and loads them.',
  fileName: '50-login.rules',
  rules: [
    '-w /var/log/lastlog -p wa -k logins',
    '-w /var/run/faillock -p wa -k logins',
    '-w /var/run/utmp -p wa -k session',
    '-w /var/log/wtmp -p wa -k session',
    '-w /var/log/btmp -p wa -k session',
  ],
});
