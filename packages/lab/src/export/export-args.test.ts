import { describe, expect, it } from 'vitest';
import { parseExportArgs, UsageError } from './export-args';

describe('osiris-lab export arguments', () => {
  it('takes --out as an absolute path and defaults to 2 hosts, 600 s, not kept', () => {
    const args = parseExportArgs(['--out', 'demo.zip']);
    expect(args).toEqual({ outPath: `${process.cwd()}/demo.zip`, hosts: 2, timeoutSeconds: 600, isKeep: false });
    expect(parseExportArgs(['--out', '/x/d.zip', '--hosts', '5', '--timeout', '60', '--keep'])).toEqual({
      outPath: '/x/d.zip',
      hosts: 5,
      timeoutSeconds: 60,
      isKeep: true,
    });
  });

  it.each([
    [[], '--out <file.zip> is required'],
    [['--out', ''], '--out <file.zip> is required'],
    [['--out', 'a.zip', '--hosts', '0'], '--hosts must be an integer from 1 to 5'],
    [['--out', 'a.zip', '--hosts', '6'], '--hosts must be an integer from 1 to 5'],
    [['--out', 'a.zip', '--hosts', '1.5'], '--hosts must be an integer'],
    [['--out', 'a.zip', '--hosts', '0x2'], '--hosts must be an integer'],
    [['--out', 'a.zip', '--timeout', '59'], '--timeout must be an integer from 60 to 3600'],
    [['--out', 'a.zip', '--bogus'], "Unknown option '--bogus'"],
    [['--out', 'a.zip', 'extra'], 'extra'],
  ])('refuses %j as a usage error', (argv, message) => {
    expect(() => parseExportArgs(argv)).toThrow(UsageError);
    expect(() => parseExportArgs(argv)).toThrow(message);
  });
});
