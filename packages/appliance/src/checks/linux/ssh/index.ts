import type { LinuxCheck } from '../../check';
import { idleTimeout } from './idle-timeout';
import { maxAuthTries } from './max-auth-tries';
import { passwordAuthentication } from './password-authentication';
import { permitEmptyPasswords } from './permit-empty-passwords';
import { permitRootLogin } from './permit-root-login';
import { strongCiphers } from './strong-ciphers';
import { strongKex } from './strong-kex';
import { strongMacs } from './strong-macs';
import { x11Forwarding } from './x11-forwarding';

/** Checks of the catalog's ssh group (protocol src/catalog/linux-ssh.ts). */
export const LINUX_SSH_CHECKS: readonly LinuxCheck[] = [
  permitRootLogin,
  passwordAuthentication,
  permitEmptyPasswords,
  strongCiphers,
  strongMacs,
  strongKex,
  maxAuthTries,
  idleTimeout,
  x11Forwarding,
];
