import { defineFileModeRunbook, SHADOW_GROUPS } from './file-mode-runbook';

export const filesShadowPermissions = defineFileModeRunbook({
  checkId: 'linux.files.shadow-permissions',
  title: 'Restrict /etc/shadow to root and the shadow group',
  description:
    'Sets /etc/shadow to owner root, group shadow (root where there is none) and removes mode bits beyond 0640.',
  files: '/etc/shadow',
  maxMode: '0640',
  groups: SHADOW_GROUPS,
});
