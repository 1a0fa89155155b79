import { fsScanCheck } from './fs-scan';

export const worldWritableCheck = fsScanCheck({
  id: 'linux.files.world-writable',
  findTest: '-type f -perm -0002',
  what: 'world-writable files',
  whatOne: 'world-writable file',
  passReason: 'No regular file on a local filesystem is writable by every user',
});
