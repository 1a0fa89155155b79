import { describe, expect, it } from 'vitest';
import { md4 } from './md4';

/** The test suite of RFC 1320 appendix A.5. */
const RFC_1320_VECTORS: [string, string][] = [
  ['', '31d6cfe0d16ae931b73c59d7e0c089c0'],
  ['a', 'bde52cb31de33e46245e05fbdbd6fb24'],
  ['abc', 'a448017aaf21d8525fc10ae87aa6729d'],
  ['message digest', 'd9130a8164549fe818874806e1c7014b'],
  ['abcdefghijklmnopqrstuvwxyz', 'd79e1c308aa5bbcdeea8ed63df412da9'],
  ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', '043f8582f241db351ce627e153e7f0e4'],
  [
    '12345678901234567890123456789012345678901234567890123456789012345678901234567890',
    'e33b4ddc9c38f2199c3e7b164fcc0536',
  ],
];

describe('md4', () => {
  it.each(RFC_1320_VECTORS)('hashes %j as in RFC 1320', (input, expected) => {
    expect(md4(Buffer.from(input, 'ascii')).toString('hex')).toBe(expected);
  });

  it('gives the NT hash of "Password" from MS-NLMP §4.2.2.1.2', () => {
    expect(md4(Buffer.from('Password', 'utf16le')).toString('hex')).toBe('a4f49c406510bdcab6824ee7c30fd852');
  });

  // Reference digests from `openssl dgst -md4 -provider legacy` on runs of "a": the padding edges
  // (55 bytes fit one block with the length, 56 need a second) and multi-block messages.
  it.each([
    [55, 'c889c81dd86c4d2e025778944ea02881'],
    [56, 'd5f9a9e9257077a5f08b0b92f348b0ad'],
    [63, '7ea3da77432d44c323671097d1348fc8'],
    [64, '52f5076fabd22680234a3fa9f9dc5732'],
    [65, '330e377bf231f3cacfecc2c182fe7e5b'],
    [119, 'e65dd227ccef97fa1d34d70189120f76'],
    [120, 'b03ddbd470b47c013e0c7ab2ddd763db'],
  ])('hashes %i bytes across the padding boundary', (length, expected) => {
    expect(md4(Buffer.alloc(length, 0x61)).toString('hex')).toBe(expected);
  });
});
