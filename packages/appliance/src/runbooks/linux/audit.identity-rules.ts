import { defineAuditRulesRunbook } from './audit-rules-runbook';

export const auditIdentityRules = defineAuditRulesRunbook({
  checkId: 'linux.audit.identity-rules',
  title: 'Audit changes to the account files',
  description:
    'Writes watch rules for /etc/passwd, /etc/shadow, /etc/group, /etc/gshadow and /etc/security/opasswd to /etc/audit/rules.d/50-identity.rules and loads them.',
  fileName: '50-identity.rules',
  rules: ['/etc/passwd', '/etc/shadow', '/etc/group', '/etc/gshadow', '/etc/security/opasswd'].map(
    (path) => `-w ${path} -p wa -k identity`,
  ),
});
