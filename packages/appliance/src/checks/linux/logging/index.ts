import type { LinuxCheck } from '../../check';
import { auditdActive } from './auditd-active';
import { identityRules } from './identity-rules';
import { loginRules } from './login-rules';
import { remoteForwarding } from './remote-forwarding';
import { sudoersRules } from './sudoers-rules';
import { syncDaemon } from './sync-daemon';
import { synchronized } from './synchronized';
import { syslogActive } from './syslog-active';

/** Checks of the catalog's logging group (protocol src/catalog/linux-logging.ts). */
export const LINUX_LOGGING_CHECKS: readonly LinuxCheck[] = [
  auditdActive,
  identityRules,
  sudoersRules,
  loginRules,
  syslogActive,
  remoteForwarding,
  syncDaemon,
  synchronized,
];
