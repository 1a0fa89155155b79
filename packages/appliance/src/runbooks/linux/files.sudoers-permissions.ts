import { defineFileModeRunbook } from './file-mode-runbook';

export const filesSudoersPermissions = defineFileModeRunbook({
  checkId: 'linux.files.sudoers-permissions',
  title: 'Make the sudo rules writable by no one',
  description:
    'Sets /etc/sudoers and every file in /etc/sudoers.d to root:root and removes mode bits beyond 0440 (sudo itself refuses group- or world-writable rule files).',
  files: '/etc/sudoers /etc/sudoers.d/*',
  maxMode: '0440',
  groups: 'root',
});
