import { fileModeCheck } from './file-mode';

export const sudoersPermissionsCheck = fileModeCheck({
  id: 'linux.files.sudoers-permissions',
  path: '/etc/sudoers',
  dropInDir: '/etc/sudoers.d',
  maxMode: 0o440,
  extraGroups: [],
  // Without sudo there are no sudo rules; drop-in files, if any, are still judged above.
  whenMissing: { status: 'pass', reason: 'There is no /etc/sudoers: sudo is not installed, so no sudo rules exist.' },
  label: 'no one can change who may act as root',
});
