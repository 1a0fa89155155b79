import { sql } from 'kysely';
import type { Executor } from '../../platform/context';

/**
 * SQL for the branding columns of partners (brand_name, brand_color, logo_type, logo). The
 * partners store owns the rest of the row; this one never touches other columns but updated_at.
 */
export function createBrandingStore() {
  const branding = (db: Executor) =>
    db.selectFrom('partners').select([
      'id',
      'brand_name',
      'brand_color',
      'logo_type',
      // A short digest of the image: the logo URL changes with it, so caches never show an old one.
      sql<string | null>`left(md5(logo), 12)`.as('logo_version'),
      sql<number | null>`octet_length(logo)`.as('logo_size_bytes'),
    ]);

  return {
    get: (db: Executor, partnerId: string) => branding(db).where('id', '=', partnerId).executeTakeFirst(),

    /** The same, with the row locked until the transaction ends. */
    getForUpdate: (db: Executor, partnerId: string) =>
      branding(db).where('id', '=', partnerId).forUpdate().executeTakeFirst(),

    async update(
      db: Executor,
      partnerId: string,
      values: { brand_name: string | null; brand_color: string | null },
      at: Date,
    ): Promise<void> {
      await db
        .updateTable('partners')
        .set({ ...values, updated_at: at })
        .where('id', '=', partnerId)
        .execute();
    },

    async setLogo(
      db: Executor,
      partnerId: string,
      logo: { logo_type: string; logo: Buffer } | { logo_type: null; logo: null },
      at: Date,
    ): Promise<void> {
      await db
        .updateTable('partners')
        .set({ ...logo, updated_at: at })
        .where('id', '=', partnerId)
        .execute();
    },

    logo: (db: Executor, partnerId: string) =>
      db
        .selectFrom('partners')
        .select(['logo_type', 'logo'])
        .where('id', '=', partnerId)
        .where('logo', 'is not', null)
        .executeTakeFirst(),
  };
}

export type BrandingStore = ReturnType<typeof createBrandingStore>;
export type BrandingRow = NonNullable<Awaited<ReturnType<BrandingStore['get']>>>;
