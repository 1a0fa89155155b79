import type { LinuxCheck } from '../../check';
import { defineSshdNoCheck } from './sshd-config';

/** linux.ssh.permit-empty-passwords: PermitEmptyPasswords must be no. */
export const permitEmptyPasswords: LinuxCheck = defineSshdNoCheck(
  'linux.ssh.permit-empty-passwords',
  'permitemptypasswords',
  'PermitEmptyPasswords',
);
