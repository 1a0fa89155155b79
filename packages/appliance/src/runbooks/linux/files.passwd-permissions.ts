import { defineFileModeRunbook } from './file-mode-runbook';

export const filesPasswdPermissions = defineFileModeRunbook({
  checkId: 'linux.files.passwd-permissions',
  title: 'Make /etc/passwd writable only by root',
  description: 'Sets /etc/passwd to root:root and removes mode bits beyond 0644.',
  files: '/etc/passwd',
  maxMode: '0644',
  groups: 'root',
});
