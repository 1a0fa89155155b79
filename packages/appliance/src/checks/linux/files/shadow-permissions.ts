import { fileModeCheck } from './file-mode';

export const shadowPermissionsCheck = fileModeCheck({
  id: 'linux.files.shadow-permissions',
  path: '/etc/shadow',
  maxMode: 0o640,
  // Debian gives /etc/shadow to group shadow (so unix_chkpwd can read it), RHEL to root.
  extraGroups: ['shadow'],
  whenMissing: { status: 'error', reason: '/etc/shadow does not exist, so where password hashes live is unknown.' },
  label: 'no other user can read or change the password hashes',
});
