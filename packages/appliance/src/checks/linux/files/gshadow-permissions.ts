import { fileModeCheck } from './file-mode';

export const gshadowPermissionsCheck = fileModeCheck({
  id: 'linux.files.gshadow-permissions',
  path: '/etc/gshadow',
  maxMode: 0o640,
  extraGroups: ['shadow'],
  // Systems without gshadow keep no group passwords or group administrators at all.
  whenMissing: {
    status: 'pass',
    reason: 'There is no /etc/gshadow, so no group passwords or administrators are stored.',
  },
  label: 'no other user can read group passwords or add themselves to a group',
});
