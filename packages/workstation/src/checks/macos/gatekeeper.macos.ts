import { statusLineCheck } from './simple-status';

/** `spctl --status`: "assessments enabled" / "assessments disabled". */
export const macosGatekeeper = statusLineCheck({
  name: 'spctl',
  file: 'spctl',
  args: ['--status'],
  expected: 'Gatekeeper assessments enabled (malware protection with XProtect)',
  pass: /^assessments enabled/,
  fail: /^assessments disabled/,
});
