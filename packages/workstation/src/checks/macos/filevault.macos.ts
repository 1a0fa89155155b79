import { statusLineCheck } from './simple-status';

/** `fdesetup status` prints "FileVault is On." or "FileVault is Off." (plus progress lines while converting). */
export const macosFileVault = statusLineCheck({
  name: 'fdesetup',
  file: 'fdesetup',
  args: ['status'],
  expected: 'FileVault is On',
  pass: /^FileVault is On\b/,
  fail: /^FileVault is Off\b/,
});
