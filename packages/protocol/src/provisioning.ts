import { z } from 'zod';
import { Id, PageQuery, Timestamp, page } from './common';

/** A single-use code an appliance presents to register to a site. Shown once; stored hashed. */
export const PROVISION_CODE_PATTERN = /^[A-HJ-NP-Z2-9]{4}(?:-[A-HJ-NP-Z2-9]{4}){3}$/;
export const ProvisionCodeState = z.enum(['pending', 'used', 'revoked', 'expired']);
export type ProvisionCodeState = z.infer<typeof ProvisionCodeState>;

export const ProvisionCode = z.object({
  id: Id,
  siteId: Id,
  state: ProvisionCodeState,
  createdBy: Id.nullable(),
  expiresAt: Timestamp,
  usedAt: Timestamp.nullable(),
  revokedAt: Timestamp.nullable(),
  createdAt: Timestamp,
});
export type ProvisionCode = z.infer<typeof ProvisionCode>;

export const ProvisionCodeCreateRequest = z.strictObject({
  expiresInHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(72),
});
export type ProvisionCodeCreateRequest = z.infer<typeof ProvisionCodeCreateRequest>;
/** The code is in this response only. */
export const ProvisionCodeCreated = z.object({ provisionCode: ProvisionCode, code: z.string() });
export const ProvisionCodeListQuery = PageQuery.omit({ q: true }).extend({ state: ProvisionCodeState.optional() });
export type ProvisionCodeListQuery = z.infer<typeof ProvisionCodeListQuery>;
export const ProvisionCodePage = page(ProvisionCode);
