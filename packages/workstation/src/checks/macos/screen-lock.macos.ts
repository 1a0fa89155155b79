import { statusLineCheck } from './simple-status';

/**
 * `sysadminctl -screenLock status` writes "screenLock delay is immediate", "screenLock delay is N
 * seconds" or "screenLock is off" to stderr (prefixed by a timestamp and process name).
 */
export const macosScreenLock = statusLineCheck({
  name: 'sysadminctl',
  file: 'sysadminctl',
  args: ['-screenLock', 'status'],
  stream: 'stderr',
  expected: 'Password required immediately or within 900 s after sleep or screen saver',
  pass: /screenLock delay is (?:immediate|(?:[1-9]|[1-9]\d|[1-8]\d\d|900) seconds)\b/,
  fail: /screenLock is off|screenLock delay is \d+ seconds/,
});
