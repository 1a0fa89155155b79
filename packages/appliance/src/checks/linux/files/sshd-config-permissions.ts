import { fileModeCheck } from './file-mode';

export const sshdConfigPermissionsCheck = fileModeCheck({
  id: 'linux.files.sshd-config-permissions',
  path: '/etc/ssh/sshd_config',
  dropInDir: '/etc/ssh/sshd_config.d',
  maxMode: 0o600,
  extraGroups: [],
  // Without openssh-server there is no SSH server configuration that could be read or weakened.
  whenMissing: {
    status: 'pass',
    reason: 'There is no /etc/ssh/sshd_config: no SSH server is configured on this host.',
  },
  label: 'no other user can read or weaken the SSH server settings',
});
