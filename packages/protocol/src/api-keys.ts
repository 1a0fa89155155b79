import { z } from 'zod';
import { Id, Timestamp, text } from './common';

/** Partner API keys (issue 5): for a partner's own tools; read, or read and write. */
export const ApiKeyScope = z.enum(['read', 'read_write']);

export const ApiKey = z.object({
  id: Id,
  partnerId: Id,
  name: z.string(),
  /** The visible start of the key (`osk_<prefix>_…`), to tell keys apart. */
  prefix: z.string(),
  scope: ApiKeyScope,
  createdBy: Id.nullable(),
  createdAt: Timestamp,
  expiresAt: Timestamp,
  lastUsedAt: Timestamp.nullable(),
  revokedAt: Timestamp.nullable(),
});
export type ApiKey = z.infer<typeof ApiKey>;

export const ApiKeyCreateRequest = z.strictObject({
  name: text(100),
  scope: ApiKeyScope,
  expiresInDays: z.number().int().min(1).max(365).default(90),
});
export type ApiKeyCreateRequest = z.infer<typeof ApiKeyCreateRequest>;

/** The secret is shown once, here; only a keyed hash is stored. Send it as `Authorization: Bearer <key>`. */
export const ApiKeyCreated = z.object({ apiKey: ApiKey, key: z.string() });
export const ApiKeyList = z.object({ items: z.array(ApiKey) });
export const PartnerApiKeyParams = z.strictObject({ id: Id, keyId: Id });
