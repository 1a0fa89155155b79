import { statusLineCheck } from './simple-status';

/** `csrutil status`: "System Integrity Protection status: enabled." / "disabled." / "unknown (Custom Configuration)." */
export const macosSip = statusLineCheck({
  name: 'csrutil',
  file: 'csrutil',
  args: ['status'],
  expected: 'System Integrity Protection enabled',
  pass: /^System Integrity Protection status: enabled\./,
  fail: /^System Integrity Protection status: (?:disabled|unknown)/,
});
