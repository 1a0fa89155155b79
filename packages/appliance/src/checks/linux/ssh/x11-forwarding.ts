import type { LinuxCheck } from '../../check';
import { defineSshdNoCheck } from './sshd-config';

/** linux.ssh.x11-forwarding: X11Forwarding must be no. */
export const x11Forwarding: LinuxCheck = defineSshdNoCheck(
  'linux.ssh.x11-forwarding',
  'x11forwarding',
  'X11Forwarding',
);
