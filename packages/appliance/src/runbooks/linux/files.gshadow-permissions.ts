import { defineFileModeRunbook, SHADOW_GROUPS } from './file-mode-runbook';

export const filesGshadowPermissions = defineFileModeRunbook({
  checkId: 'linux.files.gshadow-permissions',
  title: 'Restrict /etc/gshadow to root and the shadow group',
  description:
    'Sets /etc/gshadow to owner root, group shadow (root where there is none) and removes mode bits beyond 0640.',
  files: '/etc/gshadow',
  maxMode: '0640',
  groups: SHADOW_GROUPS,
});
