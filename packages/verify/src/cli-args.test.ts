import { describe, expect, it } from 'vitest';
import { parseArgs } from './cli-args';

describe('parseArgs', () => {
  it('reads the export path, repeated --tsa-ca, --log-key and the output flags in any order', () => {
    expect(
      parseArgs(['--tsa-ca', 'a.pem', 'export.zip', '--tsa-ca=b.pem', '--log-key', '0123456789abcdef', '--json']),
    ).toEqual({
      kind: 'run',
      options: {
        zipPath: 'export.zip',
        tsaCaFiles: ['a.pem', 'b.pem'],
        logKey: '0123456789abcdef',
        json: true,
        quiet: false,
      },
    });
    expect(parseArgs(['export.zip', '--quiet'])).toMatchObject({
      kind: 'run',
      options: { quiet: true, tsaCaFiles: [] },
    });
  });

  it('accepts a base64url Ed25519 public key as --log-key and refuses anything else', () => {
    const key = `${'A'.repeat(42)}E`;
    expect(parseArgs(['x.zip', `--log-key=${key}`])).toMatchObject({ kind: 'run', options: { logKey: key } });
    expect(parseArgs(['x.zip', '--log-key', 'ABCDEF0123456789'])).toMatchObject({ kind: 'error' });
    expect(parseArgs(['x.zip', '--log-key', `${'A'.repeat(42)}B`])).toMatchObject({ kind: 'error' });
  });

  it('answers help, and refuses missing values, unknown options and the wrong number of files', () => {
    expect(parseArgs(['x.zip', '-h'])).toEqual({ kind: 'help' });
    expect(parseArgs(['x.zip', '--tsa-ca'])).toEqual({ kind: 'error', message: '--tsa-ca needs a value' });
    expect(parseArgs(['x.zip', '--tsa-ca', '--json'])).toEqual({ kind: 'error', message: '--tsa-ca needs a value' });
    expect(parseArgs(['x.zip', '--fast'])).toEqual({ kind: 'error', message: 'unknown option --fast' });
    expect(parseArgs([])).toEqual({ kind: 'error', message: 'no export file given' });
    expect(parseArgs(['a.zip', 'b.zip'])).toEqual({ kind: 'error', message: 'give exactly one export file' });
    expect(parseArgs(['a.zip', '--json', '--quiet'])).toMatchObject({ kind: 'error' });
  });
});
