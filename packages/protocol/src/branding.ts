import { z } from 'zod';
import { Id, text } from './common';

/** Partner branding (issue: the practice face carries the partner's branding). */

/** The largest logo accepted, in bytes. */
export const LOGO_MAX_BYTES = 256 * 1024;

/** The image types a logo may have; SVG is refused (it can carry script). */
export const LogoType = z.enum(['image/png', 'image/jpeg', 'image/webp']);
export type LogoType = z.infer<typeof LogoType>;

export const BrandColor = z.string().regex(/^#[0-9a-f]{6}$/, "a lower-case '#rrggbb' colour");

export const PartnerBranding = z.object({
  partnerId: Id,
  brandName: z.string().nullable(),
  color: z.string().nullable(),
  hasLogo: z.boolean(),
  /** Where the logo is served (changes with the image, so caches never show an old one); null without a logo. */
  logoUrl: z.string().nullable(),
});
export type PartnerBranding = z.infer<typeof PartnerBranding>;

/** Replaces the brand name and colour; null clears one. The logo has its own routes. */
export const PartnerBrandingUpdateRequest = z.strictObject({
  brandName: text(80).nullable(),
  color: BrandColor.nullable(),
});
export type PartnerBrandingUpdateRequest = z.infer<typeof PartnerBrandingUpdateRequest>;

/** `?v=` on the logo URL only busts caches; any short token is accepted. */
export const PartnerLogoQuery = z.strictObject({
  v: z
    .string()
    .max(64)
    .regex(/^[0-9a-z]*$/)
    .optional(),
});
