import { fileModeCheck } from './file-mode';

export const passwdPermissionsCheck = fileModeCheck({
  id: 'linux.files.passwd-permissions',
  path: '/etc/passwd',
  maxMode: 0o644,
  extraGroups: [],
  whenMissing: { status: 'error', reason: '/etc/passwd does not exist, so the host cannot be judged.' },
  label: 'no other user can change UIDs or login shells',
});
