import { defineAuditRulesRunbook } from './audit-rules-runbook';

export const auditSudoersRules = defineAuditRulesRunbook({
  checkId: 'linux.audit.sudoers-rules',
  title: 'Audit changes to the sudo rules',
  description:
    'Writes watch rules for /etc/sudoers and /etc/sudoers.d to /etc/audit/rules.d/50-scope.rules and loads them.',
  fileName: '50-scope.rules',
  rules: ['-w /etc/sudoers -p wa -k scope', '-w /etc/sudoers.d -p wa -k scope'],
});
