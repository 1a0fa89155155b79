import { defineFileModeRunbook } from './file-mode-runbook';

export const filesSshdConfigPermissions = defineFileModeRunbook({
  checkId: 'linux.files.sshd-config-permissions',
  title: 'Restrict the SSH server configuration to root',
  description:
    'Sets /etc/ssh/sshd_config and every file in sshd_config.d to root:root and removes mode bits beyond 0600. sshd runs as root, so it still reads them; nothing is reloaded.',
  files: '/etc/ssh/sshd_config /etc/ssh/sshd_config.d/*',
  maxMode: '0600',
  groups: 'root',
});
