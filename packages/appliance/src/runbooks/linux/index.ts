import type { RunbookDefinition } from '../runbook';
import { accountsPasswordQuality } from './accounts.password-quality';
import { auditAuditdActive } from './audit.auditd-active';
import { auditIdentityRules } from './audit.identity-rules';
import { auditLoginRules } from './audit.login-rules';
import { auditSudoersRules } from './audit.sudoers-rules';
import { firewallDefaultDenyInput } from './firewall.default-deny-input';
import { filesGshadowPermissions } from './files.gshadow-permissions';
import { filesPasswdPermissions } from './files.passwd-permissions';
import { filesShadowPermissions } from './files.shadow-permissions';
import { filesSshdConfigPermissions } from './files.sshd-config-permissions';
import { filesSudoersPermissions } from './files.sudoers-permissions';
import { kernelAslr } from './kernel.aslr';
import { kernelCoreDumps } from './kernel.core-dumps';
import { loggingSyslogActive } from './logging.syslog-active';
import { serviceNoRshServer } from './service.no-rsh-server';
import { serviceNoTelnetServer } from './service.no-telnet-server';
import { sessionShellTimeout } from './session.shell-timeout';
import { sshIdleTimeout } from './ssh.idle-timeout';
import { sshMaxAuthTries } from './ssh.max-auth-tries';
import { sshPermitEmptyPasswords } from './ssh.permit-empty-passwords';
import { sshStrongCiphers } from './ssh.strong-ciphers';
import { sshStrongKex } from './ssh.strong-kex';
import { sshStrongMacs } from './ssh.strong-macs';
import { sshX11Forwarding } from './ssh.x11-forwarding';
import { sysctlAcceptRedirects } from './sysctl.accept-redirects';
import { sysctlAcceptSourceRoute } from './sysctl.accept-source-route';
import { sysctlSendRedirects } from './sysctl.send-redirects';
import { sysctlTcpSyncookies } from './sysctl.tcp-syncookies';
import { timeSyncDaemon } from './time.sync-daemon';

/** One runbook per healable Linux catalog check (the registry the healing engine looks ids up in). */
export const LINUX_RUNBOOKS: readonly RunbookDefinition[] = Object.freeze([
  sshPermitEmptyPasswords,
  sshStrongCiphers,
  sshStrongMacs,
  sshStrongKex,
  sshMaxAuthTries,
  sshIdleTimeout,
  sshX11Forwarding,
  firewallDefaultDenyInput,
  sysctlAcceptRedirects,
  sysctlSendRedirects,
  sysctlAcceptSourceRoute,
  sysctlTcpSyncookies,
  kernelAslr,
  kernelCoreDumps,
  auditAuditdActive,
  auditIdentityRules,
  auditSudoersRules,
  auditLoginRules,
  loggingSyslogActive,
  timeSyncDaemon,
  serviceNoTelnetServer,
  serviceNoRshServer,
  accountsPasswordQuality,
  sessionShellTimeout,
  filesShadowPermissions,
  filesGshadowPermissions,
  filesPasswdPermissions,
  filesSshdConfigPermissions,
  filesSudoersPermissions,
]);
