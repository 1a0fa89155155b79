import { z } from 'zod';

/** Every id is a uuid (we mint v7 so ids sort by creation time). */
export const Id = z.uuid();
export type Id = z.infer<typeof Id>;

export const Timestamp = z.iso.datetime({ offset: true });

/** Bounded, trimmed single-line text. */
export const text = (max: number, min = 1) =>
  z
    .string()
    .trim()
    .min(min)
    .max(max)
    .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');

export const Email = z.string().trim().toLowerCase().max(254).pipe(z.email());

export const Cursor = z
  .string()
  .max(200)
  .regex(/^[A-Za-z0-9_-]+$/, 'malformed cursor');

/** Query for every list endpoint: opaque cursor, page size, free-text search. */
export const PageQuery = z.strictObject({
  cursor: Cursor.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  q: z.string().trim().min(1).max(100).optional(),
});
export type PageQuery = z.infer<typeof PageQuery>;

export const page = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    nextCursor: z.string().nullable(),
  });

export const IdParams = z.strictObject({ id: Id });
export type IdParams = z.infer<typeof IdParams>;
