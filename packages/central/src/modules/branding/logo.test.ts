import { describe, expect, it } from 'vitest';
import { checkLogo, sniffLogoType } from './logo';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xdb, 0]);
const WEBP = Buffer.from('RIFF\x10\x00\x00\x00WEBPVP8L', 'latin1');

describe('logo checks', () => {
  it('recognises PNG, JPEG and WebP by their first bytes', () => {
    expect(sniffLogoType(PNG)).toBe('image/png');
    expect(sniffLogoType(JPEG)).toBe('image/jpeg');
    expect(sniffLogoType(WEBP)).toBe('image/webp');
    expect(sniffLogoType(Buffer.from('<svg/>'))).toBeNull();
    expect(sniffLogoType(Buffer.from('RIFF\x10\x00\x00\x00WAVE', 'latin1'))).toBeNull();
    expect(sniffLogoType(Buffer.alloc(0))).toBeNull();
  });

  it('accepts bytes of the declared type, with content-type parameters', () => {
    expect(checkLogo('image/png', PNG)).toEqual({ type: 'image/png', bytes: PNG });
    expect(checkLogo('IMAGE/JPEG; charset=binary', JPEG).type).toBe('image/jpeg');
  });

  it('refuses a mismatch, SVG, a missing type and a body that is not bytes', () => {
    for (const [type, body] of [
      ['image/png', JPEG],
      ['image/svg+xml', Buffer.from('<svg/>')],
      [undefined, PNG],
      ['image/png', { logo: 'x' }],
    ] as const) {
      expect(() => checkLogo(type, body)).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_MEDIA_TYPE' }));
    }
  });
});
