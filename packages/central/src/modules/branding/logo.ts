import type { LogoType } from '@osiris/protocol';
import { AppError } from '../../platform/errors';

/** The first bytes every file of each type starts with. */
const SIGNATURES: { type: LogoType; matches: (bytes: Buffer) => boolean }[] = [
  {
    type: 'image/png',
    matches: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  },
  { type: 'image/jpeg', matches: (b) => b.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff])) },
  {
    type: 'image/webp',
    matches: (b) => b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP',
  },
];

/** The image type the bytes are, by their signature; null when none of the accepted types. */
export function sniffLogoType(bytes: Buffer): LogoType | null {
  return SIGNATURES.find((s) => s.matches(bytes))?.type ?? null;
}

const ACCEPTED = 'Send the logo as image/png, image/jpeg or image/webp';

/**
 * A logo upload: the declared content type must be an accepted one and the bytes must be that
 * type (a PNG header on a PNG). Anything else, SVG included, is refused as unsupported.
 */
export function checkLogo(declaredType: string | undefined, body: unknown): { type: LogoType; bytes: Buffer } {
  const declared = declaredType?.split(';')[0]?.trim().toLowerCase();
  const accepted = SIGNATURES.find((s) => s.type === declared);
  if (!accepted || !Buffer.isBuffer(body)) throw new AppError('UNSUPPORTED_MEDIA_TYPE', ACCEPTED);
  const actual = sniffLogoType(body);
  if (actual !== accepted.type) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', `The file is not a valid ${accepted.type} image`, {
      details: { declaredType: accepted.type, detectedType: actual },
    });
  }
  return { type: accepted.type, bytes: body };
}

/** What the upload route answers for a body of any other content type. */
export const unsupportedLogoType = () => new AppError('UNSUPPORTED_MEDIA_TYPE', ACCEPTED);
