import { fsScanCheck } from './fs-scan';

export const unownedCheck = fsScanCheck({
  id: 'linux.files.unowned',
  findTest: '\\( -nouser -o -nogroup \\)',
  what: 'files or directories owned by a missing user or group',
  whatOne: 'file or directory owned by a missing user or group',
  passReason: 'Every file and directory on local filesystems belongs to an existing user and group',
});
