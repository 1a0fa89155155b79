import type { LinuxCheck } from '../../check';
import { defineAuditRuleCheck } from './audit-rules';

/** linux.audit.sudoers-rules: the directory watch covers files added to sudoers.d later. */
export const sudoersRules: LinuxCheck = defineAuditRuleCheck({
  id: 'linux.audit.sudoers-rules',
  label: 'sudo rules',
  paths: ['/etc/sudoers', '/etc/sudoers.d'],
});
