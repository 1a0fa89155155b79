import type { LinuxCheck } from '../../check';
import { defineAuditRuleCheck } from './audit-rules';

/** linux.audit.identity-rules */
export const identityRules: LinuxCheck = defineAuditRuleCheck({
  id: 'linux.audit.identity-rules',
  label: 'account files',
  paths: ['/etc/passwd', '/etc/shadow', '/etc/group', '/etc/gshadow', '/etc/security/opasswd'],
});
